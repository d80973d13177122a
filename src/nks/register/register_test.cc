// The NemKonto register (SPEC §3.2-3.4) over a real SQLite store: the three
// channels, activation letters and codes, specific accounts, bank bulk
// reports, control lists and outbox recovery. All identifiers are invented.
#include "nks/register/register.h"

#include <gtest/gtest.h>

#include "nks/store/temp_store_test.h"
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace nks::reg {
namespace {

namespace fs = std::filesystem;
using store::Channel;
using store::NemKontoEvent;
using store::NemKontoEventKind;
using store::SpecificEvent;
using store::SpecificEventKind;

constexpr int64_t kMicrosPerDay = 86'400'000'000;

Instant At(std::string_view text) {
  auto t = ParseInstant(text);
  EXPECT_TRUE(t.ok()) << text;
  return *t;
}
int64_t Us(Instant t) { return t.time_since_epoch().count(); }

Account Acc(std::string_view text) {
  auto a = Account::Parse(text);
  EXPECT_TRUE(a.ok()) << text;
  return *a;
}

RecipientId Anna() { return RecipientId::Of(*Cpr::Parse("0102851237")); }
RecipientId Bo() { return RecipientId::Of(*Cpr::Parse("1503721118")); }
RecipientId NotInRegister() { return RecipientId::Of(*Cpr::Parse("0505051111")); }
RecipientId Company() { return RecipientId::Of(*Cvr::Parse("80000006")); }
RecipientId OtherCompany() { return RecipientId::Of(*Cvr::Parse("80000014")); }
RecipientId SeUnit() { return RecipientId::Of(*Se::Parse("90000004")); }
RecipientId PUnit() { return RecipientId::Of(*PNumber::Parse("9000000001")); }

Actor Citizen() { return Actor{Channel::kCitizen, "", 0, ""}; }
Actor Bank(std::string id = "1551") { return Actor{Channel::kBank, std::move(id), 0, ""}; }
Actor Caseworker(uint32_t authority = 101, std::string reference = "SAG-2026-1") {
  return Actor{Channel::kAuthority, "sagsbehandler" + std::to_string(authority), authority,
               std::move(reference)};
}

// The text of a PDF letter, via poppler's pdftotext.
std::string PdfText(const fs::path& pdf) {
  std::string cmd = "pdftotext '" + pdf.string() + "' - 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string out;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

// The 8 digits after "aktiveringskode er:" in the letter, or "" if absent.
std::string CodeInLetter(const fs::path& pdf) {
  std::string text = PdfText(pdf);
  const std::string marker = "aktiveringskode er:";
  size_t at = text.find(marker);
  if (at == std::string::npos) return {};
  std::string digits;
  for (size_t i = at + marker.size(); i < text.size() && digits.size() < 8; ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c != ' ' && c != '\n') {
      break;
    }
  }
  return digits.size() == 8 ? digits : std::string();
}

// As printed on the letter: "1234 5678".
std::string Printed(const std::string& code) { return code.substr(0, 4) + " " + code.substr(4); }

// A code that is certainly not `code`.
std::string WrongCode(const std::string& code) {
  std::string wrong = code;
  wrong[0] = static_cast<char>('0' + (wrong[0] - '0' + 1) % 10);
  return wrong;
}

class RegisterTest : public store::TempStoreTest {
 protected:
  RegisterTest() : TempStoreTest("nks-register") {}
  void SetUp() override {
    TempStoreTest::SetUp();
    if (HasFatalFailure()) return;
    options_.outbox_dir = dir_ / "outbox";
    SeedRegisters(*store_);
    auto reg = Register::Open(store_.get(), &clock_, options_);
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg_ = std::move(reg).value();
  }
  void TearDown() override {
    reg_.reset();
    TempStoreTest::TearDown();
  }

  static void SeedRegisters(store::Store& s) {
    auto writer = s.BeginImport();
    ASSERT_TRUE(writer.ok());
    store::ImportWriter& w = **writer;
    ASSERT_TRUE(w.PutPerson({Anna().number(), "Anna Test", "Testvej 1", "8000", "Aarhus C",
                             store::PersonStatus::kActive},
                            nullptr)
                    .ok());
    ASSERT_TRUE(w.PutPerson({Bo().number(), "Bo Test", "Prøvegade 2", "2100", "København Ø",
                             store::PersonStatus::kActive},
                            nullptr)
                    .ok());
    ASSERT_TRUE(w.PutCompany({Company().number(), "Test ApS", "Industrivej 2", "5000",
                              "Odense C", store::CompanyStatus::kActive},
                             nullptr)
                    .ok());
    ASSERT_TRUE(w.PutCompany({OtherCompany().number(), "Prøve A/S", "Havnen 1", "9000",
                              "Aalborg", store::CompanyStatus::kActive},
                             nullptr)
                    .ok());
    ASSERT_TRUE(w.PutUnit({SeUnit().key(), Company().number()}, nullptr).ok());
    ASSERT_TRUE(w.PutUnit({PUnit().key(), OtherCompany().number()}, nullptr).ok());
    ASSERT_TRUE(w.Commit().ok());
  }

  NemKontoState StateOf(const RecipientId& id) {
    auto view = reg_->Show(id);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    return view.ok() ? view->nemkonto : NemKontoState{};
  }

  std::vector<NemKontoEvent> HistoryOf(const RecipientId& id) {
    auto h = store_->NemKontoHistory(id.key());
    EXPECT_TRUE(h.ok());
    return h.ok() ? *h : std::vector<NemKontoEvent>{};
  }

  // The account payouts to `id` go to now (no specific account involved).
  std::string Resolved(const RecipientId& id, ResolutionKind* kind = nullptr) {
    auto r = reg_->Resolve(id, 999, "none", CopenhagenDate(clock_.Now()));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return "?";
    if (kind) *kind = r->kind;
    if (r->kind == ResolutionKind::kUnresolved) return "";
    return (*reg_->Index())->Decode(r->account).ToString();
  }

  // An authority report through the full path; returns the letter's code.
  std::string ReportByAuthority(const RecipientId& id, std::string_view account,
                                SetResult* result = nullptr) {
    auto r = reg_->SetNemKonto(id, Acc(account), Caseworker());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {};
    EXPECT_EQ(r->outcome, SetOutcome::kPending);
    if (result) *result = *r;
    std::string code = CodeInLetter(r->letter);
    EXPECT_EQ(code.size(), 8u) << "no activation code in " << r->letter << ":\n"
                               << PdfText(r->letter);
    return code;
  }

  void Advance(int64_t us) { clock_.Set(clock_.Now() + std::chrono::microseconds(us)); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return path;
  }

  FixedClock clock_{At("2026-11-25T10:00:00+01:00")};
  RegisterOptions options_;
  std::unique_ptr<Register> reg_;
};

// ---- Citizen and bank channels ----

TEST_P(RegisterTest, CitizenSetIsActiveAtOnceAndHistoryRecordsOldAndNewValue) {
  auto first = reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Citizen());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->outcome, SetOutcome::kActive);
  EXPECT_GT(first->seq, 0);
  EXPECT_TRUE(first->letter.empty());
  EXPECT_EQ(Resolved(Anna()), "1551-0000123456");

  Advance(60'000'000);
  auto second = reg_->SetNemKonto(Anna(), Acc("2000 12345"), Citizen());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->outcome, SetOutcome::kActive);
  EXPECT_GT(second->seq, first->seq);

  NemKontoState state = StateOf(Anna());
  ASSERT_TRUE(state.active.has_value());
  EXPECT_EQ(state.active->ToString(), "2000-0000012345");
  EXPECT_EQ(state.active_channel, Channel::kCitizen);
  EXPECT_EQ(state.active_since_us, Us(clock_.Now()));
  EXPECT_FALSE(state.pending.has_value());

  std::vector<NemKontoEvent> h = HistoryOf(Anna());
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].kind, NemKontoEventKind::kSet);
  EXPECT_EQ(h[0].account, "1551-0000123456");
  EXPECT_EQ(h[0].old_account, "");
  EXPECT_EQ(h[1].kind, NemKontoEventKind::kSet);
  EXPECT_EQ(h[1].account, "2000-0000012345");
  EXPECT_EQ(h[1].old_account, "1551-0000123456");
  EXPECT_EQ(h[1].channel, Channel::kCitizen);
  EXPECT_EQ(h[1].actor, "citizen");
  EXPECT_EQ(h[1].at_us, Us(clock_.Now()));
  EXPECT_EQ(Resolved(Anna()), "2000-0000012345") << "the index follows at once";
}

