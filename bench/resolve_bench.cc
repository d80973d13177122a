// Resolution throughput against a full register (SPEC §5.2, register issue):
// loads the index from an imported data directory, then resolves a random
// sample of the register's recipients on one core.
//
//   nks_bench_resolve --data DIR [--db postgresql://...] [--lookups N]
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "nks/register/register.h"
#include "nks/store/store.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

long PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

int Fail(const nks::Status& st) {
  fmt::print(stderr, "nks_bench_resolve: {}\n", st.ToString());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "bench-data";
  std::string db;  // --db postgresql://...: the store there instead of DATA/nks.db
  uint64_t lookups = 50'000'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--data") == 0) data = argv[i + 1];
    if (std::strcmp(argv[i], "--db") == 0) db = argv[i + 1];
    if (std::strcmp(argv[i], "--lookups") == 0) lookups = std::stoull(argv[i + 1]);
  }
  auto store = nks::store::OpenStore(db.empty() ? data + "/nks.db" : db);
  if (!store.ok()) return Fail(store.status());
  nks::FixedClock clock(nks::Instant{});
  nks::reg::RegisterOptions options;
  options.outbox_dir = data + "/outbox";
  auto reg = nks::reg::Register::Open(store->get(), &clock, options);
  if (!reg.ok()) return Fail(reg.status());

  auto t0 = Clock::now();
  auto index = (*reg)->Index();
  if (!index.ok()) return Fail(index.status());
  double load_s = Seconds(Clock::now() - t0);
  const nks::reg::ResolutionIndex& ix = **index;

  // The recipients payments go to: every person, company and unit known.
  std::vector<nks::RecipientId> ids;
  (void)(*store)->ScanPersonNumbers([&](uint64_t n) {
    ids.push_back(nks::RecipientId::Of(*nks::Cpr::FromNumber(n)));
    return true;
  });
  (void)(*store)->ScanCompanyNumbers([&](uint64_t n) {
    ids.push_back(nks::RecipientId::Of(*nks::Cvr::FromNumber(n)));
    return true;
  });
  (void)(*store)->ScanUnits([&](const nks::store::Unit& u) {
    ids.push_back(*nks::RecipientId::FromKey(u.key));
    return true;
  });
  if (ids.empty()) return Fail(nks::Status::FailedPrecondition("the register is empty"));
  // Random order defeats caches, as payments in a file do.
  std::mt19937_64 rng(2026);
  std::shuffle(ids.begin(), ids.end(), rng);
  const nks::Date date = std::chrono::year_month_day{std::chrono::year(2026), std::chrono::month(11),
                                                     std::chrono::day(26)};

  uint64_t checksum = 0, resolved = 0;
  auto t1 = Clock::now();
  for (uint64_t i = 0; i < lookups; ++i) {
    const nks::RecipientId& id = ids[i % ids.size()];
    nks::reg::Resolution r = ix.Resolve(id, 12345678, "boligstoette", date);
    checksum += r.account;
    resolved += r.kind != nks::reg::ResolutionKind::kUnresolved;
  }
  double run_s = Seconds(Clock::now() - t1);

  size_t entries = ix.nemkonto_count() + ix.unit_count() + ix.specific_count();
  fmt::print("register: {} recipients, {} active NemKonti, {} units, {} specific accounts\n",
             ids.size(), ix.nemkonto_count(), ix.unit_count(), ix.specific_count());
  fmt::print("index load: {:.2f} s; index memory: {:.1f} MiB = {:.1f} bytes per register entry\n",
             load_s, static_cast<double>(ix.memory_bytes()) / (1 << 20),
             static_cast<double>(ix.memory_bytes()) / static_cast<double>(entries));
  fmt::print("resolution: {} lookups in {:.3f} s on one core = {:.2f} M lookups/s "
             "({:.1f} ns each), {:.1f}% resolved (checksum {})\n",
             lookups, run_s, static_cast<double>(lookups) / run_s / 1e6,
             run_s * 1e9 / static_cast<double>(lookups),
             100.0 * static_cast<double>(resolved) / static_cast<double>(lookups), checksum % 1000);
  fmt::print("peak RSS: {} MiB\n", PeakRssMiB());
  return 0;
}
