// Snapshot files: what is written is read back, and anything else (another
// kind, a torn end, a changed byte) is told apart from it.
#include "nks/core/snapshot_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace nks {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kKind = 0x7465737401ULL;

class SnapshotFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("nks-snapshot-" + std::to_string(::getpid()) + ".snap")).string();
  }
  void TearDown() override { fs::remove(path_); }
  void WriteSample() {
    auto w = SnapshotWriter::Create(path_, key_);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    ASSERT_TRUE(w->Vector(numbers_).ok());
    ASSERT_TRUE(w->Section("hello", 5).ok());
    ASSERT_TRUE(w->Finish().ok());
  }
  std::string path_;
  const SnapshotKey key_{kKind, 17, 2, 300, 4};
  const std::vector<uint64_t> numbers_{1, 2, 3, 0xffffffffffffffffULL};
};

TEST_F(SnapshotFileTest, ReadsBackWhatWasWritten) {
  WriteSample();
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
  auto r = SnapshotReader::Open(path_, kKind);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->key(), key_);
  std::vector<uint64_t> numbers;
  ASSERT_TRUE(r->Vector(&numbers, 100).ok());
  EXPECT_EQ(numbers, numbers_);
  std::string text;
  ASSERT_TRUE(r->Section(&text, 100).ok());
  EXPECT_EQ(text, "hello");
  EXPECT_TRUE(r->Finish().ok());
}

TEST_F(SnapshotFileTest, AnotherKindOrNoFileIsNoSnapshot) {
  WriteSample();
  EXPECT_FALSE(SnapshotReader::Open(path_, kKind + 1).has_value());
  EXPECT_FALSE(SnapshotReader::Open(path_ + ".missing", kKind).has_value());
}

TEST_F(SnapshotFileTest, AChangedByteFailsTheChecksum) {
  WriteSample();
  std::FILE* f = std::fopen(path_.c_str(), "r+b");
  ASSERT_NE(f, nullptr);
  std::fseek(f, 60, SEEK_SET);  // inside the numbers
  std::fputc(0x55, f);
  std::fclose(f);
  auto r = SnapshotReader::Open(path_, kKind);
  ASSERT_TRUE(r.has_value());
  std::vector<uint64_t> numbers;
  std::string text;
  ASSERT_TRUE(r->Vector(&numbers, 100).ok());
  ASSERT_TRUE(r->Section(&text, 100).ok());
  EXPECT_EQ(r->Finish().code(), Code::kCorruption);
}

TEST_F(SnapshotFileTest, ATornFileOrAnOverlongSectionIsCorruption) {
  WriteSample();
  fs::resize_file(path_, fs::file_size(path_) - 4);
  auto torn = SnapshotReader::Open(path_, kKind);
  ASSERT_TRUE(torn.has_value());
  std::vector<uint64_t> numbers;
  std::string text;
  ASSERT_TRUE(torn->Vector(&numbers, 100).ok());
  ASSERT_TRUE(torn->Section(&text, 100).ok());
  EXPECT_FALSE(torn->Finish().ok());
  WriteSample();
  auto r = SnapshotReader::Open(path_, kKind);
  EXPECT_EQ(r->Vector(&numbers, 3).code(), Code::kCorruption);  // 4 > 3 elements allowed
}

TEST_F(SnapshotFileTest, AnAbandonedWriterLeavesNoFile) {
  {
    auto w = SnapshotWriter::Create(path_, key_);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->Section("x", 1).ok());
  }
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
}

}  // namespace
}  // namespace nks