TEST_P(RegisterTest, SettingTheSameAccountAgainChangesNothing) {
  ASSERT_TRUE(reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Citizen()).ok());
  auto again = reg_->SetNemKonto(Anna(), Acc("1551 123456"), Bank());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, SetOutcome::kUnchanged);
  EXPECT_EQ(HistoryOf(Anna()).size(), 1u);
}

TEST_P(RegisterTest, BankReportIsActiveAtOnceAndNamesTheBank) {
  auto r = reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Bank("1551"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, SetOutcome::kActive);
  auto by_bic = reg_->SetNemKonto(Bo(), Acc("1551-0000654321"), Bank("DABADKKK"));
  ASSERT_TRUE(by_bic.ok()) << by_bic.status().ToString();

  EXPECT_EQ(StateOf(Anna()).active_channel, Channel::kBank);
  std::vector<NemKontoEvent> h = HistoryOf(Anna());
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].channel, Channel::kBank);
  EXPECT_EQ(h[0].actor, "1551");
  EXPECT_EQ(HistoryOf(Bo())[0].actor, "DABADKKK");

  auto bad = reg_->SetNemKonto(Anna(), Acc("1551-0000999999"), Bank("15"));
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(HistoryOf(Anna()).size(), 1u);
}

TEST_P(RegisterTest, CompaniesCannotUseTheCitizenChannelButTheirBankCan) {
  for (const RecipientId& id : {Company(), SeUnit(), PUnit()}) {
    SCOPED_TRACE(id.Tagged());
    auto citizen = reg_->SetNemKonto(id, Acc("1551-0000123456"), Citizen());
    EXPECT_EQ(citizen.status().code(), Code::kPermissionDenied);
    EXPECT_TRUE(HistoryOf(id).empty());
  }
  auto bank = reg_->SetNemKonto(Company(), Acc("1551-0000123456"), Bank());
  ASSERT_TRUE(bank.ok()) << bank.status().ToString();
  EXPECT_EQ(bank->outcome, SetOutcome::kActive);
  EXPECT_EQ(reg_->DeleteNemKonto(Company(), Citizen()).code(), Code::kPermissionDenied);
  EXPECT_TRUE(StateOf(Company()).active.has_value());

  // An SE unit without a NemKonto of its own is paid to its company's.
  ResolutionKind kind = ResolutionKind::kUnresolved;
  EXPECT_EQ(Resolved(SeUnit(), &kind), "1551-0000123456");
  EXPECT_EQ(kind, ResolutionKind::kCompanyNemKonto);
  EXPECT_EQ(Resolved(PUnit(), &kind), "");
  EXPECT_EQ(kind, ResolutionKind::kUnresolved);
}

TEST_P(RegisterTest, RecipientsNotInTheRegistersAreRefusedWithoutShowingTheCpr) {
  auto r = reg_->SetNemKonto(NotInRegister(), Acc("1551-0000123456"), Citizen());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message().find("0505051111"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().find("050505-1111"), std::string::npos) << r.status().message();
  EXPECT_TRUE(HistoryOf(NotInRegister()).empty());
}

TEST_P(RegisterTest, DeleteRecordsTheOldAccountAndNeedsAnAccountToDelete) {
  ASSERT_TRUE(reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Citizen()).ok());
  ASSERT_TRUE(reg_->DeleteNemKonto(Anna(), Citizen()).ok());
  EXPECT_FALSE(StateOf(Anna()).active.has_value());
  std::vector<NemKontoEvent> h = HistoryOf(Anna());
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].kind, NemKontoEventKind::kDeleted);
  EXPECT_EQ(h[1].old_account, "1551-0000123456");
  EXPECT_EQ(h[1].account, "");
  EXPECT_EQ(Resolved(Anna()), "");
  EXPECT_EQ(reg_->DeleteNemKonto(Anna(), Citizen()).code(), Code::kFailedPrecondition);
}

// ---- Actors ----

