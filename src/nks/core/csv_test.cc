// The RFC 4180 reader behind every register import: quoting, line ends,
// line numbers, the errors it names and how it resumes after them, and the
// UTF-8 check and field writer it shares with the exporters.
#include "nks/core/csv.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace nks {
namespace {

namespace fs = std::filesystem;
using Row = std::vector<std::string>;

// One outcome of CsvReader::Next: a record or an error, with its line.
struct Read {
  bool ok = true;
  Row fields;          // when ok
  std::string error;   // when not ok
  uint64_t line = 0;
  uint64_t offset = 0;
};

// Reads `reader` to the end, errors included (the reader resumes after them).
std::vector<Read> ReadAll(CsvReader& reader) {
  std::vector<Read> out;
  std::vector<std::string_view> fields;
  for (int guard = 0; guard < 100000; ++guard) {
    Result<bool> got = reader.Next(&fields);
    Read r;
    r.line = reader.line();
    r.offset = reader.offset();
    if (!got.ok()) {
      r.ok = false;
      r.error = got.status().message();
      EXPECT_EQ(got.status().code(), Code::kInvalidArgument);
      EXPECT_TRUE(fields.empty()) << "fields must be cleared on error";
      out.push_back(r);
      continue;
    }
    if (!*got) return out;
    r.fields.assign(fields.begin(), fields.end());
    out.push_back(r);
  }
  ADD_FAILURE() << "reader does not reach the end";
  return out;
}

std::vector<Read> ReadAllText(std::string_view text) {
  CsvReader reader = CsvReader::FromText(text);
  return ReadAll(reader);
}

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// ---- Records and fields ----

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  EXPECT_TRUE(ReadAllText("").empty());
}

TEST(CsvReaderTest, ReadsPlainRecordsWithLineNumbersAndOffsets) {
  const std::vector<Read> got = ReadAllText("cpr,name\n010185-1234,Jens\n020290-4321,Ane\n");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].fields, (Row{"cpr", "name"}));
  EXPECT_EQ(got[1].fields, (Row{"010185-1234", "Jens"}));
  EXPECT_EQ(got[2].fields, (Row{"020290-4321", "Ane"}));
  EXPECT_EQ(got[0].line, 1u);
  EXPECT_EQ(got[1].line, 2u);
  EXPECT_EQ(got[2].line, 3u);
  EXPECT_EQ(got[0].offset, 0u);
  EXPECT_EQ(got[1].offset, 9u);
  EXPECT_EQ(got[2].offset, 26u);
}

TEST(CsvReaderTest, LastRecordNeedsNoLineEnd) {
  const std::vector<Read> got = ReadAllText("a,b\nc,d");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].fields, (Row{"c", "d"}));
  EXPECT_EQ(got[1].line, 2u);
}

TEST(CsvReaderTest, AcceptsCrLfLineEnds) {
  const std::vector<Read> got = ReadAllText("a,b\r\nc,d\r\n\"e\",f\r\n");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].fields, (Row{"a", "b"}));
  EXPECT_EQ(got[1].fields, (Row{"c", "d"}));
  EXPECT_EQ(got[2].fields, (Row{"e", "f"}));
  EXPECT_EQ(got[2].line, 3u);
  EXPECT_EQ(got[2].offset, 10u);
}

TEST(CsvReaderTest, KeepsEmptyFieldsIncludingTrailingOnes) {
  const std::vector<Read> got = ReadAllText(",,\na,\n,b\n\"\",x\n");
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].fields, (Row{"", "", ""}));
  EXPECT_EQ(got[1].fields, (Row{"a", ""}));
  EXPECT_EQ(got[2].fields, (Row{"", "b"}));
  EXPECT_EQ(got[3].fields, (Row{"", "x"}));
}

