#include "nks/audit/audit.h"

#include <fmt/format.h>
#include "nks/core/sha256.h"

#include <memory>

#include "nks/core/ids.h"

namespace nks::audit {

namespace {

constexpr std::string_view kEncodingVersion = "nks-audit-v1\n";

void AppendField(std::string* out, std::string_view field) {
  *out += std::to_string(field.size());
  out->push_back(':');
  out->append(field);
  out->push_back('\n');
}

std::string Cut(std::string text, size_t max) {
  if (text.size() > max) text.resize(max);
  return text;
}

}  // namespace

std::string CanonicalEncoding(const store::AuditEntry& e) {
  std::string out(kEncodingVersion);
  AppendField(&out, std::to_string(e.seq));
  AppendField(&out, std::to_string(e.at_us));
  AppendField(&out, e.actor);
  AppendField(&out, e.action);
  AppendField(&out, e.target);
  AppendField(&out, e.outcome);
  AppendField(&out, e.prev_hash);
  return out;
}

std::string EntryHash(const store::AuditEntry& e) { return Sha256Hex(CanonicalEncoding(e)); }

Status AuditLog::Append(std::string_view actor, std::string_view action, std::string_view target,
                        std::string_view outcome, int64_t* seq) {
  store::AuditEntry e;
  e.at_us = clock_->Now().time_since_epoch().count();
  e.actor = Cut(MaskCprsIn(actor), kActorBytesMax);
  e.action = Cut(MaskCprsIn(action), kActionBytesMax);
  e.target = Cut(MaskCprsIn(target), kTargetBytesMax);
  e.outcome = Cut(MaskCprsIn(outcome), kOutcomeBytesMax);
  NKS_RETURN_IF_ERROR(store_->AppendAudit(&e, EntryHash));
  if (seq != nullptr) *seq = e.seq;
  return Status::Ok();
}

Result<VerifyReport> Verify(store::Store& store) {
  VerifyReport report;
  int64_t expected_seq = 1;
  std::string prev_hash(64, '0');
  auto bad = [&](int64_t seq, std::string why) {
    report.first_bad_seq = seq;
    report.problem = std::move(why);
    return false;
  };
  NKS_RETURN_IF_ERROR(store.ScanAudit(0, INT64_MIN, [&](const store::AuditEntry& e) {
    ++report.entries;
    if (e.seq != expected_seq) {
      return bad(expected_seq, e.seq > expected_seq
                                   ? fmt::format("missing: the next entry is seq {}", e.seq)
                                   : fmt::format("out of order: seq {} follows seq {}", e.seq, expected_seq - 1));
    }
    if (e.prev_hash != prev_hash) {
      return bad(e.seq, "moved or its predecessor edited: prev_hash is not the hash of the entry before");
    }
    if (EntryHash(e) != e.hash) return bad(e.seq, "edited: the hash does not match the entry");
    prev_hash = e.hash;
    ++expected_seq;
    return true;
  }));
  if (!report.ok()) return report;
  NKS_ASSIGN_OR_RETURN(auto head, store.AuditHead());
  const int64_t last_seq = expected_seq - 1;
  if (head.first > last_seq) {
    report.first_bad_seq = last_seq + 1;
    report.problem = fmt::format("missing: the head records {} entries, the log ends at seq {}", head.first, last_seq);
  } else if (head.first < last_seq || (last_seq > 0 && head.second != prev_hash)) {
    report.first_bad_seq = head.first < last_seq ? head.first + 1 : last_seq;
    report.problem = fmt::format("the head (seq {}) does not name the log's last entry (seq {})", head.first, last_seq);
  }
  return report;
}

std::string FormatEntry(const store::AuditEntry& e) {
  return fmt::format("{}\t{}\t{}\t{}\t{}\t{}", e.seq, FormatUtc(Instant(std::chrono::microseconds(e.at_us))),
                     e.actor, e.action, e.target, e.outcome);
}

}  // namespace nks::audit
