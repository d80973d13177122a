#include "nks/core/sha256.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace nks {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 pieces;
  pieces.Update("ab");
  pieces.Update("c");
  EXPECT_EQ(pieces.HexDigest(), Sha256Hex("abc"));
}

TEST(Sha256Test, HexEncodeIsLowercaseTwoDigitsPerByte) {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(HexEncode(bytes, sizeof bytes), "000fa5ff");
}

TEST(Sha256Test, FileHashEqualsTheHashOfItsBytesAcrossBufferBoundaries) {
  const auto path = std::filesystem::temp_directory_path() / ("nks-sha256-" + std::to_string(::getpid()));
  std::string bytes((1 << 20) + 123, 'x');  // more than one read
  bytes[5] = 'y';
  std::ofstream(path, std::ios::binary) << bytes;
  auto hash = FileSha256Hex(path.string());
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(*hash, Sha256Hex(bytes));
  std::filesystem::remove(path);
  EXPECT_EQ(FileSha256Hex(path.string()).status().code(), Code::kIoError);
}

}  // namespace
}  // namespace nks