TEST(CsvReaderTest, BlankLineIsOneEmptyField) {
  const std::vector<Read> got = ReadAllText("a\n\nb\r\n\r\nc\n");
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[1].fields, (Row{""}));
  EXPECT_EQ(got[1].line, 2u);
  EXPECT_EQ(got[2].fields, (Row{"b"}));
  EXPECT_EQ(got[3].fields, (Row{""}));
  EXPECT_EQ(got[4].fields, (Row{"c"}));
  EXPECT_EQ(got[4].line, 5u);
}

TEST(CsvReaderTest, QuotedFieldsKeepCommasAndUnescapeDoubledQuotes) {
  const std::vector<Read> got =
      ReadAllText("\"Nørregade 1, 2. th\",\"say \"\"hej\"\"\",\"\"\"\",plain\n");
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].ok) << got[0].error;
  EXPECT_EQ(got[0].fields, (Row{"Nørregade 1, 2. th", "say \"hej\"", "\"", "plain"}));
}

TEST(CsvReaderTest, QuotedNewlinesStayInTheFieldAndCountForLaterLines) {
  const std::vector<Read> got =
      ReadAllText("id,address\n1,\"Vestergade 2\nst. tv.\r\n8000 Aarhus C\"\n2,x\n");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].fields, (Row{"1", "Vestergade 2\nst. tv.\r\n8000 Aarhus C"}));
  EXPECT_EQ(got[1].line, 2u);
  EXPECT_EQ(got[2].fields, (Row{"2", "x"}));
  EXPECT_EQ(got[2].line, 5u);
}

TEST(CsvReaderTest, SixtyFourFieldsAreAllowed) {
  std::string text;
  for (size_t i = 0; i < CsvReader::kFieldsMax; ++i) {
    if (i > 0) text += ',';
    text += std::to_string(i);
  }
  text += '\n';
  const std::vector<Read> got = ReadAllText(text);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(got[0].ok) << got[0].error;
  ASSERT_EQ(got[0].fields.size(), 64u);
  EXPECT_EQ(got[0].fields[63], "63");
}

TEST(CsvReaderTest, RecordOfExactly64KiBIsAllowed) {
  const std::string text = std::string(CsvReader::kRecordBytesMax, 'x') + "\nok\n";
  const std::vector<Read> got = ReadAllText(text);
  ASSERT_EQ(got.size(), 2u);
  ASSERT_TRUE(got[0].ok) << got[0].error;
  EXPECT_EQ(got[0].fields[0].size(), CsvReader::kRecordBytesMax);
  EXPECT_EQ(got[1].fields, (Row{"ok"}));
}

// ---- Errors, and resuming at the next line ----

struct ErrorCase {
  std::string name;
  std::string bad_line;  // the first line; the reader must report it
  std::string reason;    // a phrase the error message must contain
};

TEST(CsvReaderTest, ReportsEachRuleBreakAndResumesAtTheNextLine) {
  const std::vector<ErrorCase> cases = {
      {"unclosed quote", "a,\"bc", "quoted field is not closed"},
      {"quote inside unquoted field", "ab\"c,d", "quote inside an unquoted field"},
      {"text after closing quote", "\"ab\"x,1", "text after a closing quote"},
      {"text after closing quote, CRLF", "\"ab\" ,1\r", "text after a closing quote"},
      {"carriage return without line feed", "a\rb,c", "carriage return without line feed"},
      {"carriage return after quoted field", "\"a\"\rb", "carriage return without line feed"},
      {"invalid UTF-8", "a,b\xff", "not valid UTF-8"},
      {"invalid UTF-8 in a quoted field", "\"\xc3\x28\"", "not valid UTF-8"},
      {"Latin-1 instead of UTF-8", "N\xf8rregade", "not valid UTF-8"},
      {"65 fields", std::string(64, ','), "more than 64 fields"},
      {"record over 64 KiB", std::string(CsvReader::kRecordBytesMax + 1, 'x'),
       "record longer than 64 KiB"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string text = "h1,h2\n" + c.bad_line + "\nnext,line\n";
    const std::vector<Read> got = ReadAllText(text);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_TRUE(got[0].ok);
    ASSERT_FALSE(got[1].ok);
    EXPECT_TRUE(Contains(got[1].error, c.reason)) << got[1].error;
    EXPECT_EQ(got[1].line, 2u);
    EXPECT_EQ(got[1].offset, 6u);
    ASSERT_TRUE(got[2].ok) << got[2].error;
    EXPECT_EQ(got[2].fields, (Row{"next", "line"}));
    EXPECT_EQ(got[2].line, 3u);
  }
}

TEST(CsvReaderTest, ErrorOnTheLastLineWithoutLineEndEndsTheFile) {
  const std::vector<Read> got = ReadAllText("a\nb\"c");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[1].ok);
  EXPECT_EQ(got[1].line, 2u);
}

