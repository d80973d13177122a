// Progress of long work, reported now and then (not per record).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace nks {

// phase: what is being done ("cpr.csv: checking"); done/total in any unit.
using ProgressFn = std::function<void(std::string_view phase, uint64_t done, uint64_t total)>;

}  // namespace nks