TEST(RegisterCheckActorTest, AuthorityChannelNeedsAgreementNumberUserAndReference) {
  EXPECT_TRUE(CheckActor(Caseworker(101, "SAG-1")).ok());
  EXPECT_TRUE(CheckActor(Caseworker(99'999'999, "SAG-1")).ok());

  Actor no_authority = Caseworker(101, "SAG-1");
  no_authority.authority = 0;
  EXPECT_EQ(CheckActor(no_authority).code(), Code::kInvalidArgument);
  Actor too_big = Caseworker(101, "SAG-1");
  too_big.authority = 100'000'000;
  EXPECT_EQ(CheckActor(too_big).code(), Code::kInvalidArgument);
  Actor no_user = Caseworker(101, "SAG-1");
  no_user.id.clear();
  EXPECT_EQ(CheckActor(no_user).code(), Code::kInvalidArgument);
  Actor no_reference = Caseworker(101, "");
  EXPECT_EQ(CheckActor(no_reference).code(), Code::kInvalidArgument);
  EXPECT_NE(CheckActor(no_reference).message().find("reference"), std::string::npos);
  EXPECT_EQ(CheckActor(Caseworker(101, "SAG\n1")).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckActor(Caseworker(101, std::string(101, 'x'))).code(), Code::kInvalidArgument);
}

TEST(RegisterCheckActorTest, BankChannelNeedsARegistrationNumberOrBic) {
  EXPECT_TRUE(CheckActor(Bank("1551")).ok());
  EXPECT_TRUE(CheckActor(Bank("DABADKKK")).ok());
  EXPECT_TRUE(CheckActor(Bank("DABADKKKXXX")).ok());
  EXPECT_EQ(CheckActor(Bank("")).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckActor(Bank("155")).code(), Code::kInvalidArgument);
  EXPECT_EQ(CheckActor(Bank("15a1")).code(), Code::kInvalidArgument);
  EXPECT_TRUE(CheckActor(Citizen()).ok());
}

TEST_P(RegisterTest, AuthorityReportWithoutReferenceIsRefusedAndWritesNoLetter) {
  auto r = reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Caseworker(101, ""));
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(HistoryOf(Anna()).empty());
  const fs::path letters = options_.outbox_dir / "letters";
  for (const auto& entry : fs::recursive_directory_iterator(letters)) {
    EXPECT_FALSE(entry.is_regular_file()) << entry.path();
  }
}

// ---- Authority channel and activation (needs the PDF letter writer) ----

TEST_P(RegisterTest, AuthorityReportIsPendingWithALetterAndChangesNothingUntilActivated) {
  ASSERT_TRUE(reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Citizen()).ok());
  auto r = reg_->SetNemKonto(Anna(), Acc("1551-0000654321"), Caseworker(101, "SAG-2026-17"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, SetOutcome::kPending);
  EXPECT_GT(r->seq, 0);

  // The letter is sent on: in letters/, not left in staging/.
  const fs::path letters = options_.outbox_dir / "letters";
  EXPECT_EQ(r->letter.parent_path(), letters);
  EXPECT_EQ(r->letter.extension(), ".pdf");
  EXPECT_TRUE(fs::is_regular_file(r->letter));
  EXPECT_TRUE(fs::is_empty(letters / "staging"));
  std::string text = PdfText(r->letter);
  EXPECT_NE(text.find("aktiveringskode er:"), std::string::npos) << text;
  EXPECT_NE(text.find("Anna Test"), std::string::npos) << text;
  EXPECT_NE(text.find("1551-0000654321"), std::string::npos) << text;
  EXPECT_NE(text.find("SAG-2026-17"), std::string::npos) << text;
  EXPECT_EQ(CodeInLetter(r->letter).size(), 8u);

  // Payouts still go to the old account.
  NemKontoState state = StateOf(Anna());
  ASSERT_TRUE(state.active.has_value());
  EXPECT_EQ(state.active->ToString(), "1551-0000123456");
  ASSERT_TRUE(state.pending.has_value());
  EXPECT_EQ(state.pending->seq, r->seq);
  EXPECT_EQ(state.pending->account.ToString(), "1551-0000654321");
  EXPECT_EQ(state.pending->authority, 101u);
  EXPECT_EQ(state.pending->reference, "SAG-2026-17");
  EXPECT_EQ(state.pending->failed_attempts, 0);
  EXPECT_EQ(state.pending->expires_us, Us(clock_.Now()) + 30 * kMicrosPerDay);
  EXPECT_EQ(Resolved(Anna()), "1551-0000123456");

  std::vector<NemKontoEvent> h = HistoryOf(Anna());
  ASSERT_EQ(h.size(), 2u);
  const NemKontoEvent& p = h[1];
  EXPECT_EQ(p.kind, NemKontoEventKind::kPending);
  EXPECT_EQ(p.channel, Channel::kAuthority);
  EXPECT_EQ(p.actor, "sagsbehandler101");
  EXPECT_EQ(p.authority, 101u);
  EXPECT_EQ(p.reference, "SAG-2026-17");
  EXPECT_EQ(p.old_account, "1551-0000123456");
  EXPECT_EQ(p.letter_id, r->letter.stem().string());
  EXPECT_EQ(p.code_hash.rfind("$argon2id$", 0), 0u) << "stored hashed";
  EXPECT_EQ(p.code_hash.find(CodeInLetter(r->letter)), std::string::npos);

  // The report is on the authority's control list for the month.
  std::string csv;
  uint64_t rows = 0;
  ASSERT_TRUE(reg_->WriteControlList(101, 2026, 11, &csv, &rows).ok());
  EXPECT_EQ(rows, 1u);
  EXPECT_NE(csv.find(",sagsbehandler101,nemkonto,pending,cpr:010285-XXXX,,1551-0000123456,"
                     "1551-0000654321,,,SAG-2026-17\r\n"),
            std::string::npos)
      << csv;
}

TEST_P(RegisterTest, ActivatingWithTheLetterCodeMakesTheAccountActive) {
  ASSERT_TRUE(reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Citizen()).ok());
  SetResult pending;
  std::string code = ReportByAuthority(Anna(), "1551-0000654321", &pending);
  ASSERT_EQ(code.size(), 8u);

  Advance(3 * kMicrosPerDay);
  auto seq = reg_->Activate(Anna(), Printed(code));
  ASSERT_TRUE(seq.ok()) << seq.status().ToString();
  EXPECT_GT(*seq, pending.seq);

  NemKontoState state = StateOf(Anna());
  ASSERT_TRUE(state.active.has_value());
  EXPECT_EQ(state.active->ToString(), "1551-0000654321");
  EXPECT_EQ(state.active_channel, Channel::kAuthority);
  EXPECT_FALSE(state.pending.has_value());
  EXPECT_EQ(Resolved(Anna()), "1551-0000654321");

  std::vector<NemKontoEvent> h = HistoryOf(Anna());
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[2].kind, NemKontoEventKind::kActivated);
  EXPECT_EQ(h[2].pending_seq, pending.seq);
  EXPECT_EQ(h[2].account, "1551-0000654321");
  EXPECT_EQ(h[2].old_account, "1551-0000123456");

  // The code works once.
  EXPECT_EQ(reg_->Activate(Anna(), code).status().code(), Code::kFailedPrecondition);
}

