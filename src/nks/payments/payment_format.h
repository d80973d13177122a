// Which reader takes in a payment file: pain.001 or the CSV layout
// (csv_source.h), named on the command line (`nks submit --format`) or told
// from the file itself.
#pragma once

#include <string>
#include <string_view>

#include "nks/core/status.h"
#include "nks/payments/incoming.h"

namespace nks::payments {

enum class PaymentFormat : uint8_t { kPain001, kCsv };

std::string_view PaymentFormatName(PaymentFormat format);  // "pain001", "csv"

// "pain001", "csv" or "auto" (DetectPaymentFormat); anything else is an
// error naming the choices.
Result<PaymentFormat> ChoosePaymentFormat(std::string_view name, const std::string& path);

// By the name's extension (.csv, .xml, either case), else by the first
// bytes (after a UTF-8 byte order mark): "#nks-payments" is CSV. Anything
// else is read as pain.001, whose reader then rejects what is not XML (FF01)
// as it always has. Fails only when the file cannot be read.
Result<PaymentFormat> DetectPaymentFormat(const std::string& path);

IncomingReader ReaderFor(PaymentFormat format);

}  // namespace nks::payments
