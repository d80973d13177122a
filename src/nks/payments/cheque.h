// Policy CHEQUE (SPEC §4.1, §5.4): a cheque order and its cover letter to
// the recipient's register address, urging them to register a NemKonto in
// SPEC §6's recommended wording. Shared by the cut-off (no account found)
// and bank reports (the bank rejected the payment).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nks/core/status.h"
#include "nks/core/time.h"
#include "nks/store/store.h"

namespace nks::payments {

// Why the payment goes out as a cheque; it changes one sentence.
enum class ChequeCause : uint8_t {
  kNoAccount,     // the cut-off found no NemKonto or specific account
  kBankRejected,  // the bank rejected the payment (closed or unknown account)
};

// The letter's path: cheque_dir/cheque-NKS<id>.pdf, named by the payment so
// writing it again replaces it.
std::filesystem::path ChequeLetterPath(const std::filesystem::path& cheque_dir, int64_t payment_id);

// Writes the cover letter for `p` (address from the CPR/CVR register as it
// is now; dated `now`) to ChequeLetterPath().
Status WriteChequeLetter(store::Store& store, const store::Payment& p, Instant now,
                         const std::filesystem::path& cheque_dir, ChequeCause cause);

// Crash safety: a letter goes out exactly when its payment's CHEQUE outcome
// committed. The letter is staged (cheque_dir/staging/) INSIDE the
// transaction that fails the payment, and SendStagedChequeLetters() moves
// it to cheque_dir after the commit. Run again after a crash (every
// cut-off and bank report starts with it), it sends the staged letters
// whose payment committed as a cheque and deletes the others. It holds the
// store's write lock while it decides, so no writer's transaction is in
// flight: every staged letter belongs to a transaction that has ended.
Status StageChequeLetter(store::Store& store, const store::Payment& p, Instant now,
                         const std::filesystem::path& cheque_dir, ChequeCause cause);
// The letters sent, as paths, in payment order.
Result<std::vector<std::string>> SendStagedChequeLetters(store::Store& store,
                                                         const std::filesystem::path& cheque_dir);

}  // namespace nks::payments
