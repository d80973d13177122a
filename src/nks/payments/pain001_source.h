// The pain.001 reader (iso20022/) as an intake source.
#pragma once

#include "nks/payments/incoming.h"

namespace nks::payments {

// Reads a pain.001.001.10 file with the streaming, schema-validating reader.
Status ReadPain001(const std::string& path, IncomingVisitor& visitor);

}  // namespace nks::payments
