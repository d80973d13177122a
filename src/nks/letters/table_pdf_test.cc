#include "nks/letters/table_pdf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace nks::letters {
namespace {

namespace fs = std::filesystem;

// The PDF written to a temporary file, and what a poppler tool says of it.
class TablePdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = fs::temp_directory_path() / ("nks_table_pdf_" + std::to_string(getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".pdf");
  }
  void TearDown() override { fs::remove(path_); }

  std::string Tool(const std::string& tool, const std::string& pdf_bytes) {
    std::ofstream(path_, std::ios::binary) << pdf_bytes;
    std::string out;
    FILE* pipe = popen((tool + " " + path_.string() + (tool == "pdftotext -layout -enc UTF-8" ? " -" : "") + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return out;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    EXPECT_EQ(pclose(pipe), 0) << tool << ": " << out;
    return out;
  }

  fs::path path_;
};

TableDocument ChangeList(size_t rows) {
  TableDocument doc;
  doc.title = "Kontrolliste 2026-11 for NKS-aftale 12345678";
  doc.subtitle = {"CPR-numre er maskeret."};
  doc.footer = "NemKonto";
  doc.columns = {{"tidspunkt", 2}, {"bruger", 1}, {"modtager", 1.5f}, {"konto", 2}};
  for (size_t i = 0; i < rows; ++i) {
    doc.rows.push_back({"2026-11-0" + std::to_string(1 + i % 9) + "T10:00:00+01:00", "cw" + std::to_string(i),
                        "cpr:010190-xxxx", "1551-000012" + std::to_string(1000 + i)});
  }
  return doc;
}

TEST_F(TablePdfTest, RowsFlowOverPagesWithHeadingsAndPageNumbers) {
  auto pdf = TablePdf(ChangeList(300));
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
  const std::string info = Tool("pdfinfo", *pdf);
  const size_t at = info.find("Pages:");
  ASSERT_NE(at, std::string::npos) << info;
  const int pages = std::stoi(info.substr(at + 6));
  EXPECT_GE(pages, 6);  // ~40 rows a page
  EXPECT_NE(info.find("841.89 x 595.276"), std::string::npos) << "landscape A4: " << info;
  const std::string text = Tool("pdftotext -layout -enc UTF-8", *pdf);
  EXPECT_NE(text.find("Kontrolliste 2026-11 for NKS-aftale 12345678"), std::string::npos);
  EXPECT_NE(text.find("cw0 "), std::string::npos);
  EXPECT_NE(text.find("cw299"), std::string::npos) << "the last row is there";
  EXPECT_NE(text.find("Side 1 af " + std::to_string(pages)), std::string::npos);
  // The headings repeat on every page.
  size_t headings = 0;
  for (size_t p = text.find("tidspunkt"); p != std::string::npos; p = text.find("tidspunkt", p + 1)) ++headings;
  EXPECT_EQ(headings, static_cast<size_t>(pages));
}

TEST_F(TablePdfTest, ALongCellIsCutWithAnEllipsisAndDanishLettersSurvive) {
  TableDocument doc = ChangeList(1);
  doc.rows[0][1] = "Søren Æblegård Østergaard-Ålund med et meget langt navn der ikke kan være i kolonnen";
  auto pdf = TablePdf(doc);
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  const std::string text = Tool("pdftotext -layout -enc UTF-8", *pdf);
  EXPECT_NE(text.find("Søren Æ"), std::string::npos) << text;
  EXPECT_NE(text.find("…"), std::string::npos) << text;
  EXPECT_EQ(text.find("kolonnen"), std::string::npos) << text;
}

TEST_F(TablePdfTest, BadTablesAreRefusedWithTheReason) {
  TableDocument doc = ChangeList(3);
  doc.rows[1].pop_back();
  auto pdf = TablePdf(doc);
  ASSERT_FALSE(pdf.ok());
  EXPECT_NE(pdf.status().message().find("row 2 has 3 cells, expected 4"), std::string::npos) << pdf.status().ToString();
  doc = ChangeList(0);
  doc.columns.clear();
  EXPECT_FALSE(TablePdf(doc).ok());
  doc = ChangeList(1);
  doc.rows.resize(kTableRowsMax + 1, doc.rows[0]);
  pdf = TablePdf(doc);
  ASSERT_FALSE(pdf.ok());
  EXPECT_NE(pdf.status().message().find("at most"), std::string::npos);
}

TEST_F(TablePdfTest, AnEmptyListIsOnePageWithItsHeadings) {
  auto pdf = TablePdf(ChangeList(0));
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  EXPECT_NE(Tool("pdfinfo", *pdf).find("Pages:           1"), std::string::npos);
  EXPECT_NE(Tool("pdftotext -layout -enc UTF-8", *pdf).find("tidspunkt"), std::string::npos);
}

}  // namespace
}  // namespace nks::letters
