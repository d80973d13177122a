#include "nks/cli/app.h"

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <optional>

#include "nks/audit/audit.h"
#include "nks/authority/config.h"
#include "nks/cli/progress_bar.h"
#include "nks/cli/serve.h"
#include "nks/core/account.h"
#include "nks/core/file.h"
#include "nks/core/ids.h"
#include "nks/core/money.h"
#include "nks/core/time.h"
#include "nks/gen/payments.h"
#include "nks/gen/population.h"
#include "nks/payments/bank_report.h"
#include "nks/payments/cutoff.h"
#include "nks/payments/intake.h"
#include "nks/payments/search.h"
#include "nks/payments/stop.h"
#include "nks/payments/payment_format.h"
#include "nks/register/register.h"
#include "nks/registry/import.h"
#include "nks/store/store.h"

namespace nks::cli {
namespace {

namespace fs = std::filesystem;

constexpr size_t kErrorsShownMax = 1000;
constexpr uint64_t kConfigBytesMax = 16 << 20;

// Everything the command line can say; filled by CLI11, read by the commands.
struct Options {
  std::string data_dir = "nks-data";
  std::string db;  // --db: a SQLite file or postgresql:// URI; empty: DATA/nks.db
  std::string clock;
  std::string what;  // import: cpr|cvr|units|nemkonti
  std::string file;
  std::string id;
  std::string account;
  std::string code;
  std::string channel;  // empty: the command's default
  std::string bank;
  std::string user;
  std::string reference;
  uint32_t authority = 0;
  std::string benefit;
  std::string until;
  bool locked = false;
  std::string date;
  std::string month;
  std::string system;
  std::string end_to_end;
  std::string out;
  uint64_t persons = 10000;
  uint64_t companies = 500;
  uint64_t seed = 1;
  uint64_t count = 0;      // gen payments
  std::string population;  // gen payments: population directory
  std::string msg_id;
  std::string mix;
  payments::SearchRequest search;  // payments search: the filters as typed
  bool json = false;               // payments search: one JSON object per line
  std::string format = "auto";     // submit, gen payments: pain001|csv|auto
  ServeOptions serve;              // serve (cli/serve.cc)
};

// A failure the user must see: printed as "nks: error: ..." with CPR
// numbers masked, exit code 1.
int Fail(const Status& st) {
  fmt::print(stderr, "nks: error: {}\n", MaskCprsIn(st.message()));
  return 1;
}

// What every command that touches the data directory needs.
struct Env {
  std::unique_ptr<Clock> clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<reg::Register> reg;
  std::unique_ptr<audit::AuditLog> audit;
};

Result<Env> OpenEnv(const Options& o, int64_t cache_bytes = 64 << 20) {
  Env env;
  NKS_ASSIGN_OR_RETURN(env.clock, MakeClock(o.clock));
  NKS_RETURN_IF_ERROR(CheckInitialised(o.data_dir, o.db));
  store::OpenOptions so;
  so.cache_bytes = cache_bytes;
  NKS_ASSIGN_OR_RETURN(env.store, store::OpenStore(StoreTarget(o.data_dir, o.db), so));
  reg::RegisterOptions ro;
  ro.outbox_dir = fs::path(o.data_dir) / "outbox";
  ro.cache_dir = fs::path(o.data_dir) / "cache";
  NKS_ASSIGN_OR_RETURN(env.reg, reg::Register::Open(env.store.get(), env.clock.get(), ro));
  // A register change made from the command line is audited with it, in
  // its transaction, like the API's (actor: the channel's user or bank).
  env.audit = std::make_unique<audit::AuditLog>(env.store.get(), env.clock.get());
  std::string actor = "cli:" + (!o.user.empty() ? o.user : !o.bank.empty() ? "bank " + o.bank : std::string("operator"));
  std::string target = MaskCprsIn(o.id);
  if (auto id = o.id.find(':') != std::string::npos ? RecipientId::ParseTagged(o.id) : RecipientId::Parse(IdType::kCpr, o.id);
      id.ok()) {
    target = id->TaggedMasked();
  }
  if (!o.benefit.empty()) target += " benefit=" + o.benefit;
  audit::AuditLog* log = env.audit.get();
  env.reg->SetCommitHook([log, actor, target] { return log->Append(actor, "register change", target, "committed"); });
  return env;
}

// "cpr:DDMMYY-SSSS", "cvr:NNNNNNNN", "se:..", "p:..", or a bare CPR number.
Result<RecipientId> ParseId(const std::string& text) {
  if (text.find(':') != std::string::npos) return RecipientId::ParseTagged(text);
  if (text.size() == 10 || (text.size() == 11 && text[6] == '-')) {
    return RecipientId::Parse(IdType::kCpr, text);
  }
  return Status::Invalid("id: write cpr:DDMMYY-SSSS, cvr:NNNNNNNN, se:NNNNNNNN or p:NNNNNNNNNN");
}

Result<reg::Actor> MakeActor(const Options& o, std::string_view default_channel) {
  reg::Actor a;
  NKS_ASSIGN_OR_RETURN(a.channel,
                       store::ParseChannel(o.channel.empty() ? default_channel : o.channel));
  switch (a.channel) {
    case store::Channel::kBank:
      a.id = o.bank;
      break;
    case store::Channel::kAuthority:
      a.id = o.user;
      a.authority = o.authority;
      a.reference = o.reference;
      break;
    default:
      break;
  }
  NKS_RETURN_IF_ERROR(reg::CheckActor(a));
  return a;
}

int Init(const Options& o) {
  std::error_code ec;
  fs::create_directories(fs::path(o.data_dir) / "outbox" / "letters", ec);
  if (ec) return Fail(Status::IoError(fmt::format("{}: {}", o.data_dir, ec.message())));
  auto store = store::OpenStore(StoreTarget(o.data_dir, o.db));
  if (!store.ok()) return Fail(store.status());
  auto version = (*store)->SchemaVersion();
  if (!version.ok()) return Fail(version.status());
  fmt::print("initialised {} (schema version {})\n", o.data_dir, *version);
  return 0;
}

int PrintImport(const Result<registry::ImportReport>& report) {
  if (!report.ok()) return Fail(report.status());
  if (!report->ok()) {
    for (const auto& e : report->errors) fmt::print(stderr, "{}\n", e);
    if (report->errors_total > report->errors.size()) {
      fmt::print(stderr, "... and {} more errors\n", report->errors_total - report->errors.size());
    }
    fmt::print(stderr, "nks: error: {} rejected: {} bad lines; nothing was imported\n",
               report->file, report->errors_total);
    return 1;
  }
  fmt::print("{}: {} records, {} new or changed, {} unchanged\n", report->file, report->records,
             report->changed, report->unchanged);
  return 0;
}

int Import(const Options& o) {
  // The page cache holds a whole bulk load until commit: a smaller one
  // spills mid-transaction and waits on the disk (512 MiB: nemkonti.csv of
  // the benchmark population took 36 s instead of 20 s).
  auto env = OpenEnv(o, int64_t{1} << 30);
  if (!env.ok()) return Fail(env.status());
  ProgressBar bar;
  registry::ImportOptions io;
  io.progress = bar.Fn();
  io.errors_max = kErrorsShownMax;
  Result<registry::ImportReport> report = Status::Invalid("import: unknown register");
  if (o.what == "cpr") report = registry::ImportCpr(*env->store, o.file, io);
  if (o.what == "cvr") report = registry::ImportCvr(*env->store, o.file, io);
  if (o.what == "units") report = registry::ImportUnits(*env->store, o.file, io);
  if (o.what == "nemkonti") report = env->reg->ImportNemKonti(o.file, io);
  bar.Finish();
  return PrintImport(report);
}

std::string TimeText(int64_t us) {
  return FormatCopenhagen(Instant(std::chrono::microseconds(us)));
}

int Show(const Options& o) {
  auto id = ParseId(o.id);
  if (!id.ok()) return Fail(id.status());
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  auto v = env->reg->Show(*id);
  if (!v.ok()) return Fail(v.status());
  fmt::print("recipient: {}\nname:      {}\nstatus:    {}\n", id->TaggedMasked(), v->name, v->status);
  if (v->cvr_of_unit) fmt::print("company:   cvr:{:08d}\n", *v->cvr_of_unit);
  for (size_t i = 1; i < v->address_lines.size(); ++i) fmt::print("address:   {}\n", v->address_lines[i]);
  const auto& s = v->nemkonto;
  if (s.active) {
    fmt::print("nemkonto:  {} ({} since {})\n", s.active->ToString(),
               store::ChannelName(s.active_channel), TimeText(s.active_since_us));
  } else {
    fmt::print("nemkonto:  none\n");
  }
  if (s.pending) {
    fmt::print("pending:   {} reported by authority {} (ref {}), code valid until {}, {} failed attempts\n",
               s.pending->account.ToString(), s.pending->authority, s.pending->reference,
               TimeText(s.pending->expires_us), s.pending->failed_attempts);
  }
  fmt::print("history:\n");
  for (const auto& e : v->history) {
    fmt::print("  #{} {} {:<17} {:<9} {:<24} {} -> {}{}\n", e.seq, TimeText(e.at_us),
               store::NemKontoEventKindName(e.kind), store::ChannelName(e.channel), e.actor,
               e.old_account.empty() ? "-" : e.old_account, e.account.empty() ? "-" : e.account,
               e.reference.empty() ? "" : " ref " + e.reference);
  }
  return 0;
}

int SetNemKonto(const Options& o) {
  auto id = ParseId(o.id);
  if (!id.ok()) return Fail(id.status());
  auto account = Account::Parse(o.account);
  if (!account.ok()) return Fail(account.status().WithContext("account"));
  auto actor = MakeActor(o, "citizen");
  if (!actor.ok()) return Fail(actor.status());
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  auto r = env->reg->SetNemKonto(*id, *account, *actor);
  if (!r.ok()) return Fail(r.status());
  switch (r->outcome) {
    case reg::SetOutcome::kActive:
      fmt::print("{}: NemKonto {} is active (#{})\n", id->TaggedMasked(), account->ToString(), r->seq);
      break;
    case reg::SetOutcome::kPending:
      fmt::print("{}: NemKonto {} is pending activation (#{}); activation letter: {}\n",
                 id->TaggedMasked(), account->ToString(), r->seq, r->letter.string());
      break;
    case reg::SetOutcome::kUnchanged:
      fmt::print("{}: NemKonto is already {}; nothing changed\n", id->TaggedMasked(), account->ToString());
      break;
  }
  return 0;
}

int DeleteNemKonto(const Options& o) {
  auto id = ParseId(o.id);
  if (!id.ok()) return Fail(id.status());
  auto actor = MakeActor(o, "citizen");
  if (!actor.ok()) return Fail(actor.status());
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  Status st = env->reg->DeleteNemKonto(*id, *actor);
  if (!st.ok()) return Fail(st);
  fmt::print("{}: NemKonto deleted\n", id->TaggedMasked());
  return 0;
}

int Activate(const Options& o) {
  auto id = ParseId(o.id);
  if (!id.ok()) return Fail(id.status());
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  auto seq = env->reg->Activate(*id, o.code);
  if (!seq.ok()) return Fail(seq.status());
  fmt::print("{}: NemKonto activated (#{})\n", id->TaggedMasked(), *seq);
  return 0;
}

Result<std::optional<Date>> ParseUntil(const std::string& text) {
  if (text.empty()) return std::optional<Date>();
  auto d = ParseDate(text);
  if (!d.ok()) return d.status().WithContext("--until");
  return std::optional<Date>(*d);
}

int SetSpecific(const Options& o) {
  auto id = ParseId(o.id);
  if (!id.ok()) return Fail(id.status());
  auto account = Account::Parse(o.account);
  if (!account.ok()) return Fail(account.status().WithContext("account"));
  auto until = ParseUntil(o.until);
  if (!until.ok()) return Fail(until.status());
  auto actor = MakeActor(o, "authority");
  if (!actor.ok()) return Fail(actor.status());
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  Status st = env->reg->SetSpecific(*id, o.authority, o.benefit, *account, *until, o.locked, *actor);
  if (!st.ok()) return Fail(st);
  fmt::print("{}: specific account {} for authority {}, benefit type {}{}{}\n", id->TaggedMasked(),
             account->ToString(), o.authority, o.benefit,
             *until ? ", until " + FormatDate(**until) : "", o.locked ? ", locked" : "");
  return 0;
}

int DeleteSpecific(const Options& o) {
  auto id = ParseId(o.id);
  if (!id.ok()) return Fail(id.status());
  auto actor = MakeActor(o, "authority");
  if (!actor.ok()) return Fail(actor.status());
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  Status st = env->reg->DeleteSpecific(*id, o.authority, o.benefit, *actor);
  if (!st.ok()) return Fail(st);
  fmt::print("{}: specific account for authority {}, benefit type {} deleted\n", id->TaggedMasked(),
             o.authority, o.benefit);
  return 0;
}

int ListSpecific(const Options& o) {
  auto id = ParseId(o.id);
  if (!id.ok()) return Fail(id.status());
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  auto list = env->reg->ListSpecific(*id);
  if (!list.ok()) return Fail(list.status());
  Date today = CopenhagenDate(env->clock->Now());
  fmt::print("{}: {} specific accounts\n", id->TaggedMasked(), list->size());
  for (const auto& s : *list) {
    bool expired = s.valid_until && *s.valid_until < today;
    fmt::print("  authority {} benefit {} account {}{}{}{} (ref {})\n", s.authority, s.benefit_type,
               s.account.ToString(), s.valid_until ? " until " + FormatDate(*s.valid_until) : "",
               s.locked ? " locked" : "", expired ? " EXPIRED" : "", s.reference);
  }
  return 0;
}

int Resolve(const Options& o) {
  auto id = ParseId(o.id);
  if (!id.ok()) return Fail(id.status());
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  Date date = CopenhagenDate(env->clock->Now());
  if (!o.date.empty()) {
    auto d = ParseDate(o.date);
    if (!d.ok()) return Fail(d.status().WithContext("--date"));
    date = *d;
  }
  auto r = env->reg->Resolve(*id, o.authority, o.benefit, date);
  if (!r.ok()) return Fail(r.status());
  auto index = env->reg->Index();
  std::string account = r->account ? (*index)->Decode(r->account).ToString() : "-";
  fmt::print("{}: {} ({})\n", id->TaggedMasked(), account, reg::ResolutionKindName(r->kind));
  return 0;
}

int ControlList(const Options& o) {
  int year = 0;
  unsigned month = 0;
  if (o.month.size() != 7 || o.month[4] != '-' ||
      std::sscanf(o.month.c_str(), "%4d-%2u", &year, &month) != 2 || month < 1 || month > 12) {
    return Fail(Status::Invalid("--month: must be YYYY-MM"));
  }
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  std::string csv;
  uint64_t rows = 0;
  Status st = env->reg->WriteControlList(o.authority, year, month, &csv, &rows);
  if (!st.ok()) return Fail(st);
  fs::path out = o.out;
  if (out.empty()) {
    out = fs::path(o.data_dir) / "outbox" / "control" /
          fmt::format("control-{}-{}.csv", o.authority, o.month);
    std::error_code ec;
    fs::create_directories(out.parent_path(), ec);
  }
  st = WriteFileDurably(out.string(), csv);
  if (!st.ok()) return Fail(st);
  fmt::print("control list for authority {} {}: {} changes -> {}\n", o.authority, o.month, rows,
             out.string());
  return 0;
}

int GenPopulation(const Options& o) {
  ProgressBar bar;
  gen::PopulationOptions po;
  po.persons = o.persons;
  po.companies = o.companies;
  po.seed = o.seed;
  ProgressFn fn = bar.Fn();
  Status st = gen::GeneratePopulation(po, o.out, [&](uint64_t done, uint64_t total) {
    fn("generating population", done, total);
  });
  bar.Finish();
  if (!st.ok()) return Fail(st);
  std::string config =
      "# Demo configuration written by `nks gen population`: apply with\n"
      "# `nks config apply config.nks` (see config/example.nks for the format).\n" +
      authority::Render(authority::DemoConfig(), authority::DemoPrincipals(), authority::DemoRoles(),
                        authority::DemoUsers());
  st = WriteFileDurably((fs::path(o.out) / "config.nks").string(), config);
  if (!st.ok()) return Fail(st);
  fmt::print("wrote cpr.csv, cvr.csv, units.csv, nemkonti.csv, config.nks to {} ({} persons, {} companies, seed {})\n",
             o.out, o.persons, o.companies, o.seed);
  return 0;
}

int GenPayments(const Options& o) {
  gen::PaymentsOptions po;
  po.count = o.count;
  po.seed = o.seed;
  po.message_id = o.msg_id;
  if (o.format == "csv" || (o.format == "auto" && fs::path(o.out).extension() == ".csv")) {
    po.format = gen::PaymentFileFormat::kCsv;
  } else if (o.format != "pain001" && o.format != "auto") {
    return Fail(Status::Invalid(fmt::format("--format: '{}' is not pain001, csv or auto", o.format)));
  }
  if (!o.date.empty()) {
    auto d = ParseDate(o.date);
    if (!d.ok()) return Fail(d.status().WithContext("--date"));
    po.payout_date = *d;
  }
  if (!o.clock.empty()) {  // CreDtTm; else derived from the date, so the file is reproducible
    auto t = ParseInstant(o.clock);
    if (!t.ok()) return Fail(t.status().WithContext("--clock"));
    po.created_at = *t;
  }
  if (!o.mix.empty()) {
    auto mix = gen::ParsePaymentMix(o.mix);
    if (!mix.ok()) return Fail(mix.status());
    po.mix = *mix;
  }
  auto dir = o.population.empty() ? gen::DefaultPopulationDir(o.out) : Result<fs::path>(fs::path(o.population));
  if (!dir.ok()) return Fail(dir.status());
  po.population_dir = *dir;
  ProgressBar bar;
  ProgressFn fn = bar.Fn();
  auto report = gen::GeneratePayments(po, o.out, [&](uint64_t done, uint64_t total) {
    fn("generating payments", done, total);
  });
  bar.Finish();
  if (!report.ok()) return Fail(report.status());
  fmt::print("wrote {}: {} payments in {} groups, control sum {}.{:02} DKK, MsgId {} (population {}, seed {})\n",
             o.out, report->payments, report->payment_infos, report->control_sum_ore / 100,
             report->control_sum_ore % 100, report->message_id, po.population_dir.string(), o.seed);
  for (size_t k = 0; k < gen::kPaymentKindCount; ++k) {
    fmt::print("  {:<17} {:>9}\n", gen::PaymentKindName(static_cast<gen::PaymentKind>(k)), report->kind_counts[k]);
  }
  return 0;
}

int ConfigApply(const Options& o) {
  auto text = ReadSmallFile(o.file, kConfigBytesMax);
  if (!text.ok()) return Fail(text.status());
  authority::ConfigParse parsed = authority::ParseConfig(*text, o.file);
  auto refuse = [&](const std::vector<std::string>& errors) {
    for (const auto& e : errors) fmt::print(stderr, "{}\n", e);
    fmt::print(stderr, "nks: error: {} refused: {} bad lines; nothing was applied\n", o.file, errors.size());
    return 1;
  };
  if (!parsed.ok()) return refuse(parsed.errors);
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  std::string actor = o.user.empty() ? "nks-cli" : o.user;
  auto report = authority::ApplyConfig(*env->store, parsed.file, actor, env->clock->Now());
  if (!report.ok()) return Fail(report.status());
  if (!report->ok()) return refuse(report->errors);
  for (const auto& c : report->changes) {
    fmt::print("{} {}\n", c.old_value.empty() ? "created" : "changed", c.object);
  }
  fmt::print("{}: {} created, {} changed, {} unchanged\n", o.file, report->created, report->changed,
             report->unchanged);
  return 0;
}

int ConfigShow(const Options& o) {
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  auto config = env->store->LoadConfig();
  if (!config.ok()) return Fail(config.status());
  auto principals = env->store->LoadPrincipals();
  if (!principals.ok()) return Fail(principals.status());
  auto roles = env->store->LoadRoleProfiles();
  if (!roles.ok()) return Fail(roles.status());
  auto users = env->store->LoadUsers();
  if (!users.ok()) return Fail(users.status());
  auto four_eyes = env->store->LoadFourEyes();
  if (!four_eyes.ok()) return Fail(four_eyes.status());
  auto oidc = env->store->LoadOidcProviders();
  if (!oidc.ok()) return Fail(oidc.status());
  fmt::print("{}", authority::Render(*config, *principals, *roles, *users, *four_eyes, *oidc));
  return 0;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

// Intake touches many pages of the payment tables' B-trees in one
// transaction (recipients land all over theirs); a page cache that holds
// them avoids spilling them to the WAL mid-transaction: at 3 M stored
// payments, 4.0 s -> 1.8 s of system time for a 1 M file. Peak RSS stays
// well under the 1.5 GB budget.
constexpr int64_t kBulkPaymentCacheBytes = int64_t{512} << 20;

int Submit(const Options& o) {
  auto env = OpenEnv(o, kBulkPaymentCacheBytes);
  if (!env.ok()) return Fail(env.status());
  payments::IntakeOptions io;
  io.status_dir = fs::path(o.data_dir) / "outbox" / "status";
  io.cache_dir = fs::path(o.data_dir) / "cache";
  auto format = payments::ChoosePaymentFormat(o.format, o.file);
  if (!format.ok()) return Fail(format.status());
  payments::Intake intake(env->store.get(), env->clock.get(), io);
  auto r = intake.Submit(o.system, o.file, payments::ReaderFor(*format));
  if (!r.ok()) return Fail(r.status());
  fmt::print("{{\"msg_id\":{},\"status\":\"{}\",\"accepted\":{},\"rejected\":{},\"report\":{},\"replayed\":{}}}\n",
             JsonString(r->msg_id), r->group_status, r->accepted, r->rejected, JsonString(r->report),
             r->replayed ? "true" : "false");
  return 0;
}

int RunCutoff(const Options& o) {
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  payments::CutoffOptions co;
  co.bank_dir = fs::path(o.data_dir) / "outbox" / "bank";
  co.cheque_dir = fs::path(o.data_dir) / "outbox" / "cheques";
  co.status_dir = fs::path(o.data_dir) / "outbox" / "status";
  payments::Cutoff cutoff(env->store.get(), env->reg.get(), env->clock.get(), co);
  auto r = cutoff.Run();
  if (!r.ok()) return Fail(r.status());
  std::string files;
  for (const auto& f : r->bank_files) files += (files.empty() ? "" : ",") + JsonString(f);
  std::string reports;
  for (const auto& f : r->status_reports) reports += (reports.empty() ? "" : ",") + JsonString(f);
  fmt::print("{{\"due_until\":\"{}\",\"forwarded\":{},\"to_error_account\":{},\"returned\":{},"
             "\"cheques\":{},\"rewritten\":{},\"bank_files\":[{}],\"status_reports\":[{}]}}\n",
             r->last_payout_date, r->forwarded, r->to_error_account, r->returned, r->cheques,
             r->rewritten, files, reports);
  return 0;
}

int BankReport(const Options& o) {
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  payments::BankReportOptions bo;
  bo.cheque_dir = fs::path(o.data_dir) / "outbox" / "cheques";
  bo.status_dir = fs::path(o.data_dir) / "outbox" / "status";
  auto r = payments::ApplyBankReport(*env->store, *env->clock, o.file, bo);
  if (!r.ok()) return Fail(r.status());
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + JsonString(i);
    return out;
  };
  fmt::print("{{\"msg_id\":{},\"settled\":{},\"returned\":{},\"cheques\":{},\"to_error_account\":{},"
             "\"already_applied\":{},\"no_change\":{},\"errors\":[{}],\"follow_up_reports\":[{}]}}\n",
             JsonString(r->msg_id), r->settled, r->returned, r->cheques, r->to_error_account,
             r->already_applied, r->no_change, list(r->errors), list(r->follow_up_reports));
  return 0;
}

int Stop(const Options& o) {
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  std::string report;
  Status st = payments::StopPayment(*env->store, o.system, o.end_to_end,
                                    fs::path(o.data_dir) / "outbox" / "status", env->clock->Now(), "NKS", &report);
  if (!st.ok()) return Fail(st);
  fmt::print("payment {} of {} stopped; the sender is told in {}\n", o.end_to_end, o.system,
             report.empty() ? std::string("(no report: not from a payment file)") : report);
  return 0;
}

// PostgreSQL: the payout months before --before leave the live tables
// (their partitions detached for archiving); one JSON line per month.
int ArchivePayments(const Options& o) {
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  auto months = env->store->ArchivePaymentMonthsBefore(o.date);
  Status audited = env->audit->Append("cli:operator", "payments archive", "before " + o.date,
                                      months.ok() ? "ok" : "refused");
  if (!months.ok()) return Fail(months.status());
  if (!audited.ok()) return Fail(audited.WithContext("audit log (the months are archived)"));
  for (const store::ArchivedMonth& m : *months) {
    fmt::print("{{\"month\":\"{}\",\"payments\":{},\"table\":\"{}\",\"outcomes_table\":\"{}\"}}\n", m.month,
               m.payments, m.table, m.outcomes_table);
  }
  fmt::print(stderr, "{} payout month(s) before {} archived{}\n", months->size(), o.date,
             months->empty() ? "" : ": dump the tables named (pg_dump -t TABLE), then drop them");
  return 0;
}

// A payment as the search shows it: recipient and account masked, and CPR
// numbers masked in every free text (an EndToEndId may hold one).
struct SearchRow {
  std::string id, system, end_to_end, payout_date, amount, benefit, recipient, status, account, why;
};

std::string MaskedRecipient(uint64_t key, bool tagged) {
  if (key == 0) return "-";  // a complete payment without a recipient id
  auto id = RecipientId::FromKey(key);
  if (!id.ok()) return "?";
  return tagged ? id->TaggedMasked() : id->Masked();
}

std::string MaskedAccount(const std::string& canonical) {
  if (canonical.empty()) return "-";
  auto account = Account::Parse(canonical);
  return account.ok() ? account->Masked() : "?";
}

SearchRow ShowPayment(const store::Payment& p, bool json) {
  SearchRow r;
  r.id = std::to_string(p.id);
  r.system = MaskCprsIn(p.system);
  r.end_to_end = MaskCprsIn(p.end_to_end);
  r.payout_date = p.payout_date;
  auto amount = AmountOre::Of(p.amount_ore);
  r.amount = amount.ok() ? amount->ToDanish() : fmt::format("{} øre", p.amount_ore);
  r.benefit = MaskCprsIn(p.benefit_type);
  r.recipient = MaskedRecipient(p.recipient, json);
  r.status = std::string(store::PaymentStatusName(p.status));
  // Until the cut-off resolves it, a complete payment names its account.
  r.account = MaskedAccount(p.resolved_account.empty() ? p.creditor_account : p.resolved_account);
  const bool failed = p.status == store::PaymentStatus::kFailed && !p.outcome_reason.empty();
  r.why = MaskCprsIn(failed ? p.outcome_reason : p.resolution);
  if (r.why.empty()) r.why = "-";
  return r;
}

// Display width: UTF-8 continuation bytes take no column.
size_t Columns(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

void PrintSearchTable(const std::vector<SearchRow>& rows) {
  const SearchRow header{"NKS id", "system", "EndToEndId", "payout date", "amount", "benefit",
                         "recipient", "status", "account", "why"};
  auto cells = [](const SearchRow& r) {
    return std::array<const std::string*, 10>{&r.id, &r.system, &r.end_to_end, &r.payout_date, &r.amount,
                                              &r.benefit, &r.recipient, &r.status, &r.account, &r.why};
  };
  std::array<size_t, 10> width{};
  for (size_t c = 0; c < width.size(); ++c) width[c] = Columns(*cells(header)[c]);
  for (const auto& r : rows) {
    for (size_t c = 0; c < width.size(); ++c) width[c] = std::max(width[c], Columns(*cells(r)[c]));
  }
  constexpr size_t kAmountColumn = 4;  // right-aligned, so the decimals line up
  auto print = [&](const SearchRow& r) {
    std::string line;
    for (size_t c = 0; c < width.size(); ++c) {
      const std::string& cell = *cells(r)[c];
      const bool last = c + 1 == width.size();
      const std::string pad(last ? 0 : width[c] - Columns(cell), ' ');
      line += c == kAmountColumn ? pad + cell : cell + pad;
      if (!last) line += "  ";
    }
    fmt::print("{}\n", line);
  };
  print(header);
  for (const auto& r : rows) print(r);
}

void PrintSearchJson(const SearchRow& r, const store::Payment& p) {
  fmt::print("{{\"id\":{},\"system\":{},\"end_to_end\":{},\"authority\":{},\"los\":{},"
             "\"payout_date\":{},\"amount_ore\":{},\"amount\":{},\"benefit\":{},\"recipient\":{},"
             "\"status\":{},\"account\":{},\"why\":{}}}\n",
             r.id, JsonString(r.system), JsonString(r.end_to_end), p.authority,
             JsonString(MaskCprsIn(p.los)), JsonString(r.payout_date), p.amount_ore, JsonString(r.amount),
             JsonString(r.benefit), JsonString(r.recipient), JsonString(r.status), JsonString(r.account),
             JsonString(r.why));
}

int SearchPayments(const Options& o) {
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  auto query = payments::ParseSearch(*env->store, o.search);
  if (!query.ok()) return Fail(query.status());
  auto found = payments::SearchPayments(*env->store, *query);
  if (!found.ok()) return Fail(found.status());
  std::vector<SearchRow> rows;
  for (const auto& p : *found) {
    rows.push_back(ShowPayment(p, o.json));
    if (o.json) PrintSearchJson(rows.back(), p);
  }
  if (!o.json) PrintSearchTable(rows);
  fmt::print(stderr, "{} payment(s){}\n", rows.size(),
             rows.size() >= query->limit ? "; the limit is reached: narrow the search or raise --limit" : "");
  return 0;
}

int Stats(const Options& o) {
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  auto persons = env->store->CountPersons();
  auto companies = env->store->CountCompanies();
  if (!persons.ok()) return Fail(persons.status());
  if (!companies.ok()) return Fail(companies.status());
  auto index = env->reg->Index();
  if (!index.ok()) return Fail(index.status());
  const reg::ResolutionIndex& ix = **index;
  fmt::print("persons:   {}\ncompanies: {}\nunits:     {}\nnemkonti:  {} active\nspecific:  {}\n",
             *persons, *companies, ix.unit_count(), ix.nemkonto_count(), ix.specific_count());
  fmt::print("index:     {:.1f} MiB\n", static_cast<double>(ix.memory_bytes()) / (1 << 20));
  return 0;
}

// `nks audit verify`: exit 1 naming the first bad entry when the chain is broken.
int AuditVerify(const Options& o) {
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  auto report = audit::Verify(*env->store);
  if (!report.ok()) return Fail(report.status());
  if (!report->ok()) {
    fmt::print(stderr, "nks: audit log broken at seq {}: {} ({} entries read)\n", report->first_bad_seq,
               report->problem, report->entries);
    return 1;
  }
  fmt::print("audit log intact: {} entries\n", report->entries);
  return 0;
}

// `nks audit show [--since TIME]`: one tab-separated line per entry.
int AuditShow(const Options& o) {
  int64_t since_us = INT64_MIN;
  if (!o.date.empty()) {
    auto t = ParseInstant(o.date);
    if (!t.ok()) return Fail(t.status().WithContext("--since"));
    since_us = t->time_since_epoch().count();
  }
  auto env = OpenEnv(o);
  if (!env.ok()) return Fail(env.status());
  uint64_t shown = 0;
  Status st = env->store->ScanAudit(0, since_us, [&](const store::AuditEntry& e) {
    fmt::print("{}\n", audit::FormatEntry(e));
    return o.count == 0 || ++shown < o.count;
  });
  if (!st.ok()) return Fail(st);
  return 0;
}

void AddActorOptions(CLI::App* cmd, Options& o) {
  cmd->add_option("--channel", o.channel,
                  "citizen, bank or authority (default: citizen for NemKonti, authority for "
                  "specific accounts)")
      ->check(CLI::IsMember({"citizen", "bank", "authority"}));
  cmd->add_option("--bank", o.bank, "bank channel: the reporting bank's registration number or BIC");
  cmd->add_option("--authority", o.authority, "authority channel: the NKS agreement number");
  cmd->add_option("--user", o.user, "authority channel: the caseworker's user id");
  cmd->add_option("--reference", o.reference, "authority channel: the written request's document reference");
}

}  // namespace

int Run(int argc, char** argv) {
  Options o;
  int (*command)(const Options&) = nullptr;
  CLI::App app{"nks: the NemKonto system (register, resolution, payments)", "nks"};
  app.require_subcommand(1);
  app.add_option("--data", o.data_dir, "data directory")->capture_default_str();
  app.add_option("--db", o.db,
                 "the database: a SQLite file, or PostgreSQL as postgresql://USER@HOST:PORT/DB "
                 "(or postgresql:///DB?host=SOCKET_DIR); default: DATA/nks.db");
  app.add_option("--clock", o.clock, "fixed time, ISO 8601 (e.g. 2026-11-25T06:00:00+01:00); default: system clock");
  auto on = [&](CLI::App* cmd, int (*fn)(const Options&)) {
    cmd->callback([&command, fn] { command = fn; });
  };

  on(app.add_subcommand("init", "create the data directory and database"), Init);

  auto* imp = app.add_subcommand("import", "import a register file (rejected whole if any line is bad)");
  imp->add_option("register", o.what, "cpr, cvr, units or nemkonti")
      ->required()
      ->check(CLI::IsMember({"cpr", "cvr", "units", "nemkonti"}));
  imp->add_option("file", o.file, "CSV file")->required();
  on(imp, Import);

  auto* nk = app.add_subcommand("nemkonto", "show and change NemKonti");
  nk->require_subcommand(1);
  auto* show = nk->add_subcommand("show", "show a recipient's NemKonto and its history");
  show->add_option("id", o.id, "cpr:DDMMYY-SSSS, cvr:NNNNNNNN, se:NNNNNNNN or p:NNNNNNNNNN")->required();
  on(show, Show);
  auto* set = nk->add_subcommand("set", "report a NemKonto");
  set->add_option("id", o.id, "recipient")->required();
  set->add_option("account", o.account, "RRRR-AAAAAAAAAA, DK IBAN, or IBAN[/BIC]")->required();
  AddActorOptions(set, o);
  on(set, SetNemKonto);
  auto* del = nk->add_subcommand("delete", "delete a NemKonto");
  del->add_option("id", o.id, "recipient")->required();
  AddActorOptions(del, o);
  on(del, DeleteNemKonto);
  auto* act = nk->add_subcommand("activate", "activate a pending NemKonto with the code from the letter");
  act->add_option("id", o.id, "recipient")->required();
  act->add_option("code", o.code, "the 8-digit activation code")->required();
  on(act, Activate);

  auto* sp = app.add_subcommand("specific", "specific accounts per authority and benefit type");
  sp->require_subcommand(1);
  auto* sp_set = sp->add_subcommand("set", "create or change a specific account");
  sp_set->add_option("id", o.id, "recipient")->required();
  sp_set->add_option("--benefit", o.benefit, "benefit type code")->required();
  sp_set->add_option("--account", o.account, "the account")->required();
  sp_set->add_option("--until", o.until, "last day it applies (YYYY-MM-DD)");
  sp_set->add_flag("--locked", o.locked, "the citizen may not change or delete it");
  AddActorOptions(sp_set, o);
  on(sp_set, SetSpecific);
  auto* sp_del = sp->add_subcommand("delete", "delete a specific account");
  sp_del->add_option("id", o.id, "recipient")->required();
  sp_del->add_option("--benefit", o.benefit, "benefit type code")->required();
  AddActorOptions(sp_del, o);
  on(sp_del, DeleteSpecific);
  auto* sp_list = sp->add_subcommand("list", "list a recipient's specific accounts");
  sp_list->add_option("id", o.id, "recipient")->required();
  on(sp_list, ListSpecific);

  auto* res = app.add_subcommand("resolve", "which account a payment would go to, and why");
  res->add_option("id", o.id, "recipient")->required();
  res->add_option("--authority", o.authority, "paying authority (NKS agreement number)")->required();
  res->add_option("--benefit", o.benefit, "benefit type code")->required();
  res->add_option("--date", o.date, "payout date (default: today)");
  on(res, Resolve);

  auto* cl = app.add_subcommand("control-list", "the month's register changes by an authority's users (CSV)");
  cl->add_option("--authority", o.authority, "NKS agreement number")->required();
  cl->add_option("--month", o.month, "YYYY-MM")->required();
  cl->add_option("--out", o.out, "output file (default DATA/outbox/control/...)");
  on(cl, ControlList);

  auto* cfg = app.add_subcommand("config", "authorities, LOS units, bank agreements, benefit types, systems, connections");
  cfg->require_subcommand(1);
  auto* cfg_apply = cfg->add_subcommand("apply", "apply a configuration file (see config/example.nks)");
  cfg_apply->add_option("file", o.file, "configuration file")->required();
  cfg_apply->add_option("--user", o.user, "who applies it (recorded in the history)");
  on(cfg_apply, ConfigApply);
  on(cfg->add_subcommand("show", "print the configuration as a file config apply takes"), ConfigShow);

  auto* submit = app.add_subcommand("submit", "take in a payment file (pain.001 or CSV) from a payment system");
  submit->add_option("--system", o.system, "the sending payment system's id")->required();
  submit->add_option("file", o.file, "pain.001.001.10 file, or CSV (README: CSV payment files)")->required();
  submit->add_option("--format", o.format,
                     "pain001, csv or auto: by the extension (.xml, .csv), else by the first bytes")
      ->capture_default_str();
  on(submit, Submit);

  on(app.add_subcommand("cutoff", "forward every payment whose cut-off has passed (at the clock's time)"),
     RunCutoff);

  auto* bank = app.add_subcommand("bank-report", "apply a bank's report (pain.002 or camt.054) on forwarded payments");
  bank->add_option("file", o.file, "pain.002.001.11 or camt.054.001.08 file")->required();
  on(bank, BankReport);

  auto* stop = app.add_subcommand("stop", "stop a pending payment");
  stop->add_option("--system", o.system, "the payment system that sent it")->required();
  stop->add_option("--end-to-end", o.end_to_end, "its EndToEndId")->required();
  on(stop, Stop);

  auto* pays = app.add_subcommand("payments", "search and trace payments");
  pays->require_subcommand(1);
  auto* search = pays->add_subcommand(
      "search", "find payments and see which account (masked) each went to and why; newest first");
  payments::SearchRequest& q = o.search;
  search->add_option("--authority", q.authority, "NKS agreement number");
  search->add_option("--los", q.los, "LOS unit id: the unit and every unit below it");
  search->add_option("--recipient", q.recipient, "cpr:DDMMYY-SSSS, cvr:NNNNNNNN, se:NNNNNNNN or p:NNNNNNNNNN");
  search->add_option("--from", q.from, "first payout date, YYYY-MM-DD");
  search->add_option("--to", q.to, "last payout date, YYYY-MM-DD");
  search->add_option("--amount-min", q.amount_min, "smallest amount in kroner (1234.56 or 1.234,56)");
  search->add_option("--amount-max", q.amount_max, "largest amount in kroner");
  search->add_option("--benefit", q.benefit, "benefit type code");
  search->add_option("--status", q.status, "pending, stopped, forwarded, settled or failed");
  search->add_option("--system", q.system, "payment system id");
  search->add_option("--end-to-end", q.end_to_end, "EndToEndId");
  search->add_option("--limit", q.limit,
                     fmt::format("most payments shown, 1 to {} (default {})", store::PaymentQuery::kLimitMax,
                                 store::PaymentQuery::kLimitDefault));
  search->add_flag("--json", o.json, "one JSON object per line instead of a table");
  on(search, SearchPayments);
  auto* archive = pays->add_subcommand(
      "archive", "PostgreSQL: detach the payout months before a month from the live tables, for archiving");
  archive->add_option("--before", o.date, "the first month kept, YYYY-MM; every month before it whose payments "
                                          "all have an outcome is archived")->required();
  on(archive, ArchivePayments);

  on(app.add_subcommand("stats", "counts of the registers and the resolution index"), Stats);

  auto* aud = app.add_subcommand("audit", "the append-only, hash-chained audit log");
  aud->require_subcommand(1);
  on(aud->add_subcommand("verify", "check the hash chain; exit 1 naming the first bad entry"), AuditVerify);
  auto* aud_show = aud->add_subcommand("show", "print the entries (seq, time, actor, action, target, outcome)");
  aud_show->add_option("--since", o.date, "only entries at or after this time (ISO 8601)");
  aud_show->add_option("--limit", o.count, "at most this many entries (0: all)");
  on(aud_show, AuditShow);

  auto* serve = app.add_subcommand("serve", "the HTTP API (REST under /api/v1, /healthz, /readyz, /metrics)");
  http::ServerOptions& so = o.serve.server;
  serve->add_option("--listen", so.listen, "ADDR:PORT (plain HTTP only on loopback)")->capture_default_str();
  serve->add_option("--tls-cert", so.tls_cert, "server certificate chain (PEM)");
  serve->add_option("--tls-key", so.tls_key, "server private key (PEM)");
  serve->add_option("--client-ca", so.client_ca, "CA bundle (PEM) client certificates must chain to");
  serve->add_option("--threads", so.threads, "server threads")->capture_default_str();
  serve->add_option("--access-log", o.serve.access_log, "JSON access log file (default: stderr)");
  serve->add_flag("--trust-proxy-cert-header", so.trust_proxy_cert_header,
                  "plain HTTP behind a loopback TLS proxy: take the client certificate's fingerprint from "
                  "X-Client-Cert-SHA256");
  serve->add_flag("--demo", o.serve.demo,
                  "POST /auth/demo logs anyone in as a citizen, company or configured user (loopback only)");
  serve->add_option("--public-origin", o.serve.origins,
                    "the origin browsers reach this server at (https://HOST[:PORT]), for the Origin check of "
                    "session requests; repeatable (default: the request's Host)");
  on(serve, [](const Options& opts) {
    ServeOptions s = opts.serve;
    s.data_dir = opts.data_dir;
    s.db = opts.db;
    s.clock = opts.clock;
    return Serve(s);
  });

  auto* gen = app.add_subcommand("gen", "generate synthetic data");
  gen->require_subcommand(1);
  auto* pop = gen->add_subcommand("population", "synthetic CPR/CVR registers and bank NemKonto reports");
  pop->add_option("--persons", o.persons, "persons")->capture_default_str();
  pop->add_option("--companies", o.companies, "companies")->capture_default_str();
  pop->add_option("--seed", o.seed, "seed")->capture_default_str();
  pop->add_option("--out", o.out, "output directory")->required();
  on(pop, GenPopulation);
  auto* pay = gen->add_subcommand("payments", "a pain.001.001.10 or CSV payment file for the demo configuration");
  pay->add_option("--format", o.format, "pain001, csv or auto: csv when --out ends in .csv")->capture_default_str();
  pay->add_option("--count", o.count, "payments")->required();
  pay->add_option("--seed", o.seed, "seed")->capture_default_str();
  pay->add_option("--out", o.out, "output file")->required();
  pay->add_option("--population", o.population, "from `nks gen population` (default: the directory of --out)");
  pay->add_option("--date", o.date, "payout date, YYYY-MM-DD (default 2026-11-30)");
  pay->add_option("--msg-id", o.msg_id, "GrpHdr/MsgId (default GEN-<seed>-<count>)");
  pay->add_option("--mix", o.mix, "kind=weight,... (default valid=85,unknown-cpr=2,invalid-cpr=1,"
                  "no-nemkonto=2,specific-account=1,complete=3,duplicate=1,foreign-account=1,company=4)");
  on(pay, GenPayments);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return command ? command(o) : 2;
}

}  // namespace nks::cli
