// Synthetic populations (SPEC §3.1): CPR and CVR register extracts and the
// banks' NemKonto reports, as CSV files for tests, demos and benchmarks.
// Every identifier is synthetic and can never be a real person's (see
// population.cc for why the CPR numbers are safe).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "nks/core/status.h"

namespace nks::gen {

struct PopulationOptions {
  uint64_t persons = 10000;  // rows in cpr.csv
  uint64_t companies = 500;  // rows in cvr.csv
  uint64_t seed = 1;         // same seed and counts -> byte-identical files
};

// Upper bounds on PopulationOptions, so the synthetic number spaces are
// never exhausted (CVR numbers live in 80000000-89999999, ~909,000 valid).
inline constexpr uint64_t kPersonsMax = 50'000'000;
inline constexpr uint64_t kCompaniesMax = 850'000;

// Called now and then (every few tens of thousands of rows, and once at the
// end) with rows done out of persons + companies.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// Writes into `out_dir` (created if missing), each with a header line,
// UTF-8, comma-separated, RFC 4180 quoting:
//   cpr.csv       cpr,name,address,postcode,city,status
//                 cpr is DDMMYYSSSS; status active|dead|emigrated|protected
//   cvr.csv       cvr,name,address,postcode,city,status  (active|ceased)
//   units.csv     type,number,cvr  (type se|p)
//   nemkonti.csv  id_type,id,account,bank  (the bank channel's reports;
//                 id_type cpr|cvr|se|p; account "RRRR-AAAAAAAAAA" or
//                 "IBAN[/BIC]"; bank the registration number or the BIC)
// Each file is written under a temporary name and renamed when complete, so
// a killed run never leaves a partial file under a final name.
Status GeneratePopulation(const PopulationOptions& options, const std::filesystem::path& out_dir,
                          const ProgressFn& progress = {});

}  // namespace nks::gen