TEST_P(RegisterTest, WrongCodeRecordsAFailedAttemptAndCountsDown) {
  SetResult pending;
  std::string code = ReportByAuthority(Anna(), "1551-0000654321", &pending);
  ASSERT_EQ(code.size(), 8u);

  auto wrong = reg_->Activate(Anna(), WrongCode(code));
  EXPECT_EQ(wrong.status().code(), Code::kPermissionDenied);
  EXPECT_NE(wrong.status().message().find("4 attempts left"), std::string::npos)
      << wrong.status().message();
  std::vector<NemKontoEvent> h = HistoryOf(Anna());
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].kind, NemKontoEventKind::kActivationFailed);
  EXPECT_EQ(h[1].pending_seq, pending.seq);
  EXPECT_EQ(StateOf(Anna()).pending->failed_attempts, 1);

  auto short_code = reg_->Activate(Anna(), "1234");
  EXPECT_NE(short_code.status().message().find("3 attempts left"), std::string::npos)
      << short_code.status().message();
  EXPECT_EQ(StateOf(Anna()).pending->failed_attempts, 2);
  EXPECT_FALSE(StateOf(Anna()).active.has_value());

  // The right code still works while attempts are left.
  auto ok = reg_->Activate(Anna(), code);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(StateOf(Anna()).active->ToString(), "1551-0000654321");
}

TEST_P(RegisterTest, FiveWrongCodesVoidTheReport) {
  ASSERT_TRUE(reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Citizen()).ok());
  std::string code = ReportByAuthority(Anna(), "1551-0000654321");
  ASSERT_EQ(code.size(), 8u);
  for (int i = 1; i <= 5; ++i) {
    auto r = reg_->Activate(Anna(), WrongCode(code));
    EXPECT_EQ(r.status().code(), Code::kPermissionDenied) << i;
    if (i < 5) {
      EXPECT_NE(r.status().message().find(std::to_string(5 - i) + " attempts left"),
                std::string::npos)
          << r.status().message();
    } else {
      EXPECT_NE(r.status().message().find("void"), std::string::npos) << r.status().message();
    }
  }
  std::vector<NemKontoEvent> h = HistoryOf(Anna());
  ASSERT_EQ(h.size(), 7u);
  EXPECT_EQ(h.back().kind, NemKontoEventKind::kPendingCancelled);

  NemKontoState state = StateOf(Anna());
  EXPECT_FALSE(state.pending.has_value());
  EXPECT_EQ(state.active->ToString(), "1551-0000123456");

  auto late = reg_->Activate(Anna(), code);
  EXPECT_EQ(late.status().code(), Code::kFailedPrecondition) << "even the right code is void";
  EXPECT_EQ(Resolved(Anna()), "1551-0000123456");
}

TEST_P(RegisterTest, ExpiredCodeIsRefusedAndNothingIsRecorded) {
  std::string code = ReportByAuthority(Anna(), "1551-0000654321");
  ASSERT_EQ(code.size(), 8u);
  Advance(30 * kMicrosPerDay + 1'000'000);
  auto r = reg_->Activate(Anna(), code);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("expired"), std::string::npos) << r.status().message();
  EXPECT_EQ(HistoryOf(Anna()).size(), 1u);
  EXPECT_FALSE(StateOf(Anna()).active.has_value());
}

