// Whole-file helpers for small files (configuration, reports).
#pragma once

#include <cstdint>
#include <string>

#include "nks/core/status.h"

namespace nks {

// Reads a file of at most `max_bytes`; a larger one is an error.
Result<std::string> ReadSmallFile(const std::string& path, uint64_t max_bytes);

// Writes `content` to a temporary file beside `path`, fsyncs it, renames it
// over `path` and fsyncs the directory: readers see the old file or the new
// one, never a part, and the new one survives a crash once this returns.
Status WriteFileDurably(const std::string& path, const std::string& content);

}  // namespace nks
