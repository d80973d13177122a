// One-time activation codes (SPEC §3.2): 8 random digits, stored only as an
// argon2id hash, compared in constant time by libsodium.
#pragma once

#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks::reg {

constexpr size_t kActivationCodeDigits = 8;

// A fresh code from the OS's random source.
std::string NewActivationCode();
// "1234 5678": easier to read out and type.
std::string FormatActivationCode(std::string_view code);
// Accepts the code with or without spaces.
std::string NormaliseActivationCode(std::string_view entered);
Result<std::string> HashActivationCode(std::string_view code);
bool VerifyActivationCode(const std::string& hash, std::string_view code);
// 128 random bits as hex: names a letter without saying whom it is for.
std::string NewLetterId();

}  // namespace nks::reg
