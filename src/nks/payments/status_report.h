// Follow-up status reports (pain.002) to payment systems: after the first
// answer to a file, every later status change of its payments (forwarded at
// a cut-off, paid to the error account, returned, paid by cheque, stopped,
// settled or rejected by the bank) reaches the sender in a report of its own.
//
// They are planned like bank files: inside the transaction that changes the
// statuses, a store::StatusReport row is added and each changed payment's
// outcome names it (report_id). After the commit the report is written from
// those rows; a crash in between leaves it unwritten, and the next command
// that changes statuses writes it first, with the same bytes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "nks/core/status.h"
#include "nks/iso20022/pain002_writer.h"
#include "nks/store/store.h"

namespace nks::payments {

// What the sender is told of a payment as it stands now.
iso20022::StatusReportTransaction FollowUpTransaction(const store::ReportedPayment& p);

// A report for `tx_count` changed payments of intake file `file`, to go
// to status_dir/SYSTEM/; the caller adds it to the store.
store::StatusReport PlanStatusReport(const std::filesystem::path& status_dir, const store::IntakeFile& file,
                                     uint64_t tx_count, int64_t created_us);

// Where a report is written: "MSGID-FU17.xml" in its directory.
std::filesystem::path StatusReportPath(const store::StatusReport& report);

// Writes (again) one planned report from its recorded payments.
Status WriteStatusReport(store::Store& store, const store::StatusReport& report, const std::string& nks_id);

// Writes every planned, unwritten report and marks it written; appends
// their paths to `written` when given.
Status WriteUnwrittenStatusReports(store::Store& store, const std::string& nks_id,
                                   std::vector<std::string>* written = nullptr);

}  // namespace nks::payments