TEST_P(RegisterTest, CodeStillWorksOnItsLastMoment) {
  std::string code = ReportByAuthority(Anna(), "1551-0000654321");
  ASSERT_EQ(code.size(), 8u);
  Advance(30 * kMicrosPerDay);
  auto r = reg_->Activate(Anna(), code);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

TEST_P(RegisterTest, ActivateWithoutAPendingReportIsAFailedPrecondition) {
  ASSERT_TRUE(reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Citizen()).ok());
  EXPECT_EQ(reg_->Activate(Anna(), "1234 5678").status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(HistoryOf(Anna()).size(), 1u);
}

// ---- Folding the history ----

NemKontoEvent Event(int64_t seq, NemKontoEventKind kind, std::string account = "",
                    int64_t pending_seq = 0) {
  NemKontoEvent e;
  e.seq = seq;
  e.kind = kind;
  e.account = std::move(account);
  e.channel = Channel::kBank;
  e.at_us = seq * 1000;
  e.pending_seq = pending_seq;
  if (kind == NemKontoEventKind::kPending) {
    e.channel = Channel::kAuthority;
    e.authority = 101;
    e.reference = "SAG-" + std::to_string(seq);
    e.code_hash = "hash" + std::to_string(seq);
    e.code_expires_us = e.at_us + 30 * kMicrosPerDay;
  }
  return e;
}

TEST(RegisterFoldTest, FoldNemKontoFollowsSetsDeletesAndPendingReports) {
  using K = NemKontoEventKind;
  EXPECT_FALSE(FoldNemKonto({}).active.has_value());
  EXPECT_FALSE(FoldNemKonto({}).pending.has_value());

  NemKontoState s = FoldNemKonto({Event(1, K::kSet, "1551-0000000001"),
                                  Event(2, K::kSet, "1551-0000000002")});
  ASSERT_TRUE(s.active.has_value());
  EXPECT_EQ(s.active->ToString(), "1551-0000000002");
  EXPECT_EQ(s.active_channel, Channel::kBank);
  EXPECT_EQ(s.active_since_us, 2000);

  s = FoldNemKonto({Event(1, K::kSet, "1551-0000000001"), Event(2, K::kDeleted)});
  EXPECT_FALSE(s.active.has_value());
  EXPECT_EQ(s.active_since_us, 2000);

  // A pending report with two failed attempts leaves the active account.
  s = FoldNemKonto({Event(1, K::kSet, "1551-0000000001"),
                    Event(2, K::kPending, "1551-0000000002"),
                    Event(3, K::kActivationFailed, "", 2), Event(4, K::kActivationFailed, "", 2)});
  EXPECT_EQ(s.active->ToString(), "1551-0000000001");
  ASSERT_TRUE(s.pending.has_value());
  EXPECT_EQ(s.pending->seq, 2);
  EXPECT_EQ(s.pending->account.ToString(), "1551-0000000002");
  EXPECT_EQ(s.pending->authority, 101u);
  EXPECT_EQ(s.pending->reference, "SAG-2");
  EXPECT_EQ(s.pending->code_hash, "hash2");
  EXPECT_EQ(s.pending->reported_us, 2000);
  EXPECT_EQ(s.pending->expires_us, 2000 + 30 * kMicrosPerDay);
  EXPECT_EQ(s.pending->failed_attempts, 2);

  // Activation makes it active through the authority channel.
  s = FoldNemKonto({Event(1, K::kSet, "1551-0000000001"),
                    Event(2, K::kPending, "1551-0000000002"),
                    Event(3, K::kActivated, "1551-0000000002", 2)});
  EXPECT_EQ(s.active->ToString(), "1551-0000000002");
  EXPECT_EQ(s.active_channel, Channel::kAuthority);
  EXPECT_EQ(s.active_since_us, 3000);
  EXPECT_FALSE(s.pending.has_value());

  // Cancelling voids the report; the active account stays.
  s = FoldNemKonto({Event(1, K::kSet, "1551-0000000001"),
                    Event(2, K::kPending, "1551-0000000002"),
                    Event(3, K::kPendingCancelled, "", 2)});
  EXPECT_EQ(s.active->ToString(), "1551-0000000001");
  EXPECT_FALSE(s.pending.has_value());

  // A newer report replaces an older one; entries about the old one are ignored.
  s = FoldNemKonto({Event(1, K::kPending, "1551-0000000002"),
                    Event(2, K::kPending, "1551-0000000003"),
                    Event(3, K::kActivationFailed, "", 1), Event(4, K::kPendingCancelled, "", 1)});
  EXPECT_FALSE(s.active.has_value());
  ASSERT_TRUE(s.pending.has_value());
  EXPECT_EQ(s.pending->seq, 2);
  EXPECT_EQ(s.pending->account.ToString(), "1551-0000000003");
  EXPECT_EQ(s.pending->failed_attempts, 0);

  // A set through another channel does not void a pending report.
  s = FoldNemKonto({Event(1, K::kPending, "1551-0000000002"),
                    Event(2, K::kSet, "1551-0000000009")});
  EXPECT_EQ(s.active->ToString(), "1551-0000000009");
  EXPECT_TRUE(s.pending.has_value());
}

SpecificEvent Specific(uint32_t authority, std::string benefit_type, SpecificEventKind kind,
                       std::string account, int64_t at_us) {
  SpecificEvent e;
  e.authority = authority;
  e.benefit_type = std::move(benefit_type);
  e.kind = kind;
  e.account = std::move(account);
  e.at_us = at_us;
  e.actor = "sagsbehandler" + std::to_string(authority);
  e.reference = "SAG-" + std::to_string(at_us);
  return e;
}

TEST(RegisterFoldTest, FoldSpecificKeepsTheLatestPerAuthorityAndBenefitType) {
  using K = SpecificEventKind;
  EXPECT_TRUE(FoldSpecific({}).empty());

  SpecificEvent locked = Specific(101, "boligstoette", K::kSet, "1551-0000000003", 4);
  locked.locked = true;
  locked.valid_until = "2027-06-30";
  std::vector<SpecificState> s = FoldSpecific({
      Specific(101, "boligstoette", K::kSet, "1551-0000000001", 1),
      Specific(101, "boernepenge", K::kSet, "1551-0000000002", 2),
      Specific(202, "boligstoette", K::kSet, "1551-0000000005", 3),
      locked,
      Specific(202, "boligstoette", K::kDeleted, "", 5),
  });
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].authority, 101u);
  EXPECT_EQ(s[0].benefit_type, "boernepenge");
  EXPECT_EQ(s[0].account.ToString(), "1551-0000000002");
  EXPECT_FALSE(s[0].valid_until.has_value());
  EXPECT_FALSE(s[0].locked);
  EXPECT_EQ(s[1].authority, 101u);
  EXPECT_EQ(s[1].benefit_type, "boligstoette");
  EXPECT_EQ(s[1].account.ToString(), "1551-0000000003");
  ASSERT_TRUE(s[1].valid_until.has_value());
  EXPECT_EQ(*s[1].valid_until, Date{std::chrono::year{2027} / 6 / 30});
  EXPECT_TRUE(s[1].locked);
  EXPECT_EQ(s[1].since_us, 4);
  EXPECT_EQ(s[1].actor, "sagsbehandler101");
  EXPECT_EQ(s[1].reference, "SAG-4");
}

// ---- Specific accounts ----

TEST_P(RegisterTest, OnlyTheAuthorityItselfCreatesASpecificAccount) {
  const Account acc = Acc("1551-0000777777");
  EXPECT_EQ(reg_->SetSpecific(Anna(), 101, "boligstoette", acc, std::nullopt, false, Citizen())
                .code(),
            Code::kPermissionDenied);
  EXPECT_EQ(
      reg_->SetSpecific(Anna(), 101, "boligstoette", acc, std::nullopt, false, Bank()).code(),
      Code::kPermissionDenied);
  EXPECT_EQ(reg_->SetSpecific(Anna(), 101, "boligstoette", acc, std::nullopt, false,
                              Caseworker(202))
                .code(),
            Code::kPermissionDenied)
      << "authority mismatch";
  EXPECT_TRUE(reg_->ListSpecific(Anna())->empty());

  Status st = reg_->SetSpecific(Anna(), 101, "boligstoette", acc, std::nullopt, false,
                                Caseworker(101, "SAG-9"));
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto list = reg_->ListSpecific(Anna());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].authority, 101u);
  EXPECT_EQ((*list)[0].benefit_type, "boligstoette");
  EXPECT_EQ((*list)[0].account.ToString(), "1551-0000777777");
  EXPECT_EQ((*list)[0].actor, "sagsbehandler101");
  EXPECT_EQ((*list)[0].reference, "SAG-9");

  // Another authority cannot change or delete it.
  EXPECT_EQ(reg_->SetSpecific(Anna(), 101, "boligstoette", Acc("1551-0000888888"), std::nullopt,
                              false, Caseworker(202))
                .code(),
            Code::kPermissionDenied);
  EXPECT_EQ(reg_->DeleteSpecific(Anna(), 101, "boligstoette", Caseworker(202)).code(),
            Code::kPermissionDenied);
  EXPECT_EQ(reg_->ListSpecific(Anna())->at(0).account.ToString(), "1551-0000777777");
}

