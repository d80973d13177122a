// The audit log (SPEC §4.3, issue 4): append-only and tamper-evident. Each
// entry carries the SHA-256 of its predecessor, so editing, removing or
// reordering any entry breaks the chain from there on; `audit_head` (the
// last seq and hash, rewritten at every append) makes a cut-off tail show.
//
// What is recorded: every read of a person's register data by a
// caseworker, every register change (in the change's own transaction),
// every first authentication of a principal ("login") and every request
// refused for authentication or permission. No text field ever holds an
// unmasked CPR number: Append masks every field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nks/core/status.h"
#include "nks/core/time.h"
#include "nks/store/store.h"

namespace nks::audit {

// Limits on the text of one entry (longer text is cut, never refused: an
// audit append must not fail because a client sent a long path).
constexpr size_t kActorBytesMax = 200;
constexpr size_t kActionBytesMax = 200;
constexpr size_t kTargetBytesMax = 400;
constexpr size_t kOutcomeBytesMax = 200;

// The bytes the hash covers: a version tag, then each field as
// "<decimal length>:<bytes>\n" (seq, at_us, actor, action, target, outcome,
// prev_hash). Length prefixes make the encoding unambiguous.
std::string CanonicalEncoding(const store::AuditEntry& e);
// SHA-256 (lower-case hex) of CanonicalEncoding(e).
std::string EntryHash(const store::AuditEntry& e);

// Appends entries to `store`'s log with time from `clock`. Both must
// outlive the log. Not thread-safe: callers serialise (as the API's store
// mutex does).
class AuditLog {
 public:
  AuditLog(store::Store* store, const Clock* clock) : store_(store), clock_(clock) {}
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Masks CPR numbers in every field and cuts each to its limit. Inside a
  // store transaction the entry joins it; otherwise it is durable on return.
  // Sets *seq (may be null) to the entry's seq.
  Status Append(std::string_view actor, std::string_view action, std::string_view target,
                std::string_view outcome, int64_t* seq = nullptr);

 private:
  store::Store* store_;
  const Clock* clock_;
};

// What `nks audit verify` found.
struct VerifyReport {
  int64_t entries = 0;        // entries read
  int64_t first_bad_seq = 0;  // 0 when the chain is whole
  std::string problem;        // why first_bad_seq is bad
  bool ok() const { return first_bad_seq == 0; }
};

// Walks the whole chain in seq order and stops at the first entry that is
// missing (a gap), edited (its hash does not match its fields), moved (its
// prev_hash is not its predecessor's hash) or past a head that records a
// longer or different chain (a removed tail).
Result<VerifyReport> Verify(store::Store& store);

// One line of `nks audit show`: "seq  time  actor  action  target  outcome".
std::string FormatEntry(const store::AuditEntry& e);

}  // namespace nks::audit