TEST(CsvReaderTest, LoneCarriageReturnAtTheEndIsAnError) {
  const std::vector<Read> got = ReadAllText("a,b\nc,d\r");
  ASSERT_EQ(got.size(), 2u);
  ASSERT_FALSE(got[1].ok);
  EXPECT_TRUE(Contains(got[1].error, "carriage return without line feed")) << got[1].error;
}

TEST(CsvReaderTest, BadMultiLineRecordResumesAtItsSecondLine) {
  // The quoted field spans lines 1-2 and breaks a rule; the reader goes on at
  // line 2 (its own next line), which then breaks another rule.
  const std::vector<Read> got = ReadAllText("\"abc\nd\"x\nok\n");
  ASSERT_EQ(got.size(), 3u);
  ASSERT_FALSE(got[0].ok);
  EXPECT_TRUE(Contains(got[0].error, "text after a closing quote")) << got[0].error;
  EXPECT_EQ(got[0].line, 1u);
  ASSERT_FALSE(got[1].ok);
  EXPECT_TRUE(Contains(got[1].error, "quote inside an unquoted field")) << got[1].error;
  EXPECT_EQ(got[1].line, 2u);
  EXPECT_EQ(got[2].fields, (Row{"ok"}));
  EXPECT_EQ(got[2].line, 3u);
}

TEST(CsvReaderTest, RunawayQuoteStopsAt64KiBAndResumesAtTheNextLine) {
  std::string text = "1,\"runaway\n";
  for (int i = 0; i < 2000; ++i) text += "0123456789012345678901234567890123456789\n";
  const std::vector<Read> got = ReadAllText(text);
  ASSERT_FALSE(got.empty());
  ASSERT_FALSE(got[0].ok);
  EXPECT_TRUE(Contains(got[0].error, "record longer than 64 KiB")) << got[0].error;
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(got[1].fields, (Row{"0123456789012345678901234567890123456789"}));
  EXPECT_EQ(got[1].line, 2u);
  EXPECT_EQ(got.size(), 2001u);
  EXPECT_EQ(got.back().line, 2001u);
}

// Seen with fuzz/csv_fuzz under ASan: a "" whose second quote was the first
// byte past the limit made the next search start beyond it, past the buffer.
TEST(CsvReaderTest, DoubledQuoteStraddlingThe64KiBLimitIsTooLong) {
  const std::string text =
      "\"" + std::string(CsvReader::kRecordBytesMax - 1, 'a') + "\"\"x\nnext\n";
  const std::vector<Read> got = ReadAllText(text);
  ASSERT_EQ(got.size(), 2u);
  ASSERT_FALSE(got[0].ok);
  EXPECT_TRUE(Contains(got[0].error, "record longer than 64 KiB")) << got[0].error;
  EXPECT_EQ(got[1].fields, (Row{"next"}));
}

// ---- Seek ----

