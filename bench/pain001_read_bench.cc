// Reading pain.001.001.10 payment files (SPEC §5.1): generates a synthetic
// file of N payments, then times three passes over it to show what the
// cost is made of:
//   1. libxml2's xmlTextReader alone (pull parsing, nothing kept),
//   2. the same with the bundled XSD validating as it streams,
//   3. Pain001Reader::Read() (2. plus paths, fields and the NKS checks),
//   4. Pain001Reader::Read(kFast): the hand-written validating scanner with
//      the same records and checks (best of three runs; the file is in the
//      page cache by then for every pass alike).
//
//   nks_bench_pain001 [--txs N] [--file PATH] [--keep]
//   nks_bench_pain001 --input PATH   (an existing file, e.g. from `nks gen
//                                     payments`; neither written nor removed)
//   --fast-only: pass 4 alone (for profiling)
#include <fmt/format.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "nks/iso20022/pain001_reader.h"
#include "nks/iso20022/schema.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// User + system CPU seconds of this process: on a shared machine the
// fairer figure for one core.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// Synthetic payments only: test CPR/CVR numbers, example IBANs. Every tenth
// is a complete payment to a foreign account, every seventh to a company.
std::string Transaction(uint64_t n) {
  const std::string creditor =
      n % 7 == 0
          ? "<Cdtr><Id><OrgId><Othr><Id>80000006</Id><SchmeNm><Prtry>CVR</Prtry></SchmeNm>"
            "</Othr></OrgId></Id></Cdtr>"
          : "<Cdtr><Nm>Test Person</Nm><Id><PrvtId><Othr><Id>0102851237</Id><SchmeNm><Prtry>CPR"
            "</Prtry></SchmeNm></Othr></PrvtId></Id></Cdtr>";
  const std::string account =
      n % 10 == 0 ? "<CdtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></CdtrAcct>" : "";
  const std::string agent =
      n % 10 == 0 ? "<CdtrAgt><FinInstnId><BICFI>COBADEFFXXX</BICFI></FinInstnId></CdtrAgt>" : "";
  return fmt::format(
      "      <CdtTrfTxInf>\n"
      "        <PmtId><EndToEndId>E2E-{:010}</EndToEndId></PmtId>\n"
      "        <Amt><InstdAmt Ccy=\"DKK\">{}.{:02}</InstdAmt></Amt>\n"
      "        {}{}{}\n"
      "        <Purp><Prtry>BOERNEYD</Prtry></Purp>\n"
      "        <RmtInf><Ustrd>Boerne- og ungeydelse 4. kvartal 2026</Ustrd></RmtInf>\n"
      "      </CdtTrfTxInf>\n",
      n, 100 + n % 9000, n % 100, agent, creditor, account);
}

bool Generate(const std::string& path, uint64_t txs) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  fmt::print(f,
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.10\">\n"
             "  <CstmrCdtTrfInitn>\n"
             "    <GrpHdr><MsgId>BENCH-1</MsgId><CreDtTm>2026-11-20T10:00:00</CreDtTm>"
             "<NbOfTxs>{}</NbOfTxs><InitgPty><Id><OrgId><Othr><Id>SYS-1</Id><SchmeNm><Prtry>"
             "NKSSYS</Prtry></SchmeNm></Othr></OrgId></Id></InitgPty></GrpHdr>\n"
             "    <PmtInf>\n"
             "      <PmtInfId>PMT-1</PmtInfId><PmtMtd>TRF</PmtMtd>"
             "<ReqdExctnDt><Dt>2026-11-25</Dt></ReqdExctnDt>\n"
             "      <Dbtr><Id><OrgId><Othr><Id>12345</Id><SchmeNm><Prtry>NKS</Prtry></SchmeNm>"
             "</Othr><Othr><Id>PIA-1</Id><SchmeNm><Prtry>PIA</Prtry></SchmeNm></Othr></OrgId>"
             "</Id></Dbtr>\n"
             "      <DbtrAcct><Id><Othr><Id>15510000123456</Id><SchmeNm><Prtry>BBAN</Prtry>"
             "</SchmeNm></Othr></Id></DbtrAcct>\n"
             "      <DbtrAgt><FinInstnId><BICFI>DABADKKKXXX</BICFI></FinInstnId></DbtrAgt>\n"
             "      <UltmtDbtr><Id><OrgId><Othr><Id>LOS-1</Id><SchmeNm><Prtry>LOS</Prtry>"
             "</SchmeNm></Othr></OrgId></Id></UltmtDbtr>\n",
             txs);
  for (uint64_t i = 1; i <= txs; ++i) fmt::print(f, "{}", Transaction(i));
  fmt::print(f, "    </PmtInf>\n  </CstmrCdtTrfInitn>\n</Document>\n");
  return std::fclose(f) == 0;
}

void Quiet(void*, xmlErrorPtr) {}

// One pull pass with libxml2 alone; `schema` null: no validation.
bool PullPass(const std::string& path, xmlSchemaPtr schema, uint64_t* nodes) {
  xmlTextReaderPtr r = xmlReaderForFile(path.c_str(), nullptr, XML_PARSE_NONET);
  if (r == nullptr) return false;
  xmlTextReaderSetStructuredErrorHandler(r, Quiet, nullptr);
  if (schema != nullptr) xmlTextReaderSetSchema(r, schema);
  int rc;
  while ((rc = xmlTextReaderRead(r)) == 1) ++*nodes;
  const bool ok = rc == 0 && (schema == nullptr || xmlTextReaderIsValid(r) == 1);
  xmlFreeTextReader(r);
  return ok;
}

