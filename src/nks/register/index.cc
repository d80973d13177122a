#include "nks/register/index.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>

namespace nks::reg {

namespace {
constexpr uint64_t kAccountNumberSpan = 10'000'000'000ULL;  // 10^10

int32_t DaysSinceEpoch(Date d) {
  return static_cast<int32_t>(std::chrono::sys_days(d).time_since_epoch().count());
}
}  // namespace

std::string_view ResolutionKindName(ResolutionKind k) {
  switch (k) {
    case ResolutionKind::kSpecific: return "specific-account";
    case ResolutionKind::kNemKonto: return "nemkonto";
    case ResolutionKind::kCompanyNemKonto: return "company-nemkonto";
    case ResolutionKind::kUnresolved: return "unresolved";
  }
  return "?";
}

AccountCode ResolutionIndex::EncodeDanish(const DanishAccount& d) {
  AccountCode code = uint64_t{d.registration()} * kAccountNumberSpan + d.account();
  NKS_CHECK(code != 0 && (code & kForeignBit) == 0);
  return code;
}

Result<AccountCode> ResolutionIndex::Encode(const Account& account) {
  if (account.is_danish()) return EncodeDanish(account.danish());
  auto [it, inserted] = foreign_by_text_.try_emplace(account.ToString(), kForeignBit | foreign_.size());
  if (inserted) foreign_.push_back(account.foreign());
  return it->second;
}

Account ResolutionIndex::Decode(AccountCode code) const {
  NKS_CHECK(code != 0);
  if (code & kForeignBit) {
    size_t i = static_cast<size_t>(code & ~kForeignBit);
    NKS_CHECK(i < foreign_.size());
    return Account(foreign_[i]);
  }
  auto d = DanishAccount::Of(static_cast<uint32_t>(code / kAccountNumberSpan),
                             code % kAccountNumberSpan);
  NKS_CHECK(d.ok());
  return Account(*d);
}

Status ResolutionIndex::Load(store::Store& store) {
  NKS_RETURN_IF_ERROR(store.ScanUnits([&](const store::Unit& u) {
    units_.Put(u.key, u.cvr);
    return true;
  }));
  // Sizing for the NemKonti up front spares the rehashes (a third of the
  // load time at 6.6M entries): at most one per recipient, at most one per
  // history entry.
  NKS_ASSIGN_OR_RETURN(uint64_t persons, store.CountPersons());
  NKS_ASSIGN_OR_RETURN(uint64_t companies, store.CountCompanies());
  NKS_ASSIGN_OR_RETURN(int64_t entries, store.LastNemKontoSeq());
  nemkonto_.Reserve(static_cast<size_t>(
      std::min<uint64_t>(persons + companies + units_.size(), static_cast<uint64_t>(entries))));
  return CatchUp(store);
}

Status ResolutionIndex::CatchUp(store::Store& store) {
  Status failed;
  NKS_RETURN_IF_ERROR(store.ScanNemKonto(last_nemkonto_seq_, [&](const store::NemKontoEvent& e) {
    failed = Apply(e);
    return failed.ok();
  }));
  NKS_RETURN_IF_ERROR(failed);
  NKS_RETURN_IF_ERROR(store.ScanSpecific(last_specific_seq_, [&](const store::SpecificEvent& e) {
    failed = Apply(e);
    return failed.ok();
  }));
  return failed;
}

Status ResolutionIndex::Apply(const store::NemKontoEvent& e) {
  using K = store::NemKontoEventKind;
  if (e.seq <= last_nemkonto_seq_) return Status::Ok();  // already applied
  if (e.kind == K::kSet || e.kind == K::kActivated) {
    auto account = Account::Parse(e.account);
    if (!account.ok()) {
      return Status::Corruption(fmt::format("nemkonto entry {}: stored account does not parse: {}",
                                            e.seq, account.status().message()));
    }
    NKS_ASSIGN_OR_RETURN(AccountCode code, Encode(*account));
    nemkonto_.Put(e.recipient, code);
  } else if (e.kind == K::kDeleted) {
    nemkonto_.Erase(e.recipient);
  }
  last_nemkonto_seq_ = e.seq;
  return Status::Ok();
}

Status ResolutionIndex::Apply(const store::SpecificEvent& e) {
  if (e.seq <= last_specific_seq_) return Status::Ok();
  // Parse before changing anything: a failed Apply leaves the old entry.
  const bool set = e.kind == store::SpecificEventKind::kSet;
  int32_t until = INT32_MAX;
  AccountCode code = 0;
  if (set) {
    auto account = Account::Parse(e.account);
    if (!account.ok()) {
      return Status::Corruption(fmt::format("specific entry {}: stored account does not parse", e.seq));
    }
    if (!e.valid_until.empty()) {
      NKS_ASSIGN_OR_RETURN(Date d, ParseDate(e.valid_until));
      until = DaysSinceEpoch(d);
    }
    NKS_ASSIGN_OR_RETURN(code, Encode(*account));
  }
  uint64_t slot = 0;
  if (!specific_slot_.Get(e.recipient, &slot)) {
    specifics_.emplace_back();
    slot = specifics_.size();
    specific_slot_.Put(e.recipient, slot);
  }
  std::vector<Specific>& list = specifics_[slot - 1];
  auto same = std::find_if(list.begin(), list.end(), [&](const Specific& s) {
    return s.authority == e.authority && s.benefit_type == e.benefit_type;
  });
  if (same != list.end()) {
    list.erase(same);
    --specific_count_;
  }
  if (set) {
    list.push_back(Specific{e.authority, until, code, e.benefit_type});
    ++specific_count_;
  }
  last_specific_seq_ = e.seq;
  return Status::Ok();
}

Resolution ResolutionIndex::Resolve(const RecipientId& recipient, uint32_t authority,
                                    std::string_view benefit_type, Date payout_date) const {
  const uint64_t key = recipient.key();
  uint64_t slot = 0;
  if (specific_count_ > 0 && specific_slot_.Get(key, &slot)) {
    const int32_t day = DaysSinceEpoch(payout_date);
    for (const Specific& s : specifics_[slot - 1]) {
      if (s.authority == authority && s.benefit_type == benefit_type && day <= s.valid_until_days) {
        return {ResolutionKind::kSpecific, s.account};
      }
    }
  }
  AccountCode code = 0;
  if (nemkonto_.Get(key, &code)) return {ResolutionKind::kNemKonto, code};
  if (recipient.type() == IdType::kSe || recipient.type() == IdType::kPnr) {
    uint64_t cvr = 0;
    if (units_.Get(key, &cvr) &&
        nemkonto_.Get(RecipientId::Of(*Cvr::FromNumber(cvr)).key(), &code)) {
      return {ResolutionKind::kCompanyNemKonto, code};
    }
  }
  return {ResolutionKind::kUnresolved, 0};
}

namespace {

// "NKSIDX" and the format version.
constexpr uint64_t kIndexSnapshotKind = 0x4e4b5349445801ULL;
// Far above any real register (6.8 M entries fill 2^24 slots), far below
// what a corrupt length could ask for.
constexpr size_t kSnapshotSlotsMax = size_t{1} << 30;
constexpr size_t kSnapshotListBytesMax = size_t{1} << 30;

template <typename T>
void Put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
bool Take(std::string_view& in, T* v) {
  if (in.size() < sizeof *v) return false;
  std::memcpy(v, in.data(), sizeof *v);
  in.remove_prefix(sizeof *v);
  return true;
}

}  // namespace

Status ResolutionIndex::SaveSnapshot(const std::string& path, const store::StoreIdentity& identity) const {
  const SnapshotKey key{kIndexSnapshotKind, identity.store_id, identity.registry_generation,
                        last_nemkonto_seq_, last_specific_seq_};
  NKS_ASSIGN_OR_RETURN(SnapshotWriter out, SnapshotWriter::Create(path, key));
  NKS_RETURN_IF_ERROR(nemkonto_.SaveTo(out));
  NKS_RETURN_IF_ERROR(units_.SaveTo(out));
  NKS_RETURN_IF_ERROR(specific_slot_.SaveTo(out));
  std::string lists;
  Put<uint64_t>(lists, specifics_.size());
  for (const std::vector<Specific>& list : specifics_) {
    Put<uint32_t>(lists, static_cast<uint32_t>(list.size()));
    for (const Specific& sp : list) {
      Put(lists, sp.authority);
      Put(lists, sp.valid_until_days);
      Put(lists, sp.account);
      Put<uint32_t>(lists, static_cast<uint32_t>(sp.benefit_type.size()));
      lists += sp.benefit_type;
    }
  }
  NKS_RETURN_IF_ERROR(out.Section(lists.data(), lists.size()));
  std::string foreign;
  for (const ForeignAccount& f : foreign_) {
    foreign += Account(f).ToString();
    foreign += '\n';
  }
  NKS_RETURN_IF_ERROR(out.Section(foreign.data(), foreign.size()));
  return out.Finish();
}

Result<bool> ResolutionIndex::LoadSnapshot(const std::string& path, const store::StoreIdentity& identity,
                                           int64_t store_last_nemkonto_seq) {
  NKS_CHECK(nemkonto_.size() == 0 && last_nemkonto_seq_ == 0);
  std::optional<SnapshotReader> in = SnapshotReader::Open(path, kIndexSnapshotKind);
  if (!in) return false;
  const SnapshotKey& key = in->key();
  if (key.store_id != identity.store_id || key.registry_generation != identity.registry_generation ||
      key.seq_a > store_last_nemkonto_seq) {
    return false;
  }
  Status read = ReadSnapshotBody(*in);
  if (!read.ok()) {  // a torn or damaged cache: rebuild from the store
    *this = ResolutionIndex();
    return false;
  }
  last_nemkonto_seq_ = key.seq_a;
  last_specific_seq_ = key.seq_b;
  return true;
}

Status ResolutionIndex::ReadSnapshotBody(SnapshotReader& in) {
  NKS_RETURN_IF_ERROR(nemkonto_.LoadFrom(in, kSnapshotSlotsMax));
  NKS_RETURN_IF_ERROR(units_.LoadFrom(in, kSnapshotSlotsMax));
  NKS_RETURN_IF_ERROR(specific_slot_.LoadFrom(in, kSnapshotSlotsMax));
  std::string lists_bytes;
  NKS_RETURN_IF_ERROR(in.Section(&lists_bytes, kSnapshotListBytesMax));
  std::string_view lists = lists_bytes;
  uint64_t list_count = 0;
  if (!Take(lists, &list_count) || list_count > specific_slot_.size()) {
    return Status::Corruption("index snapshot: specific accounts");
  }
  specifics_.resize(list_count);
  for (std::vector<Specific>& list : specifics_) {
    uint32_t n = 0;
    if (!Take(lists, &n)) return Status::Corruption("index snapshot: specific accounts");
    for (uint32_t i = 0; i < n; ++i) {
      Specific sp{};
      uint32_t benefit_bytes = 0;
      if (!Take(lists, &sp.authority) || !Take(lists, &sp.valid_until_days) || !Take(lists, &sp.account) ||
          !Take(lists, &benefit_bytes) || lists.size() < benefit_bytes) {
        return Status::Corruption("index snapshot: specific accounts");
      }
      sp.benefit_type = std::string(lists.substr(0, benefit_bytes));
      lists.remove_prefix(benefit_bytes);
      list.push_back(std::move(sp));
      ++specific_count_;
    }
  }
  std::string foreign;
  NKS_RETURN_IF_ERROR(in.Section(&foreign, kSnapshotListBytesMax));
  std::string_view rest = foreign;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    if (end == std::string_view::npos) return Status::Corruption("index snapshot: foreign accounts");
    auto account = Account::Parse(rest.substr(0, end));
    if (!account.ok() || account->is_danish()) return Status::Corruption("index snapshot: foreign accounts");
    NKS_RETURN_IF_ERROR(Encode(*account).status());
    rest.remove_prefix(end + 1);
  }
  return in.Finish();
}

size_t ResolutionIndex::memory_bytes() const {
  size_t bytes = nemkonto_.memory_bytes() + units_.memory_bytes() + specific_slot_.memory_bytes();
  for (const auto& list : specifics_) bytes += list.capacity() * sizeof(Specific);
  bytes += foreign_.capacity() * sizeof(ForeignAccount);
  // Node-based map: key, value, hash and next pointer per foreign account.
  bytes += foreign_by_text_.size() * (sizeof(std::string) + sizeof(AccountCode) + 2 * sizeof(void*)) +
           foreign_by_text_.bucket_count() * sizeof(void*);
  return bytes;
}

}  // namespace nks::reg
