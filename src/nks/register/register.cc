#include "nks/register/register.h"

#include <fmt/format.h>

#include <algorithm>
#include <system_error>

#include "nks/core/codes.h"
#include "nks/letters/letter.h"
#include "nks/register/activation_code.h"

namespace nks::reg {
namespace {

using store::Channel;
using store::NemKontoEvent;
using store::NemKontoEventKind;
using store::SpecificEvent;
using store::SpecificEventKind;

constexpr size_t kActorBytesMax = 100;
constexpr size_t kReferenceBytesMax = 100;
constexpr int64_t kMicrosPerDay = 86'400'000'000;
// Staged letters older than this are crash leftovers (see RecoverOutbox).
constexpr auto kStagedLetterAgeMin = std::chrono::hours(1);

int64_t ToUs(Instant t) { return t.time_since_epoch().count(); }
Instant FromUs(int64_t us) { return Instant(std::chrono::microseconds(us)); }

bool PrintableText(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

}  // namespace

// Who may touch the specific account of (id, authority): the authority that
// maintains it, or the citizen themself (persons only); never a bank.
Status CheckSpecificActor(const RecipientId& id, uint32_t authority, const Actor& actor) {
  NKS_RETURN_IF_ERROR(CheckActor(actor));
  if (actor.channel == Channel::kBank) {
    return Status::PermissionDenied("banks do not report specific accounts");
  }
  if (actor.channel == Channel::kAuthority && actor.authority != authority) {
    return Status::PermissionDenied("a specific account is maintained by the authority that created it");
  }
  if (actor.channel == Channel::kCitizen && !id.is_person()) {
    return Status::PermissionDenied("companies cannot change specific accounts in self-service");
  }
  return Status::Ok();
}

Status CheckActor(const Actor& a) {
  if (a.id.size() > kActorBytesMax || !PrintableText(a.id)) {
    return Status::Invalid("actor: at most 100 printable characters");
  }
  switch (a.channel) {
    case Channel::kCitizen:
      return Status::Ok();
    case Channel::kBank:
      return CheckBankId(a.id);
    case Channel::kAuthority:
      if (!IsAgreementNumber(a.authority)) {
        return Status::Invalid("authority: the NKS agreement number must be 1..99999999");
      }
      if (a.id.empty()) return Status::Invalid("actor: the caseworker's user id is required");
      if (a.reference.empty()) {
        return Status::Invalid("reference: the written request's document reference is required");
      }
      if (a.reference.size() > kReferenceBytesMax || !PrintableText(a.reference)) {
        return Status::Invalid("reference: at most 100 printable characters");
      }
      return Status::Ok();
    case Channel::kSystem:
      return Status::Ok();
  }
  return Status::Invalid("channel: unknown");
}

NemKontoState FoldNemKonto(const std::vector<NemKontoEvent>& history) {
  NemKontoState s;
  for (const NemKontoEvent& e : history) {
    switch (e.kind) {
      case NemKontoEventKind::kSet:
      case NemKontoEventKind::kActivated:
        s.active = *Account::Parse(e.account);
        s.active_channel = e.kind == NemKontoEventKind::kActivated ? Channel::kAuthority : e.channel;
        s.active_since_us = e.at_us;
        if (e.kind == NemKontoEventKind::kActivated && s.pending && s.pending->seq == e.pending_seq) {
          s.pending.reset();
        }
        break;
      case NemKontoEventKind::kDeleted:
        s.active.reset();
        s.active_since_us = e.at_us;
        break;
      case NemKontoEventKind::kPending:
        s.pending = NemKontoState::Pending{e.seq, *Account::Parse(e.account), e.authority,
                                           e.reference, e.code_hash, e.at_us, e.code_expires_us, 0};
        break;
      case NemKontoEventKind::kActivationFailed:
        if (s.pending && s.pending->seq == e.pending_seq) ++s.pending->failed_attempts;
        break;
      case NemKontoEventKind::kPendingCancelled:
        if (s.pending && s.pending->seq == e.pending_seq) s.pending.reset();
        break;
    }
  }
  return s;
}

std::vector<SpecificState> FoldSpecific(const std::vector<SpecificEvent>& history) {
  std::vector<SpecificState> out;
  for (const SpecificEvent& e : history) {
    auto same = std::find_if(out.begin(), out.end(), [&](const SpecificState& s) {
      return s.authority == e.authority && s.benefit_type == e.benefit_type;
    });
    if (same != out.end()) out.erase(same);
    if (e.kind != SpecificEventKind::kSet) continue;
    SpecificState s{e.authority, e.benefit_type, *Account::Parse(e.account), std::nullopt,
                    e.locked, e.at_us, e.actor, e.reference};
    if (!e.valid_until.empty()) s.valid_until = *ParseDate(e.valid_until);
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::unique_ptr<Register>> Register::Open(store::Store* store, const Clock* clock,
                                                 RegisterOptions options) {
  std::unique_ptr<Register> r(new Register(store, clock, std::move(options)));
  NKS_RETURN_IF_ERROR(r->RecoverOutbox());
  return r;
}

int64_t Register::NowUs() const { return ToUs(clock_->Now()); }

std::filesystem::path Register::LettersDir() const { return options_.outbox_dir / "letters"; }

// An activation letter is written to letters/staging/ before its history
// entry commits and moved to letters/ after. A crash in between leaves a
// staged letter: it is sent on if its entry committed, else deleted.
Status Register::RecoverOutbox() {
  std::error_code ec;
  std::filesystem::path staging = LettersDir() / "staging";
  std::filesystem::create_directories(staging, ec);
  if (ec) return Status::IoError(fmt::format("{}: {}", staging.string(), ec.message()));
  const auto now = std::filesystem::file_time_type::clock::now();
  for (const auto& entry : std::filesystem::directory_iterator(staging, ec)) {
    // A younger file may belong to a change another process is committing
    // right now; only leftovers of a crash are this old.
    auto written = entry.last_write_time(ec);
    if (ec || now - written < kStagedLetterAgeMin) continue;
    std::string name = entry.path().filename().string();
    std::string stem = entry.path().stem().string();
    if (name.front() == '.') {  // the letter writer's own temporary file
      std::filesystem::remove(entry.path(), ec);
      continue;
    }
    NKS_ASSIGN_OR_RETURN(bool committed, store_->NemKontoLetterExists(stem));
    if (committed) {
      std::filesystem::rename(entry.path(), LettersDir() / entry.path().filename(), ec);
    } else {
      std::filesystem::remove(entry.path(), ec);
    }
    if (ec) return Status::IoError(fmt::format("{}: {}", entry.path().string(), ec.message()));
  }
  return Status::Ok();
}

Status Register::CheckRecipientExists(const RecipientId& id, std::vector<std::string>* lines,
                                      std::string* name) {
  auto fill = [&](const auto& row) {
    if (name) *name = row.name;
    if (lines) {
      lines->clear();
      lines->push_back(row.name);
      if (!row.address.empty()) lines->push_back(row.address);
      if (!row.postcode.empty()) lines->push_back(row.postcode + " " + row.city);
    }
  };
  uint64_t cvr = id.number();
  if (id.type() == IdType::kCpr) {
    NKS_ASSIGN_OR_RETURN(auto person, store_->GetPerson(id.number()));
    if (!person) return Status::NotFound(fmt::format("{} is not in the CPR register", id.TaggedMasked()));
    fill(*person);
    return Status::Ok();
  }
  if (id.type() != IdType::kCvr) {
    NKS_ASSIGN_OR_RETURN(auto unit, store_->GetUnit(id.key()));
    if (!unit) return Status::NotFound(fmt::format("{} is not in the CVR register", id.Tagged()));
    cvr = unit->cvr;
  }
  NKS_ASSIGN_OR_RETURN(auto company, store_->GetCompany(cvr));
  if (!company) return Status::NotFound(fmt::format("cvr:{:08d} is not in the CVR register", cvr));
  fill(*company);
  return Status::Ok();
}

Result<RecipientView> Register::Show(const RecipientId& id) {
  RecipientView v{id, {}, {}, {}, {}, {}, {}};
  NKS_RETURN_IF_ERROR(CheckRecipientExists(id, &v.address_lines, &v.name));
  if (id.type() == IdType::kCpr) {
    v.status = std::string(store::PersonStatusName((*store_->GetPerson(id.number()))->status));
  } else {
    if (id.type() != IdType::kCvr) v.cvr_of_unit = (*store_->GetUnit(id.key()))->cvr;
    uint64_t cvr = v.cvr_of_unit.value_or(id.number());
    v.status = std::string(store::CompanyStatusName((*store_->GetCompany(cvr))->status));
  }
  NKS_ASSIGN_OR_RETURN(v.history, store_->NemKontoHistory(id.key()));
  v.nemkonto = FoldNemKonto(v.history);
  return v;
}

// After a durable append: bring the index up to the store, which also picks
// up entries other processes appended before ours.
Status Register::Transact(const std::function<Status()>& body) {
  return store_->Transact([&]() -> Status {
    NKS_RETURN_IF_ERROR(body());
    return commit_hook_ ? commit_hook_() : Status::Ok();
  });
}

Status Register::Appended(const NemKontoEvent&) { return index_ ? index_->CatchUp(*store_) : Status::Ok(); }

Status Register::Appended(const SpecificEvent&) { return index_ ? index_->CatchUp(*store_) : Status::Ok(); }

Result<SetResult> Register::SetNemKonto(const RecipientId& id, const Account& account,
                                        const Actor& actor) {
  NKS_RETURN_IF_ERROR(CheckActor(actor));
  if (actor.channel == Channel::kCitizen && !id.is_person()) {
    return Status::PermissionDenied(
        "companies can only view their NemKonto in self-service; report it through the bank or "
        "an authority");
  }
  NKS_RETURN_IF_ERROR(CheckRecipientExists(id, nullptr, nullptr));
  SetResult result;
  NemKontoEvent e;
  Status st = Transact([&]() -> Status {
    NKS_ASSIGN_OR_RETURN(auto history, store_->NemKontoHistory(id.key()));
    NemKontoState state = FoldNemKonto(history);
    if (state.active && *state.active == account) {
      result.outcome = SetOutcome::kUnchanged;
      return Status::Ok();
    }
    if (actor.channel == Channel::kAuthority) {
      NKS_ASSIGN_OR_RETURN(result, SetPending(id, account, actor, state));
      return Status::Ok();
    }
    e.recipient = id.key();
    e.kind = NemKontoEventKind::kSet;
    e.account = account.ToString();
    if (state.active) e.old_account = state.active->ToString();
    e.channel = actor.channel;
    e.actor = actor.channel == Channel::kCitizen ? "citizen" : actor.id;
    e.at_us = NowUs();
    NKS_RETURN_IF_ERROR(store_->AppendNemKonto(&e));
    result = SetResult{SetOutcome::kActive, e.seq, {}};
    return Status::Ok();
  });
  NKS_RETURN_IF_ERROR(st);
  if (result.outcome == SetOutcome::kActive) NKS_RETURN_IF_ERROR(Appended(e));
  if (result.outcome == SetOutcome::kPending) {
    // The entry committed: send the staged letter on.
    std::error_code ec;
    std::filesystem::path final_path = LettersDir() / result.letter.filename();
    std::filesystem::rename(result.letter, final_path, ec);
    if (ec) return Status::IoError(fmt::format("{}: {}", final_path.string(), ec.message()));
    result.letter = final_path;
  }
  return result;
}

// Inside the caller's transaction: stage the letter, then append the entry.
Result<SetResult> Register::SetPending(const RecipientId& id, const Account& account,
                                       const Actor& actor, const NemKontoState& state) {
  std::vector<std::string> address;
  std::string name;
  NKS_RETURN_IF_ERROR(CheckRecipientExists(id, &address, &name));
  std::string code = NewActivationCode();
  NKS_ASSIGN_OR_RETURN(std::string hash, HashActivationCode(code));
  NemKontoEvent e;
  e.recipient = id.key();
  e.kind = NemKontoEventKind::kPending;
  e.account = account.ToString();
  if (state.active) e.old_account = state.active->ToString();
  e.channel = Channel::kAuthority;
  e.actor = actor.id;
  e.authority = actor.authority;
  e.reference = actor.reference;
  e.at_us = NowUs();
  e.code_hash = std::move(hash);
  e.code_expires_us = e.at_us + options_.code_valid_days * kMicrosPerDay;
  e.letter_id = NewLetterId();

  Date today = CopenhagenDate(FromUs(e.at_us));
  Date last_day = CopenhagenDate(FromUs(e.code_expires_us));
  letters::Letter letter;
  letter.sender_name = "NemKonto";
  letter.recipient_lines = address;
  letter.date_line = "København, " + letters::DanishLongDate(today);
  letter.subject = "Aktivér din nye NemKonto";
  letter.paragraphs = {
      fmt::format("Myndighed nr. {} har på din anmodning indberettet en ny NemKonto for dig "
                  "(sagsreference {}): konto {}.",
                  actor.authority, actor.reference, account.ToString()),
      "Kontoen bliver først brugt til udbetalinger, når du har aktiveret den. Indtil da udbetaler "
      "vi til din hidtidige NemKonto, hvis du har en.",
      fmt::format("Din aktiveringskode er: {}", FormatActivationCode(code)),
      fmt::format("Koden gælder til og med {}. Du aktiverer kontoen på www.nemkonto.dk under "
                  "\"Aktivér NemKonto\". Koden kan kun bruges én gang.",
                  letters::DanishLongDate(last_day)),
      "Har du ikke bedt om at få ændret din NemKonto, skal du ikke gøre noget: så bliver kontoen "
      "ikke aktiveret. Kontakt gerne myndigheden, så vi kan undersøge sagen.",
      "Pengene vil blive udbetalt til din NemKonto. Du kan læse mere på www.nemkonto.dk",
  };
  letter.footer = "NemKonto-systemet. Brevet er dannet automatisk og er ikke underskrevet.";
  std::filesystem::path staged = LettersDir() / "staging" / (e.letter_id + ".pdf");
  NKS_RETURN_IF_ERROR(letters::WriteLetterPdf(letter, staged));
  Status st = store_->AppendNemKonto(&e);
  if (!st.ok()) {
    std::error_code ec;
    std::filesystem::remove(staged, ec);
    return st;
  }
  return SetResult{SetOutcome::kPending, e.seq, staged};
}

Status Register::DeleteNemKonto(const RecipientId& id, const Actor& actor) {
  NKS_RETURN_IF_ERROR(CheckActor(actor));
  if (actor.channel == Channel::kCitizen && !id.is_person()) {
    return Status::PermissionDenied("companies can only view their NemKonto in self-service");
  }
  NKS_RETURN_IF_ERROR(CheckRecipientExists(id, nullptr, nullptr));
  NemKontoEvent e;
  NKS_RETURN_IF_ERROR(Transact([&]() -> Status {
    NKS_ASSIGN_OR_RETURN(auto history, store_->NemKontoHistory(id.key()));
    NemKontoState state = FoldNemKonto(history);
    if (!state.active) return Status::FailedPrecondition(fmt::format("{} has no NemKonto to delete", id.TaggedMasked()));
    e.recipient = id.key();
    e.kind = NemKontoEventKind::kDeleted;
    e.old_account = state.active->ToString();
    e.channel = actor.channel;
    e.actor = actor.channel == Channel::kCitizen ? "citizen" : actor.id;
    e.authority = actor.channel == Channel::kAuthority ? actor.authority : 0;
    e.reference = actor.reference;
    e.at_us = NowUs();
    return store_->AppendNemKonto(&e);
  }));
  return Appended(e);
}

Result<int64_t> Register::Activate(const RecipientId& id, std::string_view entered) {
  std::string code = NormaliseActivationCode(entered);
  NemKontoEvent e;
  Status refusal;
  NKS_RETURN_IF_ERROR(Transact([&]() -> Status {
    NKS_ASSIGN_OR_RETURN(auto history, store_->NemKontoHistory(id.key()));
    NemKontoState state = FoldNemKonto(history);
    if (!state.pending) {
      return Status::FailedPrecondition("no NemKonto is waiting for activation");
    }
    const auto& p = *state.pending;
    e.recipient = id.key();
    e.channel = Channel::kCitizen;
    e.actor = "citizen";
    e.at_us = NowUs();
    e.pending_seq = p.seq;
    if (e.at_us > p.expires_us) {
      return Status::FailedPrecondition(fmt::format(
          "the activation code expired on {}; ask the authority to report the account again",
          FormatDate(CopenhagenDate(FromUs(p.expires_us)))));
    }
    if (code.size() != kActivationCodeDigits || !VerifyActivationCode(p.code_hash, code)) {
      int left = options_.code_attempts_max - p.failed_attempts - 1;
      e.kind = left > 0 ? NemKontoEventKind::kActivationFailed : NemKontoEventKind::kPendingCancelled;
      refusal = left > 0
                    ? Status::PermissionDenied(fmt::format("wrong activation code; {} attempts left", left))
                    : Status::PermissionDenied(
                          "wrong activation code; the report is now void: ask the authority to "
                          "report the account again");
      return store_->AppendNemKonto(&e);  // the failed attempt is recorded
    }
    e.kind = NemKontoEventKind::kActivated;
    e.account = p.account.ToString();
    if (state.active) e.old_account = state.active->ToString();
    e.authority = p.authority;
    e.reference = p.reference;
    return store_->AppendNemKonto(&e);
  }));
  NKS_RETURN_IF_ERROR(Appended(e));
  if (!refusal.ok()) return refusal;
  return e.seq;
}

Status Register::SetSpecific(const RecipientId& id, uint32_t authority,
                             std::string_view benefit_type, const Account& account,
                             std::optional<Date> valid_until, bool locked, const Actor& actor) {
  NKS_RETURN_IF_ERROR(CheckSpecificActor(id, authority, actor));
  NKS_RETURN_IF_ERROR(CheckBenefitType(benefit_type));
  Date today = CopenhagenDate(clock_->Now());
  if (valid_until && *valid_until < today) {
    return Status::Invalid("valid until: the end date is in the past");
  }
  NKS_RETURN_IF_ERROR(CheckRecipientExists(id, nullptr, nullptr));
  SpecificEvent e;
  NKS_RETURN_IF_ERROR(Transact([&]() -> Status {
    NKS_ASSIGN_OR_RETURN(auto history, store_->SpecificHistory(id.key()));
    auto current = FoldSpecific(history);
    auto it = std::find_if(current.begin(), current.end(), [&](const SpecificState& s) {
      return s.authority == authority && s.benefit_type == benefit_type;
    });
    if (actor.channel == Channel::kCitizen) {
      if (it == current.end()) {
        return Status::PermissionDenied("only an authority can create a specific account");
      }
      if (it->locked) {
        return Status::PermissionDenied("this specific account is locked by the authority and cannot be changed");
      }
      // A citizen changes the account only; the authority's terms stay.
      valid_until = it->valid_until;
      locked = false;
    }
    e.recipient = id.key();
    e.authority = authority;
    e.benefit_type = std::string(benefit_type);
    e.kind = SpecificEventKind::kSet;
    e.account = account.ToString();
    if (it != current.end()) e.old_account = it->account.ToString();
    if (valid_until) e.valid_until = FormatDate(*valid_until);
    e.locked = locked;
    e.channel = actor.channel;
    e.actor = actor.channel == Channel::kCitizen ? "citizen" : actor.id;
    e.reference = actor.reference;
    e.at_us = NowUs();
    return store_->AppendSpecific(&e);
  }));
  return Appended(e);
}

Status Register::DeleteSpecific(const RecipientId& id, uint32_t authority,
                                std::string_view benefit_type, const Actor& actor) {
  NKS_RETURN_IF_ERROR(CheckSpecificActor(id, authority, actor));
  SpecificEvent e;
  NKS_RETURN_IF_ERROR(Transact([&]() -> Status {
    NKS_ASSIGN_OR_RETURN(auto history, store_->SpecificHistory(id.key()));
    auto current = FoldSpecific(history);
    auto it = std::find_if(current.begin(), current.end(), [&](const SpecificState& s) {
      return s.authority == authority && s.benefit_type == benefit_type;
    });
    if (it == current.end()) {
      return Status::NotFound(fmt::format("no specific account for authority {} and benefit type {}",
                                          authority, benefit_type));
    }
    if (actor.channel == Channel::kCitizen && it->locked) {
      return Status::PermissionDenied("this specific account is locked by the authority and cannot be deleted");
    }
    e.recipient = id.key();
    e.authority = authority;
    e.benefit_type = std::string(benefit_type);
    e.kind = SpecificEventKind::kDeleted;
    e.old_account = it->account.ToString();
    e.channel = actor.channel;
    e.actor = actor.channel == Channel::kCitizen ? "citizen" : actor.id;
    e.reference = actor.reference;
    e.at_us = NowUs();
    return store_->AppendSpecific(&e);
  }));
  return Appended(e);
}

Result<std::vector<SpecificState>> Register::ListSpecific(const RecipientId& id) {
  NKS_RETURN_IF_ERROR(CheckRecipientExists(id, nullptr, nullptr));
  NKS_ASSIGN_OR_RETURN(auto history, store_->SpecificHistory(id.key()));
  return FoldSpecific(history);
}

namespace {
// A snapshot more than this many history entries behind is written anew
// after catching up (catching up costs ~1 us an entry).
constexpr int64_t kSnapshotLagEntriesMax = 200'000;
}  // namespace

Result<const ResolutionIndex*> Register::Index() {
  if (index_) return index_.get();
  auto index = std::make_unique<ResolutionIndex>();
  if (options_.cache_dir.empty()) {
    NKS_RETURN_IF_ERROR(index->Load(*store_));
    index_ = std::move(index);
    return index_.get();
  }
  const std::string path = (options_.cache_dir / "index.snap").string();
  NKS_ASSIGN_OR_RETURN(store::StoreIdentity identity, store_->Identity());
  NKS_ASSIGN_OR_RETURN(int64_t last_seq, store_->LastNemKontoSeq());
  NKS_ASSIGN_OR_RETURN(bool from_snapshot, index->LoadSnapshot(path, identity, last_seq));
  const int64_t snapshot_seqs = index->last_nemkonto_seq() + index->last_specific_seq();
  NKS_RETURN_IF_ERROR(from_snapshot ? index->CatchUp(*store_) : index->Load(*store_));
  const int64_t lag = index->last_nemkonto_seq() + index->last_specific_seq() - snapshot_seqs;
  if (!from_snapshot || lag > kSnapshotLagEntriesMax) {
    // A cache: failing to write it costs the next process a slower start,
    // nothing else, so the command goes on.
    std::error_code ec;
    std::filesystem::create_directories(options_.cache_dir, ec);
    (void)index->SaveSnapshot(path, identity);
  }
  index_ = std::move(index);
  return index_.get();
}

Status Register::CatchUp() {
  if (!index_) return Index().status();
  return index_->CatchUp(*store_);
}

Result<Resolution> Register::Resolve(const RecipientId& id, uint32_t authority,
                                     std::string_view benefit_type, Date payout_date) {
  NKS_ASSIGN_OR_RETURN(const ResolutionIndex* index, Index());
  return index->Resolve(id, authority, benefit_type, payout_date);
}

}  // namespace nks::reg
