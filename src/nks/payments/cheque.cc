#include "nks/payments/cheque.h"

#include <fmt/format.h>

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

}  // namespace nks::payments
