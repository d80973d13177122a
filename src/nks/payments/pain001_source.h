// The pain.001 reader (iso20022/) as an intake source.
#pragma once

#include "nks/iso20022/pain001_reader.h"
#include "nks/payments/incoming.h"

namespace nks::payments {

// Reads a pain.001.001.10 file with the streaming, schema-validating reader.
// kAuto (the default) takes the fast reader and falls back on the exact one
// where the fast one cannot decide. For a visitor that can start over
// (IncomingVisitor::OnRestart), the fast reader feeds it at once; for one
// that cannot, the fast reader first checks the file alone and feeds the
// visitor in a second pass only when it accepted it, else the exact reader
// does. Either way the visitor sees the exact reader's calls, errors and
// their text. kFast returns kUnavailable where it cannot decide.
Status ReadPain001With(const std::string& path, IncomingVisitor& visitor,
                       iso20022::Pain001ReadMode mode);

// ReadPain001With(..., kAuto). One name, no default argument, so that it
// still converts to an IncomingReader.
Status ReadPain001(const std::string& path, IncomingVisitor& visitor);

}  // namespace nks::payments
