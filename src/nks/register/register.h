// The NemKonto register (SPEC §3.2-3.4): NemKonti reported through the three
// channels, activation of authority reports with one-time codes, specific
// accounts, the full history, control lists, and resolution (SPEC §5.2).
//
// Every change is appended to the store's history (durable before the call
// returns) and then applied to the in-memory index; nothing is overwritten.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nks/core/account.h"
#include "nks/core/ids.h"
#include "nks/core/progress.h"
#include "nks/core/time.h"
#include "nks/register/index.h"
#include "nks/registry/import.h"
#include "nks/store/store.h"

namespace nks::reg {

// Who makes a change and through which channel.
struct Actor {
  store::Channel channel = store::Channel::kCitizen;
  // citizen: left empty (the recipient themself); bank: the reporting bank's
  // registration number or BIC; authority: the caseworker's user id.
  std::string id;
  uint32_t authority = 0;  // authority channel: the NKS agreement number
  std::string reference;   // authority channel: the written request's reference
};

struct RegisterOptions {
  std::filesystem::path outbox_dir;  // activation letters go to outbox_dir/letters
  int code_valid_days = 30;          // SPEC §3.2
  int code_attempts_max = 5;         // wrong codes before the report is void
  // Where the resolution index's snapshot is kept (index.snap), so a
  // process loads it in a fraction of a second instead of folding the whole
  // history; empty: no snapshot.
  std::filesystem::path cache_dir;
};

// The recipient's current NemKonto state: the fold of its history.
struct NemKontoState {
  std::optional<Account> active;
  store::Channel active_channel = store::Channel::kBank;
  int64_t active_since_us = 0;
  struct Pending {
    int64_t seq = 0;
    Account account;
    uint32_t authority = 0;
    std::string reference;
    std::string code_hash;
    int64_t reported_us = 0;
    int64_t expires_us = 0;
    int failed_attempts = 0;
  };
  std::optional<Pending> pending;
};
NemKontoState FoldNemKonto(const std::vector<store::NemKontoEvent>& history);

struct SpecificState {
  uint32_t authority = 0;
  std::string benefit_type;
  Account account;
  std::optional<Date> valid_until;
  bool locked = false;
  int64_t since_us = 0;
  std::string actor;
  std::string reference;
};
// The specific accounts in force (expired ones included; see valid_until).
std::vector<SpecificState> FoldSpecific(const std::vector<store::SpecificEvent>& history);

// Everything `nemkonto show` tells about a recipient.
struct RecipientView {
  RecipientId id;
  std::string name;      // from the CPR/CVR register
  std::string status;    // register status (active, dead, ...)
  std::vector<std::string> address_lines;
  std::optional<uint64_t> cvr_of_unit;  // SE/P: the company
  NemKontoState nemkonto;
  std::vector<store::NemKontoEvent> history;
};

enum class SetOutcome { kActive, kPending, kUnchanged };

struct SetResult {
  SetOutcome outcome = SetOutcome::kActive;
  int64_t seq = 0;
  std::filesystem::path letter;  // kPending: the activation letter
};

class Register {
 public:
  // The store and clock must outlive the register.
  static Result<std::unique_ptr<Register>> Open(store::Store* store, const Clock* clock,
                                                RegisterOptions options);

  Result<RecipientView> Show(const RecipientId& id);

  // Citizen and bank: active at once. Authority: pending activation, with an
  // activation letter (PDF) to the register address.
  Result<SetResult> SetNemKonto(const RecipientId& id, const Account& account, const Actor& actor);
  Status DeleteNemKonto(const RecipientId& id, const Actor& actor);
  // The recipient enters the code from the letter.
  Result<int64_t> Activate(const RecipientId& id, std::string_view code);

  Status SetSpecific(const RecipientId& id, uint32_t authority, std::string_view benefit_type,
                     const Account& account, std::optional<Date> valid_until, bool locked,
                     const Actor& actor);
  Status DeleteSpecific(const RecipientId& id, uint32_t authority, std::string_view benefit_type,
                        const Actor& actor);
  Result<std::vector<SpecificState>> ListSpecific(const RecipientId& id);

  // Bulk bank-channel reports (nemkonti.csv: id_type,id,account,bank).
  Result<registry::ImportReport> ImportNemKonti(const std::string& path,
                                                const registry::ImportOptions& options);

  // The month's register changes by `authority`'s users, as CSV (SPEC §3.4).
  Status WriteControlList(uint32_t authority, int year, unsigned month, std::string* csv,
                          uint64_t* rows);

  // Loads the index on first use (from its snapshot when that fits the
  // store, then caught up; else from the whole history, and the snapshot is
  // written anew); CatchUp() picks up other processes' changes.
  Result<const ResolutionIndex*> Index();
  Status CatchUp();
  Result<Resolution> Resolve(const RecipientId& id, uint32_t authority,
                             std::string_view benefit_type, Date payout_date);

  // Runs inside the transaction of every change above (SetNemKonto,
  // DeleteNemKonto, Activate, SetSpecific, DeleteSpecific), after the change
  // and before the commit, so what it writes (the audit entry) commits with
  // the change; its error rolls the change back. Empty: none.
  void SetCommitHook(std::function<Status()> hook) { commit_hook_ = std::move(hook); }

 private:
  // store_->Transact with the commit hook run at the end of `body`.
  Status Transact(const std::function<Status()>& body);
  Register(store::Store* store, const Clock* clock, RegisterOptions options)
      : store_(store), clock_(clock), options_(std::move(options)) {}
  Status RecoverOutbox();
  Status CheckRecipientExists(const RecipientId& id, std::vector<std::string>* address_lines,
                              std::string* name);
  Result<SetResult> SetPending(const RecipientId& id, const Account& account, const Actor& actor,
                               const NemKontoState& state);
  Status Appended(const store::NemKontoEvent& e);
  Status Appended(const store::SpecificEvent& e);
  int64_t NowUs() const;
  std::filesystem::path LettersDir() const;

  store::Store* store_;
  const Clock* clock_;
  RegisterOptions options_;
  std::unique_ptr<ResolutionIndex> index_;  // loaded on first use
  std::function<Status()> commit_hook_;
};

// Checks an actor for a channel: bank ids, authority number and reference.
Status CheckActor(const Actor& actor);
// CheckActor plus who may change the specific account of (id, authority).
Status CheckSpecificActor(const RecipientId& id, uint32_t authority, const Actor& actor);

}  // namespace nks::reg