struct Counter : nks::iso20022::Pain001Visitor {
  uint64_t bad = 0;
  nks::Status OnTransaction(const nks::iso20022::Pain001Group&,
                            const nks::iso20022::Pain001Transaction& tx) override {
    bad += tx.errors.empty() ? 0 : 1;
    return nks::Status::Ok();
  }
};

void Report(const char* what, double seconds, double mb, uint64_t txs) {
  fmt::print("{:<34} {:7.2f} s {:8.1f} MB/s {:10.0f} tx/s   peak RSS {} MiB\n", what, seconds,
             mb / seconds, static_cast<double>(txs) / seconds, PeakRssMiB());
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t txs = 200'000;
  std::string path = fmt::format("/tmp/nks_bench_pain001_{}.xml", getpid());
  bool keep = false;
  bool input = false;
  bool fast_only = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--keep") == 0) keep = true;
    if (std::strcmp(argv[i], "--fast-only") == 0) fast_only = true;
    if (i + 1 < argc && std::strcmp(argv[i], "--txs") == 0) txs = std::stoull(argv[++i]);
    if (i + 1 < argc && std::strcmp(argv[i], "--file") == 0) path = argv[++i];
    if (i + 1 < argc && std::strcmp(argv[i], "--input") == 0) {
      path = argv[++i];
      input = true;
      keep = true;
    }
  }
  auto t0 = Clock::now();
  if (!input && !Generate(path, txs)) {
    fmt::print(stderr, "nks_bench_pain001: cannot write {}\n", path);
    return 1;
  }
  const double mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
  fmt::print("{}: {} payments, {:.1f} MB, written in {:.2f} s; peak RSS {} MiB\n", path, txs, mb,
             Seconds(Clock::now() - t0), PeakRssMiB());

  const std::string xsd = nks::iso20022::SchemaDir() + "/pain.001.001.10.xsd";
  xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(xsd.c_str());
  xmlSchemaPtr schema = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  uint64_t nodes = 0;
  if (fast_only) {
    t0 = Clock::now();
    auto fast_reader = nks::iso20022::Pain001Reader::Open(path);
    Counter fast_counter;
    auto fast = fast_reader.ok()
                    ? fast_reader->Read(fast_counter, nks::iso20022::Pain001ReadMode::kFast)
                    : nks::Result<nks::iso20022::Pain001Totals>(fast_reader.status());
    Report("4. Pain001Reader::Read (fast)", Seconds(Clock::now() - t0), mb,
           fast.ok() ? fast->tx_count : 0);
    if (!keep) std::filesystem::remove(path);
    return fast.ok() ? 0 : 1;
  }
  t0 = Clock::now();
  bool ok = PullPass(path, nullptr, &nodes);
  Report("1. xmlTextReader, no validation", Seconds(Clock::now() - t0), mb, txs);
  t0 = Clock::now();
  ok = ok && schema != nullptr && PullPass(path, schema, &nodes);
  Report("2. xmlTextReader + XSD validation", Seconds(Clock::now() - t0), mb, txs);

  t0 = Clock::now();
  const double exact_cpu0 = CpuSeconds();
  auto reader = nks::iso20022::Pain001Reader::Open(path);
  if (!reader.ok()) {
    fmt::print(stderr, "nks_bench_pain001: {}\n", reader.status().ToString());
    return 1;
  }
  Counter counter;
  auto totals = reader->Read(counter);
  if (input && totals.ok()) txs = totals->tx_count;
  Report("3. Pain001Reader::Read (exact)", Seconds(Clock::now() - t0), mb, txs);
  Report("   the same, by CPU time", CpuSeconds() - exact_cpu0, mb, txs);

  double fast_seconds = 1e300;
  double fast_cpu_seconds = 1e300;
  nks::Result<nks::iso20022::Pain001Totals> fast_totals = nks::Status::Internal("not run");
  Counter fast_counter;
  for (int run = 0; run < 3; ++run) {
    t0 = Clock::now();
    const double cpu0 = CpuSeconds();
    auto fast_reader = nks::iso20022::Pain001Reader::Open(path);
    if (!fast_reader.ok()) return 1;
    fast_counter = Counter{};
    fast_totals = fast_reader->Read(fast_counter, nks::iso20022::Pain001ReadMode::kFast);
    fast_seconds = std::min(fast_seconds, Seconds(Clock::now() - t0));
    fast_cpu_seconds = std::min(fast_cpu_seconds, CpuSeconds() - cpu0);
  }
  Report("4. Pain001Reader::Read (fast)", fast_seconds, mb, txs);
  Report("   the same, by CPU time", fast_cpu_seconds, mb, txs);
  if (!keep) std::filesystem::remove(path);
  if (!ok || !totals.ok() || totals->tx_count != txs || (!input && counter.bad != 0)) {
    fmt::print(stderr, "nks_bench_pain001: read failed: {} ({} payments with errors)\n",
               totals.ok() ? "libxml2 pass" : totals.status().ToString(), counter.bad);
    return 1;
  }
  if (!fast_totals.ok() || fast_totals->tx_count != totals->tx_count ||
      !(fast_totals->amount_sum == totals->amount_sum) || fast_counter.bad != counter.bad) {
    fmt::print(stderr, "nks_bench_pain001: the fast read differs: {}\n",
               fast_totals.ok() ? "other figures" : fast_totals.status().ToString());
    return 1;
  }
  return 0;
}
