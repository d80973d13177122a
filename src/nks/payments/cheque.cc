#include "nks/payments/cheque.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include "nks/core/ids.h"
#include "nks/core/money.h"
#include "nks/letters/letter.h"

namespace nks::payments {
namespace {

namespace fs = std::filesystem;

// Name, street and "postcode city" from the register; empty when unknown.
Result<std::vector<std::string>> RegisterAddress(store::Store& store, uint64_t recipient_key) {
  NKS_ASSIGN_OR_RETURN(RecipientId id, RecipientId::FromKey(recipient_key));
  std::vector<std::string> address;
  if (id.is_person()) {
    NKS_ASSIGN_OR_RETURN(auto person, store.GetPerson(id.number()));
    if (person) address = {person->name, person->address, person->postcode + " " + person->city};
    return address;
  }
  uint64_t cvr = id.number();
  if (id.type() != IdType::kCvr) {
    NKS_ASSIGN_OR_RETURN(auto unit, store.GetUnit(id.key()));
    if (unit) cvr = unit->cvr;
  }
  NKS_ASSIGN_OR_RETURN(auto company, store.GetCompany(cvr));
  if (company) address = {company->name, company->address, company->postcode + " " + company->city};
  return address;
}

}  // namespace

fs::path ChequeLetterPath(const fs::path& cheque_dir, int64_t payment_id) {
  return cheque_dir / fmt::format("cheque-NKS{}.pdf", payment_id);
}

Status WriteChequeLetter(store::Store& store, const store::Payment& p, Instant now,
                         const fs::path& cheque_dir, ChequeCause cause) {
  NKS_ASSIGN_OR_RETURN(std::vector<std::string> address, RegisterAddress(store, p.recipient));
  std::error_code ec;
  fs::create_directories(cheque_dir, ec);
  letters::Letter letter;
  letter.sender_name = "NemKonto";
  letter.recipient_lines = address;
  letter.date_line = "København, " + letters::DanishLongDate(CopenhagenDate(now));
  letter.subject = "Udbetaling med check";
  AmountOre amount = *AmountOre::Of(p.amount_ore);
  const char* why = cause == ChequeCause::kNoAccount
                        ? "Vi kunne ikke finde en NemKonto til dig, så beløbet sendes som check."
                        : "Dit pengeinstitut kunne ikke modtage beløbet på kontoen, så beløbet "
                          "sendes som check.";
  letter.paragraphs = {
      fmt::format("Myndighed nr. {} har udbetalt {} til dig ({}). {}", p.authority,
                  amount.ToDanish(), p.remittance, why),
      "Du får dine penge hurtigere og mere sikkert, hvis du opretter en NemKonto. Det kan du gøre i "
      "dit pengeinstitut eller selv på www.nemkonto.dk.",
      "Pengene vil blive udbetalt til din NemKonto. Du kan læse mere på www.nemkonto.dk",
  };
  letter.footer = fmt::format("Checkordre for betaling NKS{} ({}). Brevet er dannet automatisk.", p.id, p.end_to_end);
  return letters::WriteLetterPdf(letter, ChequeLetterPath(cheque_dir, p.id));
}

Status StageChequeLetter(store::Store& store, const store::Payment& p, Instant now, const fs::path& cheque_dir,
                         ChequeCause cause) {
  return WriteChequeLetter(store, p, now, cheque_dir / "staging", cause);
}

namespace {

// "cheque-NKS<id>.pdf" -> id; 0 when the name is not a letter's.
int64_t LetterPaymentId(const std::string& name) {
  constexpr std::string_view kPrefix = "cheque-NKS", kSuffix = ".pdf";
  if (name.size() <= kPrefix.size() + kSuffix.size() || name.rfind(kPrefix, 0) != 0 ||
      name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
    return 0;
  }
  const std::string digits = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.empty() || digits.size() > 18 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return 0;
  return std::stoll(digits);
}

// The payment's committed outcome is a cheque: NK06 from the cut-off,
// "<bank code>/CHEQUE" from a bank report.
bool FailedAsCheque(const store::Payment& p) {
  constexpr std::string_view kCheque = "/CHEQUE";
  const std::string& r = p.outcome_reason;
  return p.status == store::PaymentStatus::kFailed &&
         (r == "NK06" || (r.size() > kCheque.size() && r.compare(r.size() - kCheque.size(), kCheque.size(), kCheque) == 0));
}

Status SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::IoError(fmt::format("{}: cannot open to sync", dir.string()));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IoError(fmt::format("{}: fsync failed", dir.string()));
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> SendStagedChequeLetters(store::Store& store, const fs::path& cheque_dir) {
  const fs::path staging = cheque_dir / "staging";
  std::vector<std::string> sent;
  std::error_code ec;
  if (!fs::is_directory(staging, ec)) return sent;
  NKS_RETURN_IF_ERROR(store.Transact([&]() -> Status {
    std::vector<std::pair<int64_t, fs::path>> staged;
    for (const auto& entry : fs::directory_iterator(staging, ec)) {
      const int64_t id = LetterPaymentId(entry.path().filename().string());
      if (id != 0) staged.emplace_back(id, entry.path());  // temporaries of a crashed write are left to WriteLetterPdf
    }
    if (ec) return Status::IoError(fmt::format("{}: {}", staging.string(), ec.message()));
    std::sort(staged.begin(), staged.end());
    for (const auto& [id, path] : staged) {
      NKS_ASSIGN_OR_RETURN(std::optional<store::Payment> p, store.GetPayment(id));
      if (p && FailedAsCheque(*p)) {
        const fs::path final_path = ChequeLetterPath(cheque_dir, id);
        fs::rename(path, final_path, ec);
        if (ec) return Status::IoError(fmt::format("{}: {}", final_path.string(), ec.message()));
        sent.push_back(final_path.string());
      } else {  // its transaction rolled back: no cheque, no letter
        fs::remove(path, ec);
      }
    }
    if (!staged.empty()) {
      NKS_RETURN_IF_ERROR(SyncDirectory(cheque_dir));
      NKS_RETURN_IF_ERROR(SyncDirectory(staging));
    }
    return Status::Ok();
  }));
  return sent;
}

}  // namespace nks::payments
