// Bank accounts (SPEC §2): Danish registration + account numbers, IBAN with
// the mod-97 check, and BIC.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "nks/core/status.h"

namespace nks {

// A Danish account: 4-digit registration number and an account number of up
// to 10 digits (left-padded with zeros when printed).
class DanishAccount {
 public:
  // "RRRR-AAAAAAAAAA", "RRRR AAAAAAAAAA" or 14 digits; the account part may
  // be shorter than 10 digits when a separator is given.
  static Result<DanishAccount> Parse(std::string_view text);
  static Result<DanishAccount> Of(uint32_t registration, uint64_t account);
  uint32_t registration() const { return registration_; }
  uint64_t account() const { return account_; }
  std::string ToString() const;  // "RRRR-AAAAAAAAAA"
  std::string Masked() const;    // "RRRR-XXXXXX1234": last four digits shown
  std::string ToIban() const;    // "DKkkRRRRAAAAAAAAAA"
  auto operator<=>(const DanishAccount&) const = default;

 private:
  DanishAccount(uint32_t r, uint64_t a) : registration_(r), account_(a) {}
  uint32_t registration_ = 0;
  uint64_t account_ = 0;
};

// ISO 13616 IBAN in electronic format (no spaces, upper case). The length is
// checked per country for the countries in the registry table.
class Iban {
 public:
  // Spaces are allowed and dropped; lower case is upper-cased.
  static Result<Iban> Parse(std::string_view text);
  const std::string& ToString() const { return text_; }
  std::string_view country() const { return std::string_view(text_).substr(0, 2); }
  std::string Masked() const;  // country, check digits, "XXXX", last four
  auto operator<=>(const Iban&) const = default;

 private:
  explicit Iban(std::string t) : text_(std::move(t)) {}
  std::string text_;
};

// ISO 9362 BIC: 4 letters (bank), 2 letters (country), 2 letters/digits
// (location), optionally 3 letters/digits (branch).
class Bic {
 public:
  static Result<Bic> Parse(std::string_view text);
  const std::string& ToString() const { return text_; }
  auto operator<=>(const Bic&) const = default;

 private:
  explicit Bic(std::string t) : text_(std::move(t)) {}
  std::string text_;
};

// A foreign account: IBAN and, where known, the bank's BIC.
struct ForeignAccount {
  Iban iban;
  std::optional<Bic> bic;
  auto operator<=>(const ForeignAccount&) const = default;
};

// The account a payment goes to. A DK IBAN is read as the Danish account it
// encodes, so each account has exactly one canonical form.
class Account {
 public:
  // "RRRR-AAAAAAAAAA", "DK.." IBAN, or "IBAN[/BIC]" for foreign accounts.
  static Result<Account> Parse(std::string_view text);
  Account(DanishAccount a) : v_(std::move(a)) {}   // NOLINT
  Account(ForeignAccount a) : v_(std::move(a)) {}  // NOLINT

  bool is_danish() const { return std::holds_alternative<DanishAccount>(v_); }
  const DanishAccount& danish() const { return std::get<DanishAccount>(v_); }
  const ForeignAccount& foreign() const { return std::get<ForeignAccount>(v_); }
  std::string ToString() const;  // canonical: "RRRR-AAAAAAAAAA" or "IBAN[/BIC]"
  std::string Masked() const;
  auto operator<=>(const Account&) const = default;

 private:
  std::variant<DanishAccount, ForeignAccount> v_;
};

// True when the IBAN's check digits pass ISO 7064 mod 97-10.
bool IbanChecksumOk(std::string_view electronic_iban);

}  // namespace nks