TEST(CsvReaderTest, SeekToARecordSeenBeforeReadsItAgain) {
  const std::string text = "h\n\"multi\nline\",1\n\"q\"\"uote\",2\r\nlast,3\n";
  CsvReader reader = CsvReader::FromText(text);
  const std::vector<Read> first = ReadAll(reader);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(first[3].line, 5u);
  // Seek to each record, in reverse order, and read from there.
  for (size_t i = first.size(); i-- > 0;) {
    SCOPED_TRACE(i);
    reader.Seek(first[i].offset, first[i].line);
    std::vector<std::string_view> fields;
    Result<bool> got = reader.Next(&fields);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(*got);
    EXPECT_EQ(Row(fields.begin(), fields.end()), first[i].fields);
    EXPECT_EQ(reader.line(), first[i].line);
    EXPECT_EQ(reader.offset(), first[i].offset);
    // And the line numbers of the records after it follow on.
    const std::vector<Read> rest = ReadAll(reader);
    ASSERT_EQ(rest.size(), first.size() - i - 1);
    for (size_t k = 0; k < rest.size(); ++k) {
      EXPECT_EQ(rest[k].line, first[i + 1 + k].line);
      EXPECT_EQ(rest[k].fields, first[i + 1 + k].fields);
    }
  }
}

// ---- Files ----

class CsvReaderFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nks_csv_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary);
    out << text;
    return path;
  }

  fs::path dir_;
};

TEST_F(CsvReaderFileTest, OpenOfAMissingFileIsAnIoError) {
  Result<CsvReader> r = CsvReader::Open((dir_ / "missing.csv").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIoError);
  EXPECT_TRUE(Contains(r.status().message(), "missing.csv")) << r.status().message();
}

TEST_F(CsvReaderFileTest, OpenOfADirectoryIsAnIoError) {
  Result<CsvReader> r = CsvReader::Open(dir_.string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kIoError);
}

TEST_F(CsvReaderFileTest, ReadsAMappedFile) {
  const std::string text = "cvr,name\r\n80000006,\"Firma, A/S\"\r\n80000014,Andet ApS\r\n";
  Result<CsvReader> r = CsvReader::Open(Write("cvr.csv", text).string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), text.size());
  const std::vector<Read> got = ReadAll(*r);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].fields, (Row{"80000006", "Firma, A/S"}));
  EXPECT_EQ(got[2].fields, (Row{"80000014", "Andet ApS"}));
  EXPECT_EQ(got[2].line, 3u);
  EXPECT_EQ(r->position(), text.size());
}

TEST_F(CsvReaderFileTest, EmptyFileHasNoRecords) {
  Result<CsvReader> r = CsvReader::Open(Write("empty.csv", "").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 0u);
  std::vector<std::string_view> fields;
  Result<bool> got = r->Next(&fields);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(*got);
}

TEST_F(CsvReaderFileTest, MovedReaderKeepsReadingWhereItWas) {
  Result<CsvReader> r = CsvReader::Open(Write("m.csv", "a\nb\nc\n").string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string_view> fields;
  ASSERT_TRUE(*r->Next(&fields));
  CsvReader moved = std::move(*r);
  const std::vector<Read> rest = ReadAll(moved);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].fields, (Row{"b"}));
  EXPECT_EQ(rest[0].line, 2u);
  EXPECT_EQ(rest[1].fields, (Row{"c"}));
}

// ---- IsValidUtf8 ----

