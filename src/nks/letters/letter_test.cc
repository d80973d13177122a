#include "nks/letters/letter.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace nks::letters {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

fs::path FreshDir(const std::string& name) {
  static int counter = 0;
  const fs::path dir = fs::temp_directory_path() / ("nks_letter_test_" + std::to_string(getpid()) +
                                                    "_" + std::to_string(counter++) + "_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command; its standard output (the paths used here have no
// spaces or quotes).
std::string Run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << command;
  return out;
}

std::string PdfText(const fs::path& pdf) {
  return Run("pdftotext -enc UTF-8 " + pdf.string() + " - 2>&1");
}

int PdfPages(const fs::path& pdf) {
  const std::string info = Run("pdfinfo " + pdf.string() + " 2>&1");
  const size_t at = info.find("Pages:");
  if (at == std::string::npos) return -1;
  return std::stoi(info.substr(at + 6));
}

std::vector<std::string> DirEntries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Letter DanishLetter() {
  Letter letter;
  letter.sender_name = "NemKonto";
  letter.recipient_lines = {"Søren Ærø Åkjær", "Åboulevarden 12, 2. th.", "8000 Aarhus C"};
  letter.date_line = "København, " + DanishLongDate(year{2026} / November / 25);
  letter.subject = "Aktivér din nye NemKonto";
  letter.paragraphs = {
      "Kære Søren. Din kommune har indberettet en ny NemKonto for dig: konto 1551-0001234567.",
      "Din aktiveringskode er: 4F7K-Q2MZ. Beløbet er 1.234,50 kr. (ca. 165 €).",
      "Pengene vil blive udbetalt til din NemKonto. Du kan læse mere på www.nemkonto.dk",
  };
  letter.footer = "NemKonto-systemet. Brevet er dannet automatisk og er ikke underskrevet.";
  return letter;
}

// Squeezes runs of whitespace so text checks do not depend on line breaks.
std::string Squeeze(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\f' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  return out;
}

TEST(DanishLongDateTest, WritesDayMonthNameAndYear) {
  EXPECT_EQ(DanishLongDate(year{2026} / November / 25), "25. november 2026");
  EXPECT_EQ(DanishLongDate(year{2027} / January / 1), "1. januar 2027");
  EXPECT_EQ(DanishLongDate(year{2026} / March / 31), "31. marts 2026");
  EXPECT_EQ(DanishLongDate(year{2026} / May / 9), "9. maj 2026");
  EXPECT_EQ(DanishLongDate(year{2024} / February / 29), "29. februar 2024");
}

TEST(Utf8ToCp1252Test, MapsDanishLettersAndWindowsExtras) {
  EXPECT_EQ(Utf8ToCp1252("æøåÆØÅé"), "\xE6\xF8\xE5\xC6\xD8\xC5\xE9");
  EXPECT_EQ(Utf8ToCp1252("100 € – “ok”"), "100 \x80 \x96 \x93ok\x94");
  EXPECT_EQ(Utf8ToCp1252("plain ASCII, 123"), "plain ASCII, 123");
}

TEST(Utf8ToCp1252Test, ReplacesWhatCp1252LacksAndBrokenUtf8) {
  EXPECT_EQ(Utf8ToCp1252("日本"), "??");
  EXPECT_EQ(Utf8ToCp1252("a\xFF"
                         "b"),
            "a?b");
  EXPECT_EQ(Utf8ToCp1252("\xC0\xAF"), "??");          // overlong '/'
  EXPECT_EQ(Utf8ToCp1252("\xED\xA0\x80"), "???");     // a surrogate
  EXPECT_EQ(Utf8ToCp1252("\xC3"), "?");               // cut short
  EXPECT_EQ(Utf8ToCp1252("\xC2\x85"), "?");           // C1 control
  EXPECT_EQ(Utf8ToCp1252("a\tb\nc\x01"), "a b\nc?");  // tab, line break, control
  EXPECT_EQ(Utf8ToCp1252("😀"), "?");
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

TEST(Utf8ToCp1252Test, OneByteForEveryCharacter) {
  const bool ok = rc::check([](const std::vector<uint32_t>& raw) {
    std::string utf8;
    for (uint32_t r : raw) {
      char32_t cp = r % 0x110000;
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
      AppendUtf8(utf8, cp);
    }
    const std::string out = Utf8ToCp1252(utf8);
    RC_ASSERT(out.size() == raw.size());
    RC_ASSERT(out.find('\0') == std::string::npos || utf8.find('\0') == std::string::npos);
  });
  EXPECT_TRUE(ok);
}

TEST(LetterPdfTest, WritesDanishTextThatComesOutAgain) {
  const fs::path dir = FreshDir("danish");
  const fs::path pdf = dir / "letter.pdf";
  const Status s = WriteLetterPdf(DanishLetter(), pdf);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const std::string bytes = ReadFile(pdf);
  EXPECT_EQ(bytes.substr(0, 5), "%PDF-");
  EXPECT_EQ(bytes.find("/FlateDecode"), std::string::npos) << "content must be uncompressed";
  EXPECT_NE(bytes.find("/WinAnsiEncoding"), std::string::npos);
  const std::string text = Squeeze(PdfText(pdf));
  for (const char* expected :
       {"NemKonto", "Søren Ærø Åkjær", "Åboulevarden 12, 2. th.", "8000 Aarhus C",
        "København, 25. november 2026", "Aktivér din nye NemKonto", "Kære Søren.",
        "1.234,50 kr. (ca. 165 €)", "Du kan læse mere på www.nemkonto.dk",
        "NemKonto-systemet. Brevet er dannet automatisk", "Side 1 af 1"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n--- in ---\n" << text;
  }
  EXPECT_EQ(PdfPages(pdf), 1);
  EXPECT_EQ(DirEntries(dir), std::vector<std::string>{"letter.pdf"}) << "temporary file left";
  fs::remove_all(dir);
}

TEST(LetterPdfTest, AddressComesBeforeDateSubjectAndBody) {
  const fs::path dir = FreshDir("order");
  const fs::path pdf = dir / "letter.pdf";
  ASSERT_TRUE(WriteLetterPdf(DanishLetter(), pdf).ok());
  const std::string text = PdfText(pdf);
  const size_t sender = text.find("NemKonto\n");
  const size_t address = text.find("8000 Aarhus C");
  const size_t date = text.find("København, 25.");
  const size_t subject = text.find("Aktivér");
  const size_t body = text.find("Kære Søren");
  ASSERT_NE(body, std::string::npos) << text;
  EXPECT_LT(sender, address);
  EXPECT_LT(address, date);
  EXPECT_LT(date, subject);
  EXPECT_LT(subject, body);
  fs::remove_all(dir);
}

TEST(LetterPdfTest, LongTextWrapsOntoMorePages) {
  const fs::path dir = FreshDir("long");
  const fs::path pdf = dir / "long.pdf";
  Letter letter = DanishLetter();
  letter.paragraphs.clear();
  for (int k = 1; k <= 30; ++k) {
    letter.paragraphs.push_back(
        "Afsnit " + std::to_string(k) +
        ": Når en myndighed udbetaler penge til dig, går de til din NemKonto. Det gælder "
        "blandt andet børne- og ungeydelse, boligstøtte, overskydende skat og løn fra det "
        "offentlige. Du kan ændre din NemKonto i din bank eller på www.nemkonto.dk slut" +
        std::to_string(k) + ".");
  }
  letter.paragraphs.push_back(std::string(300, 'x'));  // wider than a line: cut
  ASSERT_TRUE(WriteLetterPdf(letter, pdf).ok());
  const int pages = PdfPages(pdf);
  EXPECT_GE(pages, 2);
  const std::string raw = PdfText(pdf);
  EXPECT_EQ(std::count(raw.begin(), raw.end(), '\f'), pages) << "pdftotext ends pages with \\f";
  const std::string text = Squeeze(raw);
  for (int k = 1; k <= 30; ++k) {
    EXPECT_NE(text.find("slut" + std::to_string(k) + "."), std::string::npos) << k;
  }
  EXPECT_NE(text.find("Side 2 af " + std::to_string(pages)), std::string::npos);
  size_t longest_x_run = 0, run = 0;
  for (char c : raw) {
    run = c == 'x' ? run + 1 : 0;
    longest_x_run = std::max(longest_x_run, run);
  }
  EXPECT_LT(longest_x_run, 300u) << "the long word is cut across lines";
  EXPECT_EQ(std::count(raw.begin(), raw.end(), 'x'), 300);
  fs::remove_all(dir);
}

TEST(LetterPdfTest, SameLetterSameBytes) {
  const fs::path dir = FreshDir("same");
  ASSERT_TRUE(WriteLetterPdf(DanishLetter(), dir / "a.pdf").ok());
  ASSERT_TRUE(WriteLetterPdf(DanishLetter(), dir / "b.pdf").ok());
  EXPECT_EQ(ReadFile(dir / "a.pdf"), ReadFile(dir / "b.pdf"));
  fs::remove_all(dir);
}

TEST(LetterPdfTest, ReplacesAnExistingFileWhole) {
  const fs::path dir = FreshDir("replace");
  const fs::path pdf = dir / "letter.pdf";
  std::ofstream(pdf) << "old";
  ASSERT_TRUE(WriteLetterPdf(DanishLetter(), pdf).ok());
  EXPECT_EQ(ReadFile(pdf).substr(0, 5), "%PDF-");
  EXPECT_EQ(DirEntries(dir), std::vector<std::string>{"letter.pdf"});
  fs::remove_all(dir);
}

TEST(LetterPdfTest, MissingDirectoryIsAnIoErrorNamingThePath) {
  const fs::path dir = FreshDir("missing");
  const fs::path pdf = dir / "no_such_dir" / "letter.pdf";
  const Status s = WriteLetterPdf(DanishLetter(), pdf);
  EXPECT_EQ(s.code(), Code::kIoError) << s.ToString();
  EXPECT_NE(s.message().find(pdf.string()), std::string::npos) << s.message();
  EXPECT_TRUE(DirEntries(dir).empty());
  fs::remove_all(dir);
}

TEST(LetterPdfTest, FailedRenameIsAnIoErrorAndLeavesNoTemporaryFile) {
  const fs::path dir = FreshDir("rename");
  const fs::path pdf = dir / "letter.pdf";
  fs::create_directories(pdf / "occupied");  // a non-empty directory where the file should go
  const Status s = WriteLetterPdf(DanishLetter(), pdf);
  EXPECT_EQ(s.code(), Code::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("rename"), std::string::npos) << s.message();
  EXPECT_EQ(DirEntries(dir), std::vector<std::string>{"letter.pdf"});
  EXPECT_TRUE(fs::is_directory(pdf));
  fs::remove_all(dir);
}

TEST(LetterPdfTest, RefusesLettersBeyondTheLimits) {
  const fs::path dir = FreshDir("limits");
  Letter letter = DanishLetter();
  letter.recipient_lines.assign(kRecipientLinesMax + 1, "Linje");
  EXPECT_EQ(WriteLetterPdf(letter, dir / "a.pdf").code(), Code::kInvalidArgument);
  letter = DanishLetter();
  letter.paragraphs.assign(1, std::string(kLetterTextBytesMax + 1, 'a'));
  EXPECT_EQ(WriteLetterPdf(letter, dir / "b.pdf").code(), Code::kInvalidArgument);
  letter = DanishLetter();
  letter.paragraphs.assign(kLetterPagesMax * 60, "linje");  // ~50 lines a page
  EXPECT_EQ(WriteLetterPdf(letter, dir / "c.pdf").code(), Code::kInvalidArgument);
  letter = DanishLetter();
  letter.footer = std::string(2000, 'f');
  for (size_t k = 0; k < 2000; k += 7) letter.footer[k] = ' ';
  EXPECT_EQ(WriteLetterPdf(letter, dir / "d.pdf").code(), Code::kInvalidArgument);
  EXPECT_TRUE(DirEntries(dir).empty());
  fs::remove_all(dir);
}

TEST(LetterPdfTest, EmptyLetterStillRenders) {
  const fs::path dir = FreshDir("empty");
  ASSERT_TRUE(WriteLetterPdf(Letter{}, dir / "empty.pdf").ok());
  EXPECT_EQ(PdfPages(dir / "empty.pdf"), 1);
  EXPECT_NE(PdfText(dir / "empty.pdf").find("Side 1 af 1"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nks::letters
