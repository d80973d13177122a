// Identifiers of SPEC §2: values that can only be built valid. Parse from
// text, print canonically, and say why a text is refused.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks {

// A person's CPR number, DDMMYY-SSSS. The date must exist; the century
// follows from the 7th digit (SPEC §2). No modulus-11 rule (dropped 2007).
class Cpr {
 public:
  // Accepts "DDMMYY-SSSS" and "DDMMYYSSSS". Errors never echo the digits.
  static Result<Cpr> Parse(std::string_view text);
  // From the 10-digit number (leading zeros dropped), as stored.
  static Result<Cpr> FromNumber(uint64_t number);

  uint64_t number() const { return number_; }
  std::string ToString() const;  // "DDMMYY-SSSS"
  std::string Masked() const;    // "DDMMYY-XXXX": the only form outside the register
  std::chrono::year_month_day birth_date() const;

  auto operator<=>(const Cpr&) const = default;

 private:
  explicit Cpr(uint64_t n) : number_(n) {}
  uint64_t number_ = 0;
};

// Masks every CPR-looking run (DDMMYY-SSSS or 10 digits with a valid date)
// in free text, for logs and error messages.
std::string MaskCprsIn(std::string_view text);

// CVR (company) and SE (tax unit) numbers: 8 digits, first not 0, weights
// 2,7,6,5,4,3,2,1 sum divisible by 11.
class Cvr {
 public:
  static Result<Cvr> Parse(std::string_view text);
  static Result<Cvr> FromNumber(uint64_t number);
  uint64_t number() const { return number_; }
  std::string ToString() const;  // 8 digits
  auto operator<=>(const Cvr&) const = default;

 private:
  explicit Cvr(uint64_t n) : number_(n) {}
  uint64_t number_ = 0;
};

class Se {
 public:
  static Result<Se> Parse(std::string_view text);
  static Result<Se> FromNumber(uint64_t number);
  uint64_t number() const { return number_; }
  std::string ToString() const;
  auto operator<=>(const Se&) const = default;

 private:
  explicit Se(uint64_t n) : number_(n) {}
  uint64_t number_ = 0;
};

// Production unit number: 10 digits, first not 0.
class PNumber {
 public:
  static Result<PNumber> Parse(std::string_view text);
  static Result<PNumber> FromNumber(uint64_t number);
  uint64_t number() const { return number_; }
  std::string ToString() const;
  auto operator<=>(const PNumber&) const = default;

 private:
  explicit PNumber(uint64_t n) : number_(n) {}
  uint64_t number_ = 0;
};

// True when the 8 digits pass the CVR/SE modulus-11 rule.
bool Modulus11Ok(uint64_t eight_digits);

enum class IdType : uint8_t { kCpr = 1, kCvr = 2, kSe = 3, kPnr = 4 };

std::string_view IdTypeName(IdType type);  // "cpr", "cvr", "se", "p"
Result<IdType> ParseIdType(std::string_view text);  // also accepts "pnr"

// Who a NemKonto or payment belongs to: a person, a company or one of its
// units. Packs into 64 bits for indexes (type in the top byte).
class RecipientId {
 public:
  static Result<RecipientId> Parse(IdType type, std::string_view text);
  // "cpr:DDMMYY-SSSS", "cvr:12345678", "se:...", "p:..."
  static Result<RecipientId> ParseTagged(std::string_view text);
  static Result<RecipientId> FromKey(uint64_t key);
  static RecipientId Of(const Cpr& c) { return {IdType::kCpr, c.number()}; }
  static RecipientId Of(const Cvr& c) { return {IdType::kCvr, c.number()}; }
  static RecipientId Of(const Se& s) { return {IdType::kSe, s.number()}; }
  static RecipientId Of(const PNumber& p) { return {IdType::kPnr, p.number()}; }

  IdType type() const { return type_; }
  uint64_t number() const { return number_; }
  uint64_t key() const { return (uint64_t{static_cast<uint8_t>(type_)} << 56) | number_; }
  bool is_person() const { return type_ == IdType::kCpr; }
  std::string ToString() const;  // the number in its canonical form
  std::string Tagged() const;    // "cpr:DDMMYY-SSSS"
  std::string Masked() const;    // CPR masked; company numbers as they are
  std::string TaggedMasked() const;

  auto operator<=>(const RecipientId&) const = default;

 private:
  RecipientId(IdType t, uint64_t n) : type_(t), number_(n) {}
  IdType type_ = IdType::kCpr;
  uint64_t number_ = 0;
};

}  // namespace nks