TEST(CsvReaderUtf8Test, AcceptsAndRejectsTheBoundaryCases) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"", true},
      {"plain ASCII text longer than eight bytes", true},
      {"Søren Ærø Åbyhøj", true},
      {"\x7f", true},                  // U+007F
      {"\xc2\x80", true},              // U+0080
      {"\xdf\xbf", true},              // U+07FF
      {"\xe0\xa0\x80", true},          // U+0800
      {"\xed\x9f\xbf", true},          // U+D7FF
      {"\xee\x80\x80", true},          // U+E000
      {"\xef\xbf\xbf", true},          // U+FFFF
      {"\xf0\x90\x80\x80", true},      // U+10000
      {"\xf4\x8f\xbf\xbf", true},      // U+10FFFF
      {"\xe2\x82\xac 100", true},      // euro sign
      {"\xc0\x80", false},             // overlong NUL
      {"\xc1\xbf", false},             // overlong U+007F
      {"\xe0\x9f\xbf", false},         // overlong U+07FF
      {"\xf0\x8f\xbf\xbf", false},     // overlong U+FFFF
      {"\xed\xa0\x80", false},         // U+D800, a surrogate
      {"\xed\xbf\xbf", false},         // U+DFFF, a surrogate
      {"\xf4\x90\x80\x80", false},     // U+110000, past the end
      {"\xf5\x80\x80\x80", false},
      {"\xf8\x88\x80\x80\x80", false}, // 5-byte form
      {"\xff", false},
      {"\xfe", false},
      {"\x80", false},                 // lone continuation byte
      {"\xbf", false},
      {"\xc3", false},                 // truncated at the end
      {"\xe2\x82", false},
      {"\xf0\x9f\x98", false},
      {"\xc3\x28", false},             // continuation byte missing
      {"\xe2\x28\xac", false},
      {"\xe2\x82\x28", false},
      {"12345678\xff", false},         // after the 8-byte ASCII fast path
      {"1234567\xff" "12345678", false},
      {"12345678abcdefgh\xc3\xa6", true},
  };
  for (const auto& [text, valid] : cases) {
    EXPECT_EQ(IsValidUtf8(text), valid) << "input bytes: " << ::testing::PrintToString(text);
  }
}

// Encodes `cp` in exactly `bytes` bytes (1-4), overlong if need be.
std::string EncodeUtf8(uint32_t cp, int bytes) {
  std::string out;
  switch (bytes) {
    case 1:
      out += static_cast<char>(cp);
      break;
    case 2:
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
      break;
    case 3:
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
      break;
    default:
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
      break;
  }
  return out;
}

int Utf8Length(uint32_t cp) {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

// Any Unicode scalar value (no surrogates), spread over the four lengths.
rc::Gen<uint32_t> GenScalarValue() {
  return rc::gen::oneOf(rc::gen::inRange<uint32_t>(0, 0x80), rc::gen::inRange<uint32_t>(0x80, 0x800),
                        rc::gen::inRange<uint32_t>(0x800, 0xD800),
                        rc::gen::inRange<uint32_t>(0xE000, 0x10000),
                        rc::gen::inRange<uint32_t>(0x10000, 0x110000));
}

std::string EncodeAll(const std::vector<uint32_t>& cps) {
  std::string s;
  for (uint32_t cp : cps) s += EncodeUtf8(cp, Utf8Length(cp));
  return s;
}

RC_GTEST_PROP(CsvReaderUtf8Property, AnyEncodedCodePointsAreValid, ()) {
  const auto cps = *rc::gen::container<std::vector<uint32_t>>(GenScalarValue());
  RC_ASSERT(IsValidUtf8(EncodeAll(cps)));
}

RC_GTEST_PROP(CsvReaderUtf8Property, OverlongEncodingsAreRejected, ()) {
  const uint32_t cp = *GenScalarValue();
  const int shortest = Utf8Length(cp);
  RC_PRE(shortest < 4);
  const int bytes = *rc::gen::inRange(shortest + 1, 5);
  const auto before = *rc::gen::container<std::vector<uint32_t>>(GenScalarValue());
  const auto after = *rc::gen::container<std::vector<uint32_t>>(GenScalarValue());
  RC_ASSERT_FALSE(IsValidUtf8(EncodeAll(before) + EncodeUtf8(cp, bytes) + EncodeAll(after)));
}

RC_GTEST_PROP(CsvReaderUtf8Property, SurrogatesAndValuesPastU10FFFFAreRejected, ()) {
  const uint32_t cp = *rc::gen::oneOf(rc::gen::inRange<uint32_t>(0xD800, 0xE000),
                                      rc::gen::inRange<uint32_t>(0x110000, 0x200000));
  const auto before = *rc::gen::container<std::vector<uint32_t>>(GenScalarValue());
  RC_ASSERT_FALSE(IsValidUtf8(EncodeAll(before) + EncodeUtf8(cp, Utf8Length(cp))));
}

RC_GTEST_PROP(CsvReaderUtf8Property, TruncatedSequencesAreRejected, ()) {
  const uint32_t cp = *rc::gen::inRange<uint32_t>(0x80, 0x110000);
  RC_PRE(cp < 0xD800 || cp >= 0xE000);
  const std::string full = EncodeUtf8(cp, Utf8Length(cp));
  const size_t cut = *rc::gen::inRange<size_t>(1, full.size());
  const auto before = *rc::gen::container<std::vector<uint32_t>>(GenScalarValue());
  // At the end of the text, and followed by an ASCII byte.
  RC_ASSERT_FALSE(IsValidUtf8(EncodeAll(before) + full.substr(0, cut)));
  RC_ASSERT_FALSE(IsValidUtf8(EncodeAll(before) + full.substr(0, cut) + "a"));
}

// ---- AppendCsvField ----

TEST(CsvReaderAppendFieldTest, QuotesOnlyWhenNeeded) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"plain", "plain"},
      {"with space", "with space"},
      {"Nørregade", "Nørregade"},
      {"a,b", "\"a,b\""},
      {"say \"hej\"", "\"say \"\"hej\"\"\""},
      {"\"", "\"\"\"\""},
      {"two\nlines", "\"two\nlines\""},
      {"cr\r", "\"cr\r\""},
  };
  for (const auto& [field, written] : cases) {
    std::string out = "x,";
    AppendCsvField(&out, field);
    EXPECT_EQ(out, "x," + written) << ::testing::PrintToString(field);
  }
}

