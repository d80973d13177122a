// Fuzzes the parsers of identifiers, accounts and amounts: each input is
// given to every parser, and what parses must print canonically and parse
// back to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nks/core/account.h"
#include "nks/core/ids.h"
#include "nks/core/money.h"
#include "nks/iso20022/decimal_amount.h"

namespace {

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "ids_fuzz: invariant broken: %s\n", what);
    std::abort();
  }
}

// Parse(ToString()) gives the value back, and ToString() is a fixed point.
template <typename T>
void CheckNumberId(std::string_view text) {
  const nks::Result<T> id = T::Parse(text);
  if (!id.ok()) return;
  const std::string printed = id->ToString();
  const nks::Result<T> again = T::Parse(printed);
  Require(again.ok() && *again == *id, "an identifier does not parse back from ToString()");
  const nks::Result<T> from_number = T::FromNumber(id->number());
  Require(from_number.ok() && *from_number == *id, "FromNumber(number()) differs");
}

void CheckCpr(std::string_view text) {
  CheckNumberId<nks::Cpr>(text);
  const nks::Result<nks::Cpr> cpr = nks::Cpr::Parse(text);
  if (cpr.ok()) {
    Require(cpr->Masked().size() == 11, "masked CPR length");
    (void)cpr->birth_date();
  }
  const std::string masked = nks::MaskCprsIn(text);
  Require(masked.size() == text.size(), "MaskCprsIn changed the length");
}

void CheckRecipient(std::string_view text) {
  const nks::Result<nks::RecipientId> id = nks::RecipientId::ParseTagged(text);
  if (!id.ok()) return;
  const nks::Result<nks::RecipientId> again = nks::RecipientId::ParseTagged(id->Tagged());
  Require(again.ok() && *again == *id, "a recipient does not parse back from Tagged()");
  const nks::Result<nks::RecipientId> from_key = nks::RecipientId::FromKey(id->key());
  Require(from_key.ok() && *from_key == *id, "FromKey(key()) differs");
  const nks::Result<nks::RecipientId> untagged = nks::RecipientId::Parse(id->type(), id->ToString());
  Require(untagged.ok() && *untagged == *id, "Parse(type, ToString()) differs");
  (void)id->TaggedMasked();
}

void CheckAccount(std::string_view text) {
  const nks::Result<nks::Account> account = nks::Account::Parse(text);
  if (account.ok()) {
    const std::string printed = account->ToString();
    const nks::Result<nks::Account> again = nks::Account::Parse(printed);
    Require(again.ok() && *again == *account, "an account does not parse back from ToString()");
    Require(again->ToString() == printed, "ToString() is not canonical");
    (void)account->Masked();
    if (account->is_danish()) {
      const nks::Result<nks::Account> via_iban = nks::Account::Parse(account->danish().ToIban());
      Require(via_iban.ok() && *via_iban == *account, "a Danish account differs via its IBAN");
    }
  }
  const nks::Result<nks::Iban> iban = nks::Iban::Parse(text);
  if (iban.ok()) {
    Require(nks::IbanChecksumOk(iban->ToString()), "a parsed IBAN fails its checksum");
    const nks::Result<nks::Iban> again = nks::Iban::Parse(iban->ToString());
    Require(again.ok() && *again == *iban, "an IBAN does not parse back");
    (void)iban->Masked();
  }
  const nks::Result<nks::Bic> bic = nks::Bic::Parse(text);
  if (bic.ok()) {
    const nks::Result<nks::Bic> again = nks::Bic::Parse(bic->ToString());
    Require(again.ok() && *again == *bic, "a BIC does not parse back");
  }
}

void CheckAmounts(std::string_view text) {
  const nks::Result<nks::AmountOre> amount = nks::AmountOre::ParseDecimal(text);
  if (amount.ok()) {
    Require(amount->ore() >= 1 && amount->ore() <= nks::AmountOre::kMaxOre, "amount out of range");
    const nks::Result<nks::AmountOre> again = nks::AmountOre::ParseDecimal(amount->ToDecimal());
    Require(again.ok() && *again == *amount, "an amount does not parse back from ToDecimal()");
    (void)amount->ToDanish();
  }
  const std::optional<nks::iso20022::DecimalAmount> decimal =
      nks::iso20022::DecimalAmount::Parse(text);
  if (decimal) {
    const std::optional<nks::iso20022::DecimalAmount> again =
        nks::iso20022::DecimalAmount::Parse(decimal->ToString());
    Require(again && *again == *decimal, "a decimal does not parse back from ToString()");
    // An amount the reader accepts is the same number as an xs:decimal.
    if (amount.ok()) {
      const std::optional<int64_t> ore = decimal->WholeOre();
      Require(ore && *ore == amount->ore(), "ParseDecimal and DecimalAmount disagree");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckCpr(text);
  CheckNumberId<nks::Cvr>(text);
  CheckNumberId<nks::Se>(text);
  CheckNumberId<nks::PNumber>(text);
  CheckRecipient(text);
  (void)nks::ParseIdType(text);
  CheckAccount(text);
  CheckAmounts(text);
  return 0;
}