TEST_P(RegisterTest, CitizenMayChangeAnUnlockedSpecificAccountButNotItsTerms) {
  const Date until{std::chrono::year{2027} / 6 / 30};
  ASSERT_TRUE(reg_->SetSpecific(Anna(), 101, "boligstoette", Acc("1551-0000777777"), until, false,
                                Caseworker())
                  .ok());
  Status st = reg_->SetSpecific(Anna(), 101, "boligstoette", Acc("1551-0000888888"),
                                std::nullopt, true, Citizen());
  ASSERT_TRUE(st.ok()) << st.ToString();

  auto list = reg_->ListSpecific(Anna());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].account.ToString(), "1551-0000888888");
  ASSERT_TRUE((*list)[0].valid_until.has_value());
  EXPECT_EQ(*(*list)[0].valid_until, until) << "the authority's end date stays";
  EXPECT_FALSE((*list)[0].locked) << "a citizen cannot lock it";

  auto h = store_->SpecificHistory(Anna().key());
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[1].channel, Channel::kCitizen);
  EXPECT_EQ((*h)[1].actor, "citizen");
  EXPECT_EQ((*h)[1].old_account, "1551-0000777777");
  EXPECT_EQ((*h)[1].account, "1551-0000888888");

  ASSERT_TRUE(reg_->DeleteSpecific(Anna(), 101, "boligstoette", Citizen()).ok());
  EXPECT_TRUE(reg_->ListSpecific(Anna())->empty());
}

TEST_P(RegisterTest, CitizenCannotChangeOrDeleteALockedSpecificAccount) {
  ASSERT_TRUE(reg_->SetSpecific(Anna(), 101, "kapitalpension", Acc("1551-0000777777"),
                                std::nullopt, true, Caseworker())
                  .ok());
  EXPECT_EQ(reg_->SetSpecific(Anna(), 101, "kapitalpension", Acc("1551-0000888888"),
                              std::nullopt, false, Citizen())
                .code(),
            Code::kPermissionDenied);
  EXPECT_EQ(reg_->DeleteSpecific(Anna(), 101, "kapitalpension", Citizen()).code(),
            Code::kPermissionDenied);
  auto list = reg_->ListSpecific(Anna());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].account.ToString(), "1551-0000777777");
  EXPECT_TRUE((*list)[0].locked);

  // The authority that created it can.
  ASSERT_TRUE(reg_->DeleteSpecific(Anna(), 101, "kapitalpension", Caseworker()).ok());
  EXPECT_TRUE(reg_->ListSpecific(Anna())->empty());
  EXPECT_EQ(reg_->DeleteSpecific(Anna(), 101, "kapitalpension", Caseworker()).code(),
            Code::kNotFound);
}

TEST_P(RegisterTest, CompaniesNeverChangeSpecificAccountsInSelfService) {
  ASSERT_TRUE(reg_->SetSpecific(Company(), 101, "tilskud", Acc("1551-0000777777"), std::nullopt,
                                false, Caseworker())
                  .ok());
  EXPECT_EQ(reg_->SetSpecific(Company(), 101, "tilskud", Acc("1551-0000888888"), std::nullopt,
                              false, Citizen())
                .code(),
            Code::kPermissionDenied);
  EXPECT_EQ(reg_->DeleteSpecific(Company(), 101, "tilskud", Citizen()).code(),
            Code::kPermissionDenied);
}

TEST_P(RegisterTest, SpecificAccountEndDateMustNotBeInThePast) {
  const Date today = CopenhagenDate(clock_.Now());
  const Date yesterday = std::chrono::sys_days(today) - std::chrono::days(1);
  Status past = reg_->SetSpecific(Anna(), 101, "boligstoette", Acc("1551-0000777777"), yesterday,
                                  false, Caseworker());
  EXPECT_EQ(past.code(), Code::kInvalidArgument);
  EXPECT_TRUE(reg_->ListSpecific(Anna())->empty());
  EXPECT_TRUE(reg_->SetSpecific(Anna(), 101, "boligstoette", Acc("1551-0000777777"), today, false,
                                Caseworker())
                  .ok());
}

