#include "nks/core/mapped_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "nks/core/csv.h"

namespace nks {
namespace {

namespace fs = std::filesystem;

class MappedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("nks_mapped_" + std::to_string(getpid()) + "_" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
  }
  void TearDown() override { fs::remove(path_); }
  void Write(const std::string& text) { std::ofstream(path_, std::ios::binary) << text; }
  std::string path_;
};

TEST_F(MappedFileTest, MapsTheFile) {
  Write("hello, world\n");
  auto m = MappedFile::Open(path_);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->bytes(), "hello, world\n");
  EXPECT_FALSE(m->truncated());
  EXPECT_TRUE(m->CheckUnchanged().ok());
  MappedFile moved = std::move(*m);
  EXPECT_EQ(moved.bytes(), "hello, world\n");
  EXPECT_TRUE(MappedFile::Open(path_ + ".missing").status().message().find("cannot open") != std::string::npos);
}

// Reading past the end of a file truncated under the mapping would kill the
// process with SIGBUS; here it reads zeros and the file says it changed.
TEST_F(MappedFileTest, AFileTruncatedUnderTheMappingReadsAsZerosAndIsReported) {
  const size_t bytes = 1 << 20;
  Write(std::string(bytes, 'x'));
  auto m = MappedFile::Open(path_);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(truncate(path_.c_str(), 4096), 0);
  const std::string_view view = m->bytes();
  EXPECT_EQ(view[0], 'x');
  EXPECT_EQ(view[bytes - 1], '\0');  // past the new end: no SIGBUS
  EXPECT_EQ(view[bytes / 2], '\0');
  EXPECT_TRUE(m->truncated());
  const Status st = m->CheckUnchanged();
  EXPECT_EQ(st.code(), Code::kIoError);
  EXPECT_NE(st.message().find("shrank while it was being read"), std::string::npos) << st.ToString();
}

TEST_F(MappedFileTest, ACsvFileCutShortWhileReadIsAnIoErrorNotACrash) {
  std::string csv = "a,b\n";
  while (csv.size() < (1 << 20)) csv += "1234567890,abcdefghij\n";
  Write(csv);
  auto reader = CsvReader::Open(path_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<std::string_view> fields;
  ASSERT_TRUE(reader->Next(&fields).ok());
  ASSERT_EQ(truncate(path_.c_str(), 8192), 0);
  Status failed;
  for (int i = 0; i < 100000 && failed.ok(); ++i) {
    auto r = reader->Next(&fields);
    if (!r.ok()) failed = r.status();
    else if (!*r) break;
  }
  EXPECT_EQ(failed.code(), Code::kIoError) << failed.ToString();
  EXPECT_NE(failed.message().find("shrank"), std::string::npos) << failed.ToString();
}

}  // namespace
}  // namespace nks
