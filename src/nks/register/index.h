// The in-memory resolution index (SPEC §5.2): the active NemKonto of every
// recipient, the CVR behind every SE/P unit, and the specific accounts, kept
// in step with the store by applying each history entry after it is durable.
// Not thread-safe: callers serialise writers against readers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nks/core/account.h"
#include "nks/core/ids.h"
#include "nks/core/time.h"
#include "nks/register/flat_map.h"
#include "nks/store/store.h"

namespace nks::reg {

// Accounts are packed into 64 bits: a Danish account as
// registration * 10^10 + account number (< 2^47); a foreign one as the top
// bit plus an index into the index's table of foreign accounts.
using AccountCode = uint64_t;

enum class ResolutionKind : uint8_t {
  kSpecific = 1,        // specific account for (recipient, authority, benefit type)
  kNemKonto = 2,        // the recipient's own NemKonto
  kCompanyNemKonto = 3, // an SE/P unit without its own: its company's NemKonto
  kUnresolved = 4,      // none: the failed-payment policy applies
};
std::string_view ResolutionKindName(ResolutionKind k);

struct Resolution {
  ResolutionKind kind = ResolutionKind::kUnresolved;
  AccountCode account = 0;  // 0 when unresolved
};

class ResolutionIndex {
 public:
  ResolutionIndex() = default;
  ResolutionIndex(const ResolutionIndex&) = delete;
  ResolutionIndex& operator=(const ResolutionIndex&) = delete;
  ResolutionIndex& operator=(ResolutionIndex&&) = default;

  // Reads everything from the store (units, then every history entry).
  Status Load(store::Store& store);
  // Writes the index to `path` as a snapshot of `identity`'s store
  // (core/snapshot_file.h).
  Status SaveSnapshot(const std::string& path, const store::StoreIdentity& identity) const;
  // Reads a snapshot SaveSnapshot wrote into this (empty) index. Returns
  // false, leaving the index empty, when there is none or it does not fit
  // the store as it is now (another store, registers changed since, or
  // history entries it has that the store lacks); the caller then Load()s.
  // A snapshot that fits is caught up with CatchUp() like a loaded index.
  Result<bool> LoadSnapshot(const std::string& path, const store::StoreIdentity& identity,
                            int64_t store_last_nemkonto_seq);
  // Applies entries appended since the last Load/CatchUp (other processes).
  Status CatchUp(store::Store& store);

  // Applies one durable history entry.
  Status Apply(const store::NemKontoEvent& e);
  Status Apply(const store::SpecificEvent& e);
  void PutUnit(uint64_t unit_key, uint64_t cvr) { units_.Put(unit_key, cvr); }
  // Makes room for `n` more NemKonti without rehashing while they arrive.
  void ReserveNemKonti(size_t n) { nemkonto_.Reserve(nemkonto_.size() + n); }
  // Bulk path: entry `seq` made `code` the recipient's active NemKonto.
  void ApplyActive(uint64_t recipient, AccountCode code, int64_t seq) {
    NKS_CHECK(seq > last_nemkonto_seq_);
    nemkonto_.Put(recipient, code);
    last_nemkonto_seq_ = seq;
  }

  // The hot path of the payment engine: no allocation, one or two probes.
  Resolution Resolve(const RecipientId& recipient, uint32_t authority,
                     std::string_view benefit_type, Date payout_date) const;

  // The recipient's active NemKonto (no fallback), if any.
  bool ActiveNemKonto(uint64_t recipient_key, AccountCode* code) const {
    return nemkonto_.Get(recipient_key, code);
  }

  Result<AccountCode> Encode(const Account& account);
  // The code of a Danish account: pure arithmetic, safe on any thread.
  static AccountCode EncodeDanish(const DanishAccount& account);
  Account Decode(AccountCode code) const;

  size_t nemkonto_count() const { return nemkonto_.size(); }
  size_t unit_count() const { return units_.size(); }
  size_t specific_count() const { return specific_count_; }
  // Bytes held by the index's tables (for BENCHMARKS.md).
  size_t memory_bytes() const;
  int64_t last_nemkonto_seq() const { return last_nemkonto_seq_; }
  int64_t last_specific_seq() const { return last_specific_seq_; }

 private:
  struct Specific {
    uint32_t authority;
    int32_t valid_until_days;  // days since 1970-01-01; INT32_MAX: no end
    AccountCode account;
    std::string benefit_type;
  };
  static constexpr AccountCode kForeignBit = AccountCode{1} << 63;
  Status ReadSnapshotBody(SnapshotReader& in);

  FlatU64Map nemkonto_;  // recipient key -> AccountCode
  FlatU64Map units_;     // SE/P key -> CVR number
  FlatU64Map specific_slot_;  // recipient key -> 1 + index into specifics_
  std::vector<std::vector<Specific>> specifics_;
  size_t specific_count_ = 0;
  std::vector<ForeignAccount> foreign_;
  std::unordered_map<std::string, AccountCode> foreign_by_text_;
  int64_t last_nemkonto_seq_ = 0;
  int64_t last_specific_seq_ = 0;
};

}  // namespace nks::reg