TEST_P(RegisterTest, SpecificAccountRefusesABadBenefitType) {
  for (std::string_view bad : {"", "bolig støtte", "a,b", "x/y"}) {
    EXPECT_EQ(reg_->SetSpecific(Anna(), 101, bad, Acc("1551-0000777777"), std::nullopt, false,
                                Caseworker())
                  .code(),
              Code::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(reg_->SetSpecific(Anna(), 101, std::string(41, 'a'), Acc("1551-0000777777"),
                              std::nullopt, false, Caseworker())
                .code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(reg_->SetSpecific(Anna(), 101, "børne-ydelse_2.0", Acc("1551-0000777777"),
                                std::nullopt, false, Caseworker())
                  .ok());
}

TEST_P(RegisterTest, ResolutionUsesASpecificAccountUntilItsEndDate) {
  ASSERT_TRUE(reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Citizen()).ok());
  const Date until{std::chrono::year{2026} / 12 / 31};
  ASSERT_TRUE(reg_->SetSpecific(Anna(), 101, "boligstoette", Acc("1551-0000777777"), until, false,
                                Caseworker())
                  .ok());
  auto on_last_day = reg_->Resolve(Anna(), 101, "boligstoette", until);
  ASSERT_TRUE(on_last_day.ok());
  EXPECT_EQ(on_last_day->kind, ResolutionKind::kSpecific);
  EXPECT_EQ((*reg_->Index())->Decode(on_last_day->account).ToString(), "1551-0000777777");

  auto after = reg_->Resolve(Anna(), 101, "boligstoette", Date{std::chrono::year{2027} / 1 / 1});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->kind, ResolutionKind::kNemKonto);
  auto other_benefit = reg_->Resolve(Anna(), 101, "boernepenge", until);
  EXPECT_EQ(other_benefit->kind, ResolutionKind::kNemKonto);
  auto other_authority = reg_->Resolve(Anna(), 202, "boligstoette", until);
  EXPECT_EQ(other_authority->kind, ResolutionKind::kNemKonto);
}

// ---- Bank bulk reports (nemkonti.csv) ----

TEST_P(RegisterTest, ImportNemKontiRejectsUnknownRecipientsWithTheirLine) {
  const std::string path = Write("nemkonti.csv",
                                 "id_type,id,account,bank\n"
                                 "cpr,0102851237,1551-0000123456,1551\n"
                                 "cpr,0505051111,1551-0000654321,1551\n"
                                 "se,90000012,1551-0000654321,1551\n");
  auto r = reg_->ImportNemKonti(path, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->records, 3u);
  EXPECT_EQ(r->errors, (std::vector<std::string>{
                           path + ":3: id: not in the CPR or CVR register",
                           path + ":4: id: not in the CPR or CVR register",
                       }));
  EXPECT_EQ(r->changed, 0u);
  EXPECT_TRUE(HistoryOf(Anna()).empty()) << "nothing is imported";
}

TEST_P(RegisterTest, ImportNemKontiReportsBadLinesAndImportsNothing) {
  const std::string path = Write("nemkonti.csv",
                                 "id_type,id,account,bank\n"
                                 "cpr,0102851237,1551-0000123456,1551\n"
                                 "cvr,80000007,1551-0000654321,1551\n"
                                 "cpr,1503721118,1551-12345678901,1551\n"
                                 "cvr,80000006,1551-0000654321,bank\n");
  auto r = reg_->ImportNemKonti(path, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->errors.size(), 3u);
  EXPECT_EQ(r->errors[0], path + ":3: cvr: check digit does not match (modulus 11)");
  EXPECT_EQ(r->errors[1].rfind(path + ":4: account: ", 0), 0u) << r->errors[1];
  EXPECT_EQ(r->errors[2], path + ":5: bank: must be a 4-digit registration number or a BIC");
  EXPECT_TRUE(HistoryOf(Anna()).empty());
}

TEST_P(RegisterTest, ImportNemKontiCountsChangedAndUnchangedAndRecordsOldAccounts) {
  const std::string path = Write("nemkonti.csv",
                                 "id_type,id,account,bank\n"
                                 "cpr,0102851237,1551-0000123456,1551\n"
                                 "cvr,80000006,1551-0000654321,DABADKKK\n"
                                 "se,90000004,2000-0000000042,2000\n");
  auto first = reg_->ImportNemKonti(path, {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->ok()) << first->errors.front();
  EXPECT_EQ(first->records, 3u);
  EXPECT_EQ(first->changed, 3u);
  EXPECT_EQ(first->unchanged, 0u);
  std::vector<NemKontoEvent> h = HistoryOf(Company());
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].kind, NemKontoEventKind::kSet);
  EXPECT_EQ(h[0].channel, Channel::kBank);
  EXPECT_EQ(h[0].actor, "DABADKKK");
  EXPECT_EQ(h[0].account, "1551-0000654321");
  EXPECT_EQ(h[0].at_us, Us(clock_.Now()));
  EXPECT_EQ(Resolved(SeUnit()), "2000-0000000042");

  auto again = reg_->ImportNemKonti(path, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->changed, 0u);
  EXPECT_EQ(again->unchanged, 3u);
  EXPECT_EQ(HistoryOf(Anna()).size(), 1u);

  const std::string delta = Write("delta.csv",
                                  "id_type,id,account,bank\n"
                                  "cvr,80000006,1551-0000654321,1551\n"
                                  "cpr,0102851237,1551-0000999999,1551\n");
  auto changed = reg_->ImportNemKonti(delta, {});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->changed, 1u);
  EXPECT_EQ(changed->unchanged, 1u);
  h = HistoryOf(Anna());
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].account, "1551-0000999999");
  EXPECT_EQ(h[1].old_account, "1551-0000123456");
  EXPECT_EQ(Resolved(Anna()), "1551-0000999999");
  EXPECT_EQ(StateOf(Anna()).active->ToString(), "1551-0000999999");
}

TEST_P(RegisterTest, ImportNemKontiComparesWithChangesMadeByAnotherProcess) {
  // This process has its index loaded...
  ASSERT_TRUE(reg_->SetNemKonto(Anna(), Acc("1551-0000123456"), Citizen()).ok());
  ASSERT_TRUE(reg_->Index().ok());

  // ...when another process (its own connection and register) changes the account.
  auto other_store = store::OpenStore(target_);
  ASSERT_TRUE(other_store.ok());
  auto other = Register::Open(other_store->get(), &clock_, options_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->SetNemKonto(Anna(), Acc("1551-0000999999"), Citizen()).ok());

  // The bank reports the first account again: that is a change, not "unchanged".
  const std::string path = Write("nemkonti.csv",
                                 "id_type,id,account,bank\n"
                                 "cpr,0102851237,1551-0000123456,1551\n");
  auto r = reg_->ImportNemKonti(path, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->changed, 1u);
  EXPECT_EQ(r->unchanged, 0u);
  std::vector<NemKontoEvent> h = HistoryOf(Anna());
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[2].old_account, "1551-0000999999");
  EXPECT_EQ(StateOf(Anna()).active->ToString(), "1551-0000123456");
  EXPECT_EQ(Resolved(Anna()), "1551-0000123456");
}

// ---- Control lists ----

