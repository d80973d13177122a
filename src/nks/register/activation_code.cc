#include "nks/register/activation_code.h"

#include <fmt/format.h>
#include <sodium.h>

namespace nks::reg {
namespace {
void InitSodium() {
  static const int ok = sodium_init();
  NKS_CHECK(ok >= 0);
}
}  // namespace

std::string NewActivationCode() {
  InitSodium();
  return fmt::format("{:08d}", randombytes_uniform(100'000'000));
}

std::string FormatActivationCode(std::string_view code) {
  if (code.size() != kActivationCodeDigits) return std::string(code);
  return fmt::format("{} {}", code.substr(0, 4), code.substr(4));
}

std::string NormaliseActivationCode(std::string_view entered) {
  std::string out;
  for (char c : entered) {
    if (c != ' ' && c != '-') out.push_back(c);
  }
  return out;
}

Result<std::string> HashActivationCode(std::string_view code) {
  InitSodium();
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, code.data(), code.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::Internal("activation code: hashing ran out of memory");
  }
  return std::string(hash);
}

bool VerifyActivationCode(const std::string& hash, std::string_view code) {
  InitSodium();
  return crypto_pwhash_str_verify(hash.c_str(), code.data(), code.size()) == 0;
}

std::string NewLetterId() {
  InitSodium();
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

}  // namespace nks::reg
