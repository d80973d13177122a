// The facts NKS keeps, as the store persists them. Identifiers are packed
// (RecipientId::key()); accounts are canonical text (Account::ToString()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks::store {

enum class PersonStatus : uint8_t { kActive = 1, kDead = 2, kEmigrated = 3, kProtected = 4 };
enum class CompanyStatus : uint8_t { kActive = 1, kCeased = 2 };

std::string_view PersonStatusName(PersonStatus s);
Result<PersonStatus> ParsePersonStatus(std::string_view text);
std::string_view CompanyStatusName(CompanyStatus s);
Result<CompanyStatus> ParseCompanyStatus(std::string_view text);

// A row of the CPR register (SPEC §3.1).
struct Person {
  uint64_t cpr = 0;  // Cpr::number()
  std::string name;
  std::string address;
  std::string postcode;
  std::string city;
  PersonStatus status = PersonStatus::kActive;
};

// A row of the CVR register.
struct Company {
  uint64_t cvr = 0;
  std::string name;
  std::string address;
  std::string postcode;
  std::string city;
  CompanyStatus status = CompanyStatus::kActive;
};

// An SE or P unit of a company.
struct Unit {
  uint64_t key = 0;  // RecipientId::key() of the SE or P number
  uint64_t cvr = 0;
};

// How a register change reached NKS (SPEC §3.2).
enum class Channel : uint8_t { kCitizen = 1, kBank = 2, kAuthority = 3, kSystem = 4 };
std::string_view ChannelName(Channel c);
Result<Channel> ParseChannel(std::string_view text);

enum class NemKontoEventKind : uint8_t {
  kSet = 1,               // active at once (citizen, bank)
  kPending = 2,           // reported by an authority; waits for the code
  kActivated = 3,         // the recipient entered the code of `pending_seq`
  kDeleted = 4,           // no NemKonto any more
  kActivationFailed = 5,  // a wrong code was entered for `pending_seq`
  kPendingCancelled = 6,  // `pending_seq` is void (too many wrong codes)
};
std::string_view NemKontoEventKindName(NemKontoEventKind k);

// One entry of a recipient's NemKonto history. Entries are only appended:
// the current state is the fold of a recipient's entries in `seq` order.
struct NemKontoEvent {
  int64_t seq = 0;  // assigned by the store, increasing
  uint64_t recipient = 0;
  NemKontoEventKind kind = NemKontoEventKind::kSet;
  std::string account;      // the new account; empty for kDeleted and failures
  std::string old_account;  // the active account before this entry, if any
  Channel channel = Channel::kBank;
  std::string actor;        // user id, bank registration number/BIC, "citizen"
  uint32_t authority = 0;   // NKS agreement number (authority channel), else 0
  std::string reference;    // the written request's document reference
  int64_t at_us = 0;        // Instant, microseconds since the Unix epoch (UTC)
  int64_t pending_seq = 0;  // kActivated/kActivationFailed/kPendingCancelled
  std::string code_hash;    // kPending: argon2id hash of the one-time code
  int64_t code_expires_us = 0;
  std::string letter_id;    // kPending: name of the activation letter
};

enum class SpecificEventKind : uint8_t { kSet = 1, kDeleted = 2 };
std::string_view SpecificEventKindName(SpecificEventKind k);

// One entry of the history of a specific account (SPEC §3.3), keyed by
// (recipient, authority, benefit type).
struct SpecificEvent {
  int64_t seq = 0;
  uint64_t recipient = 0;
  uint32_t authority = 0;
  std::string benefit_type;
  SpecificEventKind kind = SpecificEventKind::kSet;
  std::string account;
  std::string old_account;
  std::string valid_until;  // "YYYY-MM-DD" last day it applies; empty = no end
  bool locked = false;
  Channel channel = Channel::kAuthority;
  std::string actor;
  std::string reference;
  int64_t at_us = 0;
};

}  // namespace nks::store