// Fields drawn from characters that need quoting, plus some that do not.
rc::Gen<std::string> GenField() {
  return rc::gen::map(
      rc::gen::container<std::vector<std::string>>(rc::gen::element<std::string>(
          "a", "Z", "0", " ", ",", "\"", "\r", "\n", "\r\n", "\xc3\xa6", "\xe2\x82\xac",
          "\xf0\x9f\x98\x80", "-", "/")),
      [](const std::vector<std::string>& parts) {
        std::string s;
        for (const std::string& p : parts) s += p;
        return s;
      });
}

RC_GTEST_PROP(CsvReaderAppendFieldProperty, WrittenRecordsReadBackUnchanged, ()) {
  const auto records = *rc::gen::container<std::vector<Row>>(
      rc::gen::resize(8, rc::gen::nonEmpty(rc::gen::container<Row>(GenField()))));
  const bool crlf = *rc::gen::arbitrary<bool>();
  const bool final_line_end = *rc::gen::arbitrary<bool>();
  std::string text;
  std::vector<uint64_t> lines;
  uint64_t line = 1;
  for (size_t r = 0; r < records.size(); ++r) {
    const size_t start = text.size();
    for (size_t f = 0; f < records[r].size(); ++f) {
      if (f > 0) text += ',';
      AppendCsvField(&text, records[r][f]);
    }
    if (r + 1 < records.size() || final_line_end) text += crlf ? "\r\n" : "\n";
    lines.push_back(line);
    for (size_t i = start; i < text.size(); ++i) line += text[i] == '\n' ? 1 : 0;
  }
  // A last record of one empty field with no line end writes nothing at all.
  std::vector<Row> expected = records;
  if (!expected.empty() && !final_line_end && expected.back() == Row{""}) expected.pop_back();

  const std::vector<Read> got = ReadAllText(text);
  RC_ASSERT(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    RC_ASSERT(got[i].ok);
    RC_ASSERT(got[i].fields == expected[i]);
    RC_ASSERT(got[i].line == lines[i]);
  }
}

}  // namespace
}  // namespace nks
