// The CSV payment layout for small payment systems (SPEC §5.1), read as an
// intake source: the same header, groups and payments as a pain.001, so the
// same checks and answers apply. The layout is documented in README.md
// ("CSV payment files") with config/payments-example.csv:
//
//   #nks-payments v1
//   # comment lines start with '#'
//   file,MSG-2026-11-25-1,SMALLSYS,2,1500.00
//   authority,bank_agreement,los,payout_date,debtor_account,debtor_bank,end_to_end,amount,...
//   12345678,PIA-4711,RK-YDELSE,2026-11-30,3001-0001234567,DABADKKK,E2E-1,1000.00,...
//
// The reader checks the form of the file, as the XSD does for pain.001: the
// marker line, the file record, the column header row, 16 fields a row,
// field lengths, no control characters, amounts written as decimals, dates,
// currency codes. Any such error stops the reading and is returned as
// "file:line: column: reason" (CPR numbers masked): intake rejects the file
// whole (FF01). Whether a value is acceptable (the authority connected, the
// CPR number existing, the amount a whole number of øre) is intake's check,
// payment by payment.
//
// Memory does not grow with the file: it is memory-mapped, read once front
// to back, and the pages read are handed back as it goes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nks/payments/incoming.h"

namespace nks::payments {

// The first line of every CSV payment file.
inline constexpr std::string_view kCsvPaymentsMarker = "#nks-payments v1";
// The columns of a payment row, in order; the header row must name them so.
inline constexpr std::string_view kCsvPaymentColumns =
    "authority,bank_agreement,los,payout_date,debtor_account,debtor_bank,end_to_end,amount,"
    "currency,benefit_type,recipient_type,recipient_id,creditor_account,creditor_bic,"
    "creditor_name,remittance";
inline constexpr size_t kCsvPaymentColumnCount = 16;

// Limits on untrusted input; breaking one rejects the file.
inline constexpr uint64_t kCsvPaymentsPerFileMax = 5'000'000;  // as the pain.001 reader
inline constexpr size_t kCsvId35CharsMax = 35;                 // ids, codes: ISO 20022 Max35Text
inline constexpr size_t kCsvText140CharsMax = 140;             // names, remittance: Max140Text
inline constexpr size_t kCsvAccountCharsMax = 34;              // an IBAN's longest

// Reads a CSV payment file, calling `visitor` in file order: OnHeader once,
// OnGroup before each run of consecutive rows with the same group fields
// (authority, bank_agreement, los, payout_date, debtor_account, debtor_bank),
// OnPayment per row, and at the end OnFileTotals with the exact verdicts on
// the file record's count and control sum.
Status ReadPaymentCsv(const std::string& path, IncomingVisitor& visitor);

// The same over text in memory (tests, the fuzzer); `name` stands for the
// file in errors.
Status ReadPaymentCsvText(std::string_view text, const std::string& name, IncomingVisitor& visitor);

}  // namespace nks::payments