TEST_P(RegisterTest, ControlListHoldsTheMonthsChangesInCopenhagenTimeForOneAuthority) {
  // September: a citizen change (never on a control list) and 101's first report.
  clock_.Set(At("2026-09-10T12:00:00+02:00"));
  ASSERT_TRUE(reg_->SetNemKonto(Bo(), Acc("1551-0000654321"), Citizen()).ok());
  clock_.Set(At("2026-09-30T23:30:00+02:00"));
  ASSERT_TRUE(reg_->SetSpecific(Anna(), 101, "boligstoette", Acc("1551-0000111111"), std::nullopt,
                                false, Caseworker(101, "sep"))
                  .ok());
  // October 1 00:30 in Copenhagen is still September 30 in UTC.
  clock_.Set(At("2026-10-01T00:30:00+02:00"));
  ASSERT_TRUE(reg_->SetSpecific(Anna(), 101, "boligstoette", Acc("1551-0000222222"),
                                Date{std::chrono::year{2027} / 6 / 30}, true,
                                Caseworker(101, "oct-first"))
                  .ok());
  clock_.Set(At("2026-10-15T12:00:00+02:00"));
  ASSERT_TRUE(reg_->SetSpecific(Anna(), 202, "boligstoette", Acc("1551-0000333333"), std::nullopt,
                                false, Caseworker(202, "other"))
                  .ok());
  ASSERT_TRUE(reg_->DeleteSpecific(Anna(), 202, "boligstoette", Citizen()).ok());
  // October 31 23:30 in Copenhagen (CET since October 25).
  clock_.Set(At("2026-10-31T23:30:00+01:00"));
  ASSERT_TRUE(reg_->DeleteNemKonto(Bo(), Caseworker(101, "oct-last")).ok());
  clock_.Set(At("2026-11-01T00:30:00+01:00"));
  ASSERT_TRUE(reg_->DeleteSpecific(Anna(), 101, "boligstoette", Caseworker(101, "nov")).ok());

  const std::string header =
      "time,user,register,change,recipient,benefit_type,old_account,new_account,valid_until,"
      "locked,reference\r\n";
  std::string csv;
  uint64_t rows = 0;
  ASSERT_TRUE(reg_->WriteControlList(101, 2026, 10, &csv, &rows).ok());
  EXPECT_EQ(rows, 2u);
  EXPECT_EQ(csv, header +
                     "2026-10-01T00:30:00+02:00,sagsbehandler101,specific,set,cpr:010285-XXXX,"
                     "boligstoette,1551-0000111111,1551-0000222222,2027-06-30,yes,oct-first\r\n"
                     "2026-10-31T23:30:00+01:00,sagsbehandler101,nemkonto,deleted,cpr:150372-XXXX,"
                     ",1551-0000654321,,,,oct-last\r\n");
  EXPECT_EQ(csv.find("0102851237"), std::string::npos);
  EXPECT_EQ(csv.find("010285-1237"), std::string::npos);
  EXPECT_EQ(csv.find("150372-1118"), std::string::npos);

  ASSERT_TRUE(reg_->WriteControlList(101, 2026, 9, &csv, &rows).ok());
  EXPECT_EQ(rows, 1u);
  EXPECT_EQ(csv, header +
                     "2026-09-30T23:30:00+02:00,sagsbehandler101,specific,set,cpr:010285-XXXX,"
                     "boligstoette,,1551-0000111111,,no,sep\r\n");

  ASSERT_TRUE(reg_->WriteControlList(101, 2026, 11, &csv, &rows).ok());
  EXPECT_EQ(rows, 1u);
  EXPECT_EQ(csv, header +
                     "2026-11-01T00:30:00+01:00,sagsbehandler101,specific,deleted,cpr:010285-XXXX,"
                     "boligstoette,1551-0000222222,,,,nov\r\n");

  ASSERT_TRUE(reg_->WriteControlList(202, 2026, 10, &csv, &rows).ok());
  EXPECT_EQ(rows, 1u);
  EXPECT_NE(csv.find(",sagsbehandler202,specific,set,cpr:010285-XXXX,boligstoette,,"
                     "1551-0000333333,,no,other\r\n"),
            std::string::npos)
      << csv;

  ASSERT_TRUE(reg_->WriteControlList(303, 2026, 10, &csv, &rows).ok());
  EXPECT_EQ(rows, 0u);
  EXPECT_EQ(csv, header);
}

TEST_P(RegisterTest, ControlListRefusesAMonthThatDoesNotExist) {
  std::string csv;
  uint64_t rows = 0;
  EXPECT_EQ(reg_->WriteControlList(101, 2026, 13, &csv, &rows).code(), Code::kInvalidArgument);
  EXPECT_EQ(reg_->WriteControlList(101, 2026, 0, &csv, &rows).code(), Code::kInvalidArgument);
  // December runs into the next year.
  EXPECT_TRUE(reg_->WriteControlList(101, 2026, 12, &csv, &rows).ok());
}

// ---- Outbox recovery ----

TEST_P(RegisterTest, OpenDeletesStagedLettersWhoseEntryNeverCommittedAndSendsOnTheOthers) {
  const fs::path letters = options_.outbox_dir / "letters";
  const fs::path staging = letters / "staging";
  const fs::path orphan = staging / "0123456789abcdef0123456789abcdef.pdf";
  const fs::path committed = staging / "fedcba9876543210fedcba9876543210.pdf";
  const fs::path writer_temp = staging / ".0123456789abcdef0123456789abcdef.pdf.tmp1-0";
  // A letter staged moments ago may belong to a change being committed now.
  const fs::path young = staging / "00000000000000000000000000000001.pdf";
  std::ofstream(orphan) << "%PDF-1.4 crashed before commit";
  std::ofstream(committed) << "%PDF-1.4 crashed after commit";
  std::ofstream(writer_temp) << "%PDF-1.4 half written";
  std::ofstream(young) << "%PDF-1.4 being committed";
  const auto crash_time = fs::file_time_type::clock::now() - std::chrono::hours(2);
  for (const fs::path& p : {orphan, committed, writer_temp}) fs::last_write_time(p, crash_time);

  NemKontoEvent e;
  e.recipient = Anna().key();
  e.kind = NemKontoEventKind::kPending;
  e.account = "1551-0000654321";
  e.channel = Channel::kAuthority;
  e.actor = "sagsbehandler101";
  e.authority = 101;
  e.reference = "SAG-1";
  e.at_us = Us(clock_.Now());
  e.code_hash = "x";
  e.code_expires_us = e.at_us + 30 * kMicrosPerDay;
  e.letter_id = "fedcba9876543210fedcba9876543210";
  ASSERT_TRUE(store_->AppendNemKonto(&e).ok());

  auto reopened = Register::Open(store_.get(), &clock_, options_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_FALSE(fs::exists(orphan)) << "its entry never committed";
  EXPECT_FALSE(fs::exists(writer_temp));
  EXPECT_FALSE(fs::exists(committed));
  EXPECT_TRUE(fs::is_regular_file(letters / committed.filename())) << "sent on";
  EXPECT_FALSE(fs::exists(letters / orphan.filename()));
  EXPECT_TRUE(fs::exists(young)) << "too young to be a crash leftover";
}

INSTANTIATE_TEST_SUITE_P(Backends, RegisterTest, NKS_STORE_BACKENDS);

}  // namespace
}  // namespace nks::reg
