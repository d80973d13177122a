#include "nks/gen/payments.h"

#include "nks/gen/output_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "nks/core/account.h"
#include "nks/core/csv.h"
#include "nks/core/ids.h"
#include "nks/core/text.h"
#include "nks/gen/random.h"

// Design, with the numbers for 1,000,000 payments from the benchmark
// population (6,000,000 persons, 800,000 companies). The population is read
// once (~4 s, most of it CSV parsing and sorting): persons are sorted by CPR
// number and merged with the sorted NemKonto holders, leaving the sorted CPR
// numbers and pools of byte offsets into cpr.csv (16 bytes per person,
// ~100 MB; ~40 bytes per person while merging), and a payment re-reads its
// recipient's record through the memory-mapped file. Nothing grows with the
// number of payments. Each payment's choices come from its own generator,
// seeded from (seed, index): a first pass draws only kinds and amounts, to
// know NbOfTxs and CtrlSum per PmtInf before they are written, and the
// second draws the same again and writes the XML through a reused 1 MiB
// buffer into a temporary file (~680 bytes a payment: ~680 MB, ~3 s; the CSV
// layout ~230 bytes a payment).

namespace nks::gen {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kProgressIntervalPayments = 1 << 16;
constexpr size_t kMax35TextChars = 35;
constexpr size_t kMax140TextChars = 140;
constexpr uint32_t kDrawAttemptsMax = 1000;  // rejection sampling of CPR numbers

// ---- The demo configuration (authority/demo.cc; the tests check they agree)

constexpr std::string_view kSystemId = "SERVICEPLATFORM";
constexpr std::string_view kSystemName = "Serviceplatformens Udbetalingssystem";
constexpr std::string_view kAuthorityNumber = "12345678";
constexpr std::string_view kAuthorityName = "Demo Kommune";
constexpr std::string_view kBankAgreement = "PIA-4711";
constexpr std::string_view kPayoutAccountBban = "30010001234567";  // 3001-0001234567
constexpr std::string_view kPayoutBankBic = "DABADKKK";

struct LosUnit {
  std::string_view id;
  std::string_view name;
};
constexpr auto kLosUnits = std::to_array<LosUnit>(
    {{"DK-YDELSE", "Ydelsescenter"}, {"DK-BORGER", "Borgerservice"}, {"DK", "Demo Kommune"}});

struct BenefitType {
  std::string_view code;
  std::string_view text;  // starts the remittance text
  int64_t amount_ore_min;
  int64_t amount_ore_max;
};
// Monthly amounts as such benefits are paid; all within 100.00-25,000.00.
constexpr auto kBenefitTypes = std::to_array<BenefitType>({
    {"boligstoette", "Boligstøtte", 300'00, 4'500'00},
    {"kontanthjaelp", "Kontanthjælp", 2'000'00, 16'000'00},
    {"boernetilskud", "Børnetilskud", 100'00, 5'000'00},
    {"kapitalpension", "Kapitalpension", 5'000'00, 25'000'00},
});
constexpr size_t kPersonBenefitTypes = 3;  // the first three: paid to persons every month
constexpr size_t kBoligstoette = 0;        // companies: paid to the landlord
constexpr size_t kKapitalpension = 3;      // the specific-account kind

constexpr auto kDanishMonths = std::to_array<std::string_view>(
    {"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
     "oktober", "november", "december"});

// ---- Kinds and the mix -----------------------------------------------------

constexpr auto kKindNames = std::to_array<std::string_view>(
    {"valid", "unknown-cpr", "invalid-cpr", "no-nemkonto", "specific-account", "complete",
     "duplicate", "foreign-account", "company"});
static_assert(kKindNames.size() == kPaymentKindCount);

constexpr std::array<uint32_t, kPaymentKindCount> kDefaultWeights = {8500, 200, 100, 200, 100,
                                                                     300,  100, 100, 400};

// "2.5" -> 250 hundredths.
Result<uint32_t> ParseWeight(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  constexpr size_t kWholeDigitsMax = 9;
  if (!text::AllDigits(whole) || whole.size() > kWholeDigitsMax || fraction.size() > 2 ||
      (dot != std::string_view::npos && !text::AllDigits(fraction))) {
    return Status::Invalid("must be a number with at most two decimals");
  }
  uint64_t hundredths = text::DigitsValue(whole) * 100;
  if (!fraction.empty()) hundredths += text::DigitsValue(fraction) * (fraction.size() == 1 ? 10 : 1);
  if (hundredths > kMixWeightMax) {
    return Status::Invalid(fmt::format("at most {}", kMixWeightMax / 100));
  }
  return static_cast<uint32_t>(hundredths);
}

Result<PaymentKind> ParseKind(std::string_view name) {
  for (size_t k = 0; k < kKindNames.size(); ++k) {
    if (kKindNames[k] == name) return static_cast<PaymentKind>(k);
  }
  std::string known;
  for (const std::string_view n : kKindNames) known.append(known.empty() ? "" : ", ").append(n);
  return Status::Invalid(fmt::format("mix: unknown kind '{}' (kinds: {})", name, known));
}

// ---- Output ------------------------------------------------------------------

bool NeedsEscape(std::string_view text) {
  for (const char c : text) {
    if (c == '&' || c == '<' || c == '>' || c == '"') return true;
  }
  return false;
}

// The XML file (see OutputFile for buffering and the final rename),
// indented two spaces per level, one element per line.
class XmlOut {
 public:
  static constexpr size_t kDepthMax = 12;  // pain.001 nests 9 deep here

  explicit XmlOut(fs::path path) : out_(std::move(path)) {}

  Status Create() {
    NKS_RETURN_IF_ERROR(out_.Create());
    buffer_.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    return Status::Ok();
  }

  // <tag xmlns="..."> as the document element.
  void StartDocument(std::string_view tag, std::string_view xml_namespace) {
    buffer_.append("<").append(tag).append(" xmlns=\"").append(xml_namespace).append("\">\n");
    open_[depth_++] = tag;
  }
  void Start(std::string_view tag) {
    NKS_CHECK(depth_ < kDepthMax);
    Indent();
    buffer_.append("<").append(tag).append(">\n");
    open_[depth_++] = tag;
  }
  void End() {
    NKS_CHECK(depth_ > 0);
    --depth_;
    Indent();
    buffer_.append("</").append(open_[depth_]).append(">\n");
    out_.FlushIfFull();
  }
  // <tag>text</tag>, the text escaped.
  void Leaf(std::string_view tag, std::string_view text) {
    Indent();
    buffer_.append("<").append(tag).append(">");
    AppendEscaped(text);
    buffer_.append("</").append(tag).append(">\n");
  }
  // <InstdAmt Ccy="DKK">1234.56</InstdAmt>
  void Amount(std::string_view tag, std::string_view currency, int64_t ore) {
    Indent();
    fmt::format_to(std::back_inserter(buffer_), "<{} Ccy=\"{}\">{}.{:02}</{}>\n", tag, currency,
                   ore / 100, ore % 100, tag);
  }
  // <Othr><Id>id</Id><SchmeNm><Prtry>scheme</Prtry></SchmeNm></Othr>
  void Other(std::string_view id, std::string_view scheme) {
    Start("Othr");
    Leaf("Id", id);
    Start("SchmeNm");
    Leaf("Prtry", scheme);
    End();
    End();
  }

  bool failed() const { return out_.failed(); }
  const Status& status() const { return out_.status(); }

  Status Close() {
    NKS_CHECK(depth_ == 0);
    return out_.Close();
  }
  Status Commit() { return out_.Commit(); }

 private:
  void Indent() {
    static constexpr std::string_view kSpaces = "                                ";
    static_assert(kSpaces.size() >= 2 * kDepthMax);
    buffer_.append(kSpaces.substr(0, 2 * depth_));
  }

  void AppendEscaped(std::string_view text) {
    if (!NeedsEscape(text)) {
      buffer_.append(text);
      return;
    }
    for (const char c : text) {
      switch (c) {
        case '&': buffer_.append("&amp;"); break;
        case '<': buffer_.append("&lt;"); break;
        case '>': buffer_.append("&gt;"); break;
        case '"': buffer_.append("&quot;"); break;
        default: buffer_.push_back(c);
      }
    }
  }

  OutputFile out_;
  std::string& buffer_ = out_.buffer();
  std::array<std::string_view, kDepthMax> open_{};  // tags of the open elements
  size_t depth_ = 0;                                // number of open elements
};

// ---- Reading the population ---------------------------------------------------

// XML 1.0 cannot carry most control characters, and names have no use for any.
bool HasControlCharacter(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// One CSV file of the population, its header checked.
class PopulationFile {
 public:
  static Result<PopulationFile> Open(const fs::path& dir, std::string_view name,
                                     std::initializer_list<std::string_view> header) {
    PopulationFile f;
    f.path_ = (dir / name).string();
    f.fields_min_ = header.size();
    NKS_ASSIGN_OR_RETURN(f.reader_, CsvReader::Open(f.path_));
    auto any = f.reader_.Next(&f.fields_);
    if (!any.ok()) return any.status().WithContext(f.path_);
    if (!*any || f.fields_.size() < header.size() ||
        !std::equal(header.begin(), header.end(), f.fields_.begin())) {
      std::string expected;
      for (const std::string_view field : header) expected.append(expected.empty() ? "" : ",").append(field);
      return f.Error(fmt::format("expected a header starting {}", expected));
    }
    return f;
  }

  // Reads the next record: false at the end.
  Result<bool> Next() {
    auto more = reader_.Next(&fields_);
    if (!more.ok()) return more.status().WithContext(path_);
    if (*more && fields_.size() < fields_min_) {
      return Error(fmt::format("expected at least {} fields", fields_min_));
    }
    return more;
  }
  // Reads the record at `offset` (from offset() of an earlier record).
  Result<bool> ReadAt(uint64_t offset) {
    reader_.Seek(offset, 0);
    return Next();
  }

  std::string_view field(size_t i) const { return fields_[i]; }
  uint64_t offset() const { return reader_.offset(); }

  Result<uint64_t> NumberField(size_t i) const {
    constexpr size_t kDigitsMax = 10;
    if (!text::AllDigits(fields_[i]) || fields_[i].size() > kDigitsMax) {
      return Error(fmt::format("field {}: expected at most {} digits", i + 1, kDigitsMax));
    }
    return text::DigitsValue(fields_[i]);
  }

  Status Error(std::string_view what) const {
    return Status::Corruption(fmt::format("{}:{}: {}", path_, reader_.line(), what));
  }

 private:
  std::string path_;
  CsvReader reader_;
  std::vector<std::string_view> fields_;
  size_t fields_min_ = 0;
};

std::vector<uint64_t> Sorted(std::vector<uint64_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

bool Contains(const std::vector<uint64_t>& sorted, uint64_t number) {
  return std::binary_search(sorted.begin(), sorted.end(), number);
}

// RecipientId::key() of a CVR, SE or P-number, for sorted lookups.
uint64_t OrganisationKey(IdType type, uint64_t number) {
  return (uint64_t{static_cast<uint8_t>(type)} << 56) | number;
}

// Who has a NemKonto, from nemkonti.csv.
struct NemKontoHolders {
  std::vector<uint64_t> cprs;  // sorted
  std::vector<uint64_t> organisations;  // OrganisationKey of CVR, SE and P holders, sorted
};

Result<NemKontoHolders> ReadNemKontoHolders(const fs::path& dir) {
  NKS_ASSIGN_OR_RETURN(PopulationFile f, PopulationFile::Open(dir, "nemkonti.csv", {"id_type", "id"}));
  std::vector<uint64_t> cprs, organisations;
  for (;;) {
    NKS_ASSIGN_OR_RETURN(const bool more, f.Next());
    if (!more) break;
    const auto type = ParseIdType(f.field(0));
    if (!type.ok()) return f.Error(type.status().message());
    NKS_ASSIGN_OR_RETURN(const uint64_t id, f.NumberField(1));
    if (*type == IdType::kCpr) {
      cprs.push_back(id);
    } else {
      organisations.push_back(OrganisationKey(*type, id));
    }
  }
  return NemKontoHolders{Sorted(std::move(cprs)), Sorted(std::move(organisations))};
}

// The persons, as CPR numbers and offsets of their records in cpr.csv.
struct Persons {
  PopulationFile records;                  // cpr.csv, re-read per payment
  std::vector<uint64_t> cprs;              // every CPR number in cpr.csv, sorted
  std::vector<uint64_t> with_nemkonto;     // living in Denmark, with a NemKonto
  std::vector<uint64_t> without_nemkonto;  // living in Denmark, without one
};

// Sorts the persons by CPR number and merges them with the NemKonto
// holders: sequential, where a lookup per person would be a cache miss per
// person (6,000,000 persons: 1.2 s instead of 2.5 s).
Result<Persons> ReadPersons(const fs::path& dir, const std::vector<uint64_t>& nemkonto_cprs) {
  NKS_ASSIGN_OR_RETURN(PopulationFile f,
                       PopulationFile::Open(dir, "cpr.csv",
                                            {"cpr", "name", "address", "postcode", "city", "status"}));
  constexpr uint64_t kLiving = uint64_t{1} << 63;  // in PersonRow::offset: active or protected
  struct PersonRow {
    uint64_t cpr;
    uint64_t offset;
    bool operator<(const PersonRow& other) const { return cpr < other.cpr; }
  };
  std::vector<PersonRow> rows;
  for (;;) {
    NKS_ASSIGN_OR_RETURN(const bool more, f.Next());
    if (!more) break;
    NKS_ASSIGN_OR_RETURN(const uint64_t cpr, f.NumberField(0));
    if (HasControlCharacter(f.field(1))) return f.Error("name: control character");
    const std::string_view status = f.field(5);
    const bool living = status == "active" || status == "protected";  // not dead or emigrated
    rows.push_back({cpr, f.offset() | (living ? kLiving : 0)});
  }
  std::sort(rows.begin(), rows.end());
  std::vector<uint64_t> cprs, with, without;
  cprs.reserve(rows.size());
  size_t next_holder = 0;
  for (const PersonRow& row : rows) {
    cprs.push_back(row.cpr);
    if ((row.offset & kLiving) == 0) continue;
    while (next_holder < nemkonto_cprs.size() && nemkonto_cprs[next_holder] < row.cpr) ++next_holder;
    const bool nemkonto = next_holder < nemkonto_cprs.size() && nemkonto_cprs[next_holder] == row.cpr;
    (nemkonto ? with : without).push_back(row.offset & ~kLiving);
  }
  with.shrink_to_fit();  // they stay for the whole run
  without.shrink_to_fit();
  return Persons{std::move(f), std::move(cprs), std::move(with), std::move(without)};
}

enum CompanyIdType : uint8_t { kCvrId, kSeId, kPId, kCompanyIdTypes };

struct CompanyRecipient {
  uint64_t number;   // CVR, SE or P-number
  uint32_t company;  // index of the company's name
};

// Active companies and their units that have a NemKonto (or, for a unit,
// whose company has one: SPEC §5.2).
struct Companies {
  std::string names;               // every active company's name, back to back
  std::vector<uint32_t> name_ends;  // end of company i's name in `names`
  std::array<std::vector<CompanyRecipient>, kCompanyIdTypes> pools;

  std::string_view name(uint32_t company) const {
    const uint32_t begin = company == 0 ? 0 : name_ends[company - 1];
    return std::string_view(names).substr(begin, name_ends[company] - begin);
  }
};

struct ActiveCompany {
  uint64_t cvr;
  uint32_t company;
  bool nemkonto;
  bool operator<(const ActiveCompany& other) const { return cvr < other.cvr; }
};

bool HasNemKonto(const NemKontoHolders& holders, IdType type, uint64_t number) {
  return Contains(holders.organisations, OrganisationKey(type, number));
}

Result<std::vector<ActiveCompany>> ReadCompanies(const fs::path& dir, const NemKontoHolders& holders,
                                                 Companies& companies) {
  NKS_ASSIGN_OR_RETURN(PopulationFile f,
                       PopulationFile::Open(dir, "cvr.csv", {"cvr", "name", "address", "postcode",
                                                             "city", "status"}));
  std::vector<ActiveCompany> active;
  for (;;) {
    NKS_ASSIGN_OR_RETURN(const bool more, f.Next());
    if (!more) break;
    if (f.field(5) != "active") continue;
    NKS_ASSIGN_OR_RETURN(const uint64_t cvr, f.NumberField(0));
    if (HasControlCharacter(f.field(1))) return f.Error("name: control character");
    if (companies.names.size() + f.field(1).size() > UINT32_MAX) return f.Error("names: over 4 GiB");
    const auto index = static_cast<uint32_t>(companies.name_ends.size());
    companies.names.append(f.field(1));
    companies.name_ends.push_back(static_cast<uint32_t>(companies.names.size()));
    const bool nemkonto = HasNemKonto(holders, IdType::kCvr, cvr);
    active.push_back({cvr, index, nemkonto});
    if (nemkonto) companies.pools[kCvrId].push_back({cvr, index});
  }
  std::sort(active.begin(), active.end());
  return active;
}

Status ReadUnits(const fs::path& dir, const NemKontoHolders& holders,
                 const std::vector<ActiveCompany>& active, Companies& companies) {
  NKS_ASSIGN_OR_RETURN(PopulationFile f, PopulationFile::Open(dir, "units.csv", {"type", "number", "cvr"}));
  for (;;) {
    NKS_ASSIGN_OR_RETURN(const bool more, f.Next());
    if (!more) break;
    const auto type = ParseIdType(f.field(0));
    if (!type.ok() || (*type != IdType::kSe && *type != IdType::kPnr)) {
      return f.Error("type: expected se or p");
    }
    NKS_ASSIGN_OR_RETURN(const uint64_t number, f.NumberField(1));
    NKS_ASSIGN_OR_RETURN(const uint64_t cvr, f.NumberField(2));
    const auto it = std::lower_bound(active.begin(), active.end(), ActiveCompany{cvr, 0, false});
    if (it == active.end() || it->cvr != cvr) continue;  // the company has ceased
    if (!it->nemkonto && !HasNemKonto(holders, *type, number)) continue;
    companies.pools[*type == IdType::kSe ? kSeId : kPId].push_back({number, it->company});
  }
  return Status::Ok();
}

struct Population {
  Persons persons;
  Companies companies;
};

Result<Population> ReadPopulation(const fs::path& dir) {
  NKS_ASSIGN_OR_RETURN(NemKontoHolders holders, ReadNemKontoHolders(dir));
  NKS_ASSIGN_OR_RETURN(Persons persons, ReadPersons(dir, holders.cprs));
  holders.cprs = {};  // not needed any more
  Companies companies;
  NKS_ASSIGN_OR_RETURN(const std::vector<ActiveCompany> active,
                       ReadCompanies(dir, holders, companies));
  NKS_RETURN_IF_ERROR(ReadUnits(dir, holders, active, companies));
  return Population{std::move(persons), std::move(companies)};
}

// A kind with a weight needs recipients of its sort.
Status CheckPools(const Population& population, const PaymentMix& mix, const fs::path& dir) {
  for (size_t k = 0; k < kPaymentKindCount; ++k) {
    if (mix.weights[k] == 0) continue;
    const auto kind = static_cast<PaymentKind>(k);
    std::string_view missing;
    if (kind == PaymentKind::kNoNemKonto) {
      if (population.persons.without_nemkonto.empty()) missing = "living persons without a NemKonto";
    } else if (kind == PaymentKind::kCompany) {
      if (population.companies.pools[kCvrId].empty() && population.companies.pools[kSeId].empty() &&
          population.companies.pools[kPId].empty()) {
        missing = "active companies with a NemKonto";
      }
    } else if (population.persons.with_nemkonto.empty()) {
      missing = "living persons with a NemKonto";
    }
    if (!missing.empty()) {
      return Status::FailedPrecondition(fmt::format("population {} has no {}, which {} payments need",
                                                    dir.string(), missing, kKindNames[k]));
    }
  }
  return Status::Ok();
}

// ---- The plan: kinds and amounts, drawn before anything is written --------

struct Decision {
  PaymentKind kind;
  size_t benefit;  // index into kBenefitTypes
  int64_t amount_ore;
};

// Draws a payment's kind and amount: the first draws of its generator.
class Decider {
 public:
  Decider(uint64_t seed, const PaymentMix& mix) : key_(StreamSeed(seed, kPaymentStream)) {
    uint32_t sum = 0;
    for (size_t k = 0; k < kPaymentKindCount; ++k) cumulative_[k] = sum += mix.weights[k];
    NKS_CHECK(sum > 0);
  }

  // Payment `index`'s own generator: the same draws whatever the others do.
  Rng PaymentRng(uint64_t index) const { return Rng(key_ ^ Mix64(index)); }

  Decision Decide(Rng& rng, uint64_t index) const {
    const uint64_t r = rng.Below(cumulative_.back());
    size_t k = 0;
    while (r >= cumulative_[k]) ++k;
    auto kind = static_cast<PaymentKind>(k);
    if (kind == PaymentKind::kDuplicate && index == 0) kind = PaymentKind::kValid;  // none to reuse
    size_t benefit = rng.Below(kPersonBenefitTypes);
    if (kind == PaymentKind::kSpecificAccount) benefit = kKapitalpension;
    if (kind == PaymentKind::kCompany) benefit = kBoligstoette;
    const BenefitType& type = kBenefitTypes[benefit];
    const int64_t span = type.amount_ore_max - type.amount_ore_min + 1;
    const auto amount = type.amount_ore_min + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(span)));
    return {kind, benefit, amount};
  }

 private:
  static constexpr uint64_t kPaymentStream = 101;  // apart from the population's streams
  uint64_t key_;
  std::array<uint32_t, kPaymentKindCount> cumulative_{};  // running sums of the weights
};

struct Block {  // one PmtInf: consecutive payments
  uint64_t first = 0;
  uint64_t count = 0;
  int64_t control_sum_ore = 0;
};

struct Plan {
  std::vector<Block> blocks;
  int64_t control_sum_ore = 0;
  std::array<uint64_t, kPaymentKindCount> kind_counts{};
};

// At least one PmtInf per LOS unit (when there are payments enough), at
// most kTransactionsPerPaymentInfoMax payments each, sizes within one.
Plan MakePlan(uint64_t count, const Decider& decider) {
  const uint64_t by_size = (count + kTransactionsPerPaymentInfoMax - 1) / kTransactionsPerPaymentInfoMax;
  const uint64_t block_count = std::max(by_size, std::min<uint64_t>(count, kLosUnits.size()));
  Plan plan;
  uint64_t next = 0;
  for (uint64_t b = 0; b < block_count; ++b) {
    Block block;
    block.first = next;
    block.count = count / block_count + (b < count % block_count ? 1 : 0);
    for (uint64_t i = next; i < next + block.count; ++i) {
      Rng rng = decider.PaymentRng(i);
      const Decision d = decider.Decide(rng, i);
      block.control_sum_ore += d.amount_ore;
      ++plan.kind_counts[static_cast<size_t>(d.kind)];
    }
    next += block.count;
    plan.control_sum_ore += block.control_sum_ore;
    plan.blocks.push_back(block);
  }
  NKS_CHECK(next == count);
  return plan;
}

// ---- Recipients ----------------------------------------------------------------

// Danish banks' registration numbers, for complete payments.
constexpr auto kRegistrationNumbers = std::to_array<uint32_t>(
    {1199, 1551, 2191, 2222, 3001, 3409, 4180, 5301, 5470, 6140, 7244, 7890, 8401, 9070, 9570});

struct ForeignBank {
  std::string_view country;
  std::string_view bank_code;  // starts the BBAN
  int account_digits;          // follow the bank code
  std::string_view bic;
};
// Real banks' codes and BICs. The account digits are random: these
// countries' IBANs carry no national check digit that an IBAN check tests.
constexpr auto kForeignBanks = std::to_array<ForeignBank>({
    {"DE", "37040044", 10, "COBADEFFXXX"},
    {"DE", "10070000", 10, "DEUTDEBBXXX"},
    {"DE", "50010517", 10, "INGDDEFFXXX"},
    {"NL", "INGB", 10, "INGBNL2A"},
    {"NL", "RABO", 10, "RABONL2U"},
    {"GB", "BARC200000", 8, "BARCGB22"},
    {"GB", "NWBK601613", 8, "NWBKGB2L"},
});

// ISO 7064 mod 97-10 of digits and capital letters (A = 10 ... Z = 35).
uint32_t Mod97(std::string_view text) {
  uint32_t r = 0;
  for (const char c : text) {
    if (text::IsDigit(c)) {
      r = (r * 10 + static_cast<uint32_t>(c - '0')) % 97;
    } else {
      r = (r * 100 + static_cast<uint32_t>(c - 'A' + 10)) % 97;
    }
  }
  return r;
}

// The modulus-11 sum of a CPR number (weights 4,3,2,7,6,5,4,3,2,1).
uint64_t CprModulus11(uint64_t number) {
  constexpr std::array<uint64_t, 10> kWeights{4, 3, 2, 7, 6, 5, 4, 3, 2, 1};
  uint64_t sum = 0;
  for (size_t k = kWeights.size(); k-- > 0; number /= 10) sum += kWeights[k] * (number % 10);
  return sum % 11;
}

// Cuts a name to Max140Text at a character boundary.
std::string_view FitName(std::string_view name) {
  size_t chars = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if ((byte & 0xC0) != 0x80 && ++chars > kMax140TextChars) return name.substr(0, i);
  }
  return name;
}

enum class AccountForm : uint8_t { kNone, kBban, kIban };

// The Cdtr (and CdtrAcct, CdtrAgt) of the payment being written; reused.
struct Creditor {
  std::string name;
  std::string id;
  std::string_view scheme;  // CPR, CVR, SE or PNR
  bool person = true;
  AccountForm account_form = AccountForm::kNone;
  std::string account;   // 14 digits (BBAN) or an IBAN
  std::string_view bic;  // CdtrAgt/FinInstnId/BICFI; empty: none
};

// ---- The file ---------------------------------------------------------------------

// One payment as the layouts write it; views valid during the call.
struct PaymentFields {
  std::string_view end_to_end_id;
  int64_t amount_ore = 0;
  std::string_view benefit_code;
  std::string_view remittance;
  const Creditor* creditor = nullptr;
};

std::string Decimal(int64_t ore) { return fmt::format("{}.{:02}", ore / 100, ore % 100); }

// How a payment file is written: pain.001 (XmlLayout) or the CSV layout of
// payments/csv_source.h (CsvLayout). The PaymentWriter decides what goes in.
class Layout {
 public:
  virtual ~Layout() = default;
  virtual Status Create() = 0;
  virtual void Begin(const PaymentsOptions& options, const Plan& plan) = 0;
  virtual void BeginGroup(const PaymentsOptions& options, size_t b, const Block& block) = 0;
  virtual void Payment(const PaymentFields& p) = 0;
  virtual void EndGroup() = 0;
  virtual void End() = 0;
  virtual bool failed() const = 0;
  virtual const Status& status() const = 0;
  virtual Status Close() = 0;
  virtual Status Commit() = 0;
};

// The group's LOS unit: the blocks take the units in turn, so neighbouring
// blocks always differ (which keeps them apart as CSV groups too).
const LosUnit& LosOfBlock(size_t b) { return kLosUnits[b % kLosUnits.size()]; }

class XmlLayout final : public Layout {
 public:
  explicit XmlLayout(fs::path path) : out_(std::move(path)) {}

  Status Create() override { return out_.Create(); }

  void Begin(const PaymentsOptions& options, const Plan& plan) override {
    out_.StartDocument("Document", "urn:iso:std:iso:20022:tech:xsd:pain.001.001.10");
    out_.Start("CstmrCdtTrfInitn");
    out_.Start("GrpHdr");
    out_.Leaf("MsgId", options.message_id);
    out_.Leaf("CreDtTm", FormatCopenhagen(*options.created_at));
    out_.Leaf("NbOfTxs", fmt::format("{}", options.count));
    out_.Leaf("CtrlSum", Decimal(plan.control_sum_ore));
    out_.Start("InitgPty");
    out_.Leaf("Nm", kSystemName);
    out_.Start("Id");
    out_.Start("OrgId");
    out_.Other(kSystemId, "NKSSYS");
    out_.End();
    out_.End();
    out_.End();  // InitgPty
    out_.End();  // GrpHdr
  }

  void BeginGroup(const PaymentsOptions& options, size_t b, const Block& block) override {
    const LosUnit& los = LosOfBlock(b);
    out_.Start("PmtInf");
    out_.Leaf("PmtInfId", fmt::format("PMT-{}-{}", options.seed, b + 1));
    out_.Leaf("PmtMtd", "TRF");
    out_.Leaf("NbOfTxs", fmt::format("{}", block.count));
    out_.Leaf("CtrlSum", Decimal(block.control_sum_ore));
    out_.Start("ReqdExctnDt");
    out_.Leaf("Dt", FormatDate(options.payout_date));
    out_.End();
    out_.Start("Dbtr");
    out_.Leaf("Nm", kAuthorityName);
    out_.Start("Id");
    out_.Start("OrgId");
    out_.Other(kAuthorityNumber, "NKS");
    out_.Other(kBankAgreement, "PIA");
    out_.End();
    out_.End();
    out_.End();  // Dbtr
    out_.Start("DbtrAcct");
    out_.Start("Id");
    out_.Other(kPayoutAccountBban, "BBAN");
    out_.End();
    out_.End();
    WriteAgent("DbtrAgt", kPayoutBankBic);
    out_.Start("UltmtDbtr");
    out_.Leaf("Nm", los.name);
    out_.Start("Id");
    out_.Start("OrgId");
    out_.Other(los.id, "LOS");
    out_.End();
    out_.End();
    out_.End();  // UltmtDbtr
  }

  void Payment(const PaymentFields& p) override {
    const Creditor& c = *p.creditor;
    out_.Start("CdtTrfTxInf");
    out_.Start("PmtId");
    out_.Leaf("EndToEndId", p.end_to_end_id);
    out_.End();
    out_.Start("Amt");
    out_.Amount("InstdAmt", "DKK", p.amount_ore);
    out_.End();
    if (!c.bic.empty()) WriteAgent("CdtrAgt", c.bic);
    out_.Start("Cdtr");
    if (!c.name.empty()) out_.Leaf("Nm", c.name);
    out_.Start("Id");
    out_.Start(c.person ? "PrvtId" : "OrgId");
    out_.Other(c.id, c.scheme);
    out_.End();
    out_.End();
    out_.End();  // Cdtr
    if (c.account_form != AccountForm::kNone) {
      out_.Start("CdtrAcct");
      out_.Start("Id");
      if (c.account_form == AccountForm::kIban) {
        out_.Leaf("IBAN", c.account);
      } else {
        out_.Other(c.account, "BBAN");
      }
      out_.End();
      out_.End();
    }
    out_.Start("Purp");
    out_.Leaf("Prtry", p.benefit_code);
    out_.End();
    out_.Start("RmtInf");
    out_.Leaf("Ustrd", p.remittance);
    out_.End();
    out_.End();  // CdtTrfTxInf
  }

  void EndGroup() override { out_.End(); }  // PmtInf
  void End() override {
    out_.End();  // CstmrCdtTrfInitn
    out_.End();  // Document
  }
  bool failed() const override { return out_.failed(); }
  const Status& status() const override { return out_.status(); }
  Status Close() override { return out_.Close(); }
  Status Commit() override { return out_.Commit(); }

 private:
  void WriteAgent(std::string_view tag, std::string_view bic) {
    out_.Start(tag);
    out_.Start("FinInstnId");
    out_.Leaf("BICFI", bic);
    out_.End();
    out_.End();
  }

  XmlOut out_;
};

// The CSV layout (README "CSV payment files"): the marker, the file record,
// the column header row, then one row per payment carrying its group's
// fields. ~230 bytes a payment.
class CsvLayout final : public Layout {
 public:
  explicit CsvLayout(fs::path path) : out_(std::move(path)) {}

  Status Create() override { return out_.Create(); }

  void Begin(const PaymentsOptions& options, const Plan& plan) override {
    buffer_.append("#nks-payments v1\n");
    buffer_.append("# Generated by nks gen payments for the demo configuration.\n");
    buffer_.append("file,");
    AppendCsvField(&buffer_, options.message_id);
    fmt::format_to(std::back_inserter(buffer_), ",{},{},{}\n", kSystemId, options.count,
                   Decimal(plan.control_sum_ore));
    buffer_.append(
        "authority,bank_agreement,los,payout_date,debtor_account,debtor_bank,end_to_end,amount,"
        "currency,benefit_type,recipient_type,recipient_id,creditor_account,creditor_bic,"
        "creditor_name,remittance\n");
    payout_date_ = FormatDate(options.payout_date);
  }

  void BeginGroup(const PaymentsOptions&, size_t b, const Block&) override {
    // The six group columns, the same on every row of the group.
    group_prefix_.clear();
    fmt::format_to(std::back_inserter(group_prefix_), "{},{},", kAuthorityNumber, kBankAgreement);
    AppendCsvField(&group_prefix_, LosOfBlock(b).id);
    fmt::format_to(std::back_inserter(group_prefix_), ",{},{}-{},{},", payout_date_,
                   kPayoutAccountBban.substr(0, 4), kPayoutAccountBban.substr(4), kPayoutBankBic);
  }

  void Payment(const PaymentFields& p) override {
    const Creditor& c = *p.creditor;
    buffer_.append(group_prefix_);
    AppendCsvField(&buffer_, p.end_to_end_id);
    fmt::format_to(std::back_inserter(buffer_), ",{}.{:02},DKK,", p.amount_ore / 100, p.amount_ore % 100);
    AppendCsvField(&buffer_, p.benefit_code);
    buffer_.push_back(',');
    buffer_.append(c.scheme == "CPR" ? "cpr" : c.scheme == "CVR" ? "cvr" : c.scheme == "SE" ? "se" : "p");
    buffer_.push_back(',');
    AppendCsvField(&buffer_, c.id);
    buffer_.push_back(',');
    if (c.account_form != AccountForm::kNone) AppendCsvField(&buffer_, c.account);
    buffer_.push_back(',');
    AppendCsvField(&buffer_, c.bic);
    buffer_.push_back(',');
    AppendCsvField(&buffer_, c.name);
    buffer_.push_back(',');
    AppendCsvField(&buffer_, p.remittance);
    buffer_.push_back('\n');
    out_.FlushIfFull();
  }

  void EndGroup() override {}
  void End() override {}
  bool failed() const override { return out_.failed(); }
  const Status& status() const override { return out_.status(); }
  Status Close() override { return out_.Close(); }
  Status Commit() override { return out_.Commit(); }

 private:
  OutputFile out_;
  std::string& buffer_ = out_.buffer();
  std::string payout_date_;
  std::string group_prefix_;  // the current group's columns, with the trailing comma
};

class PaymentWriter {
 public:
  PaymentWriter(const PaymentsOptions& options, const Decider& decider, Population& population,
                Layout& out)
      : options_(options), decider_(decider), population_(population), out_(out) {
    const auto month = static_cast<unsigned>(options.payout_date.month());
    for (size_t b = 0; b < kBenefitTypes.size(); ++b) {
      remittance_texts_[b] = fmt::format("{} {} {}", kBenefitTypes[b].text,
                                         kDanishMonths[month - 1], int{options.payout_date.year()});
    }
  }

  Status Run(const Plan& plan, const ProgressFn& progress, const PaymentObserverFn& observe) {
    out_.Begin(options_, plan);
    for (size_t b = 0; b < plan.blocks.size(); ++b) {
      const Block& block = plan.blocks[b];
      out_.BeginGroup(options_, b, block);
      int64_t sum_ore = 0;
      for (uint64_t i = block.first; i < block.first + block.count; ++i) {
        NKS_ASSIGN_OR_RETURN(const int64_t amount_ore, WriteTransaction(i, observe));
        sum_ore += amount_ore;
        if ((i + 1) % kProgressIntervalPayments == 0) {
          if (progress) progress(i + 1, options_.count);
          if (out_.failed()) return out_.status();
        }
      }
      NKS_CHECK(sum_ore == block.control_sum_ore);  // the second pass drew what the first did
      out_.EndGroup();
    }
    out_.End();
    if (progress) progress(options_.count, options_.count);
    return Status::Ok();
  }

 private:
  // Writes payment `index`; returns its amount.
  Result<int64_t> WriteTransaction(uint64_t index, const PaymentObserverFn& observe) {
    Rng rng = decider_.PaymentRng(index);
    const Decision d = decider_.Decide(rng, index);
    SetEndToEndId(rng, d.kind);
    NKS_RETURN_IF_ERROR(ChooseCreditor(rng, d.kind));
    out_.Payment({end_to_end_id_, d.amount_ore, kBenefitTypes[d.benefit].code, remittance_texts_[d.benefit],
                  &creditor_});
    if (observe) {
      const bool account = creditor_.account_form != AccountForm::kNone;
      observe({index, d.kind, end_to_end_id_, creditor_.id,
               account ? std::string_view(creditor_.account) : std::string_view(), d.amount_ore});
    }
    return d.amount_ore;
  }
  // "E2E-<seed>-<n>": the n-th new one, or for a duplicate an earlier one.
  void SetEndToEndId(Rng& rng, PaymentKind kind) {
    uint64_t n = 0;
    if (kind == PaymentKind::kDuplicate) {
      NKS_CHECK(end_to_end_ids_issued_ > 0);  // Decide() makes the first payment new
      n = 1 + rng.Below(end_to_end_ids_issued_);
    } else {
      n = ++end_to_end_ids_issued_;
    }
    end_to_end_id_.clear();
    fmt::format_to(std::back_inserter(end_to_end_id_), "E2E-{}-{}", options_.seed, n);
  }

  Status ChooseCreditor(Rng& rng, PaymentKind kind) {
    creditor_.account_form = AccountForm::kNone;
    creditor_.bic = {};
    const Persons& persons = population_.persons;
    switch (kind) {
      case PaymentKind::kNoNemKonto:
        return ChoosePerson(rng, persons.without_nemkonto);
      case PaymentKind::kCompany:
        ChooseCompany(rng);
        return Status::Ok();
      default:
        break;
    }
    NKS_RETURN_IF_ERROR(ChoosePerson(rng, persons.with_nemkonto));
    if (kind == PaymentKind::kUnknownCpr) return SetUnknownCpr(rng);
    if (kind == PaymentKind::kInvalidCpr) SetInvalidCpr(rng);
    if (kind == PaymentKind::kComplete) SetDanishAccount(rng);
    if (kind == PaymentKind::kForeignAccount) SetForeignAccount(rng);
    return Status::Ok();
  }

  Status ChoosePerson(Rng& rng, const std::vector<uint64_t>& pool) {
    PopulationFile& records = population_.persons.records;
    NKS_ASSIGN_OR_RETURN(const bool found, records.ReadAt(pool[rng.Below(pool.size())]));
    if (!found) return records.Error("changed while it was read");
    creditor_.person = true;
    creditor_.scheme = "CPR";
    creditor_.id.assign(records.field(0));
    creditor_.name.assign(FitName(records.field(1)));
    return Status::Ok();
  }

  void ChooseCompany(Rng& rng) {
    constexpr uint32_t kSePerMille = 150;
    constexpr uint32_t kPPerMille = 150;  // the rest are paid to the CVR number
    const auto& pools = population_.companies.pools;
    const uint64_t r = rng.Below(1000);
    CompanyIdType type = r < kSePerMille ? kSeId : r < kSePerMille + kPPerMille ? kPId : kCvrId;
    if (pools[type].empty()) type = !pools[kCvrId].empty() ? kCvrId : !pools[kPId].empty() ? kPId : kSeId;
    const CompanyRecipient& c = rng.Pick(pools[type]);
    creditor_.person = false;
    creditor_.scheme = type == kCvrId ? "CVR" : type == kSeId ? "SE" : "PNR";
    creditor_.id.clear();
    fmt::format_to(std::back_inserter(creditor_.id), "{:0{}}", c.number, type == kPId ? 10 : 8);
    creditor_.name.assign(FitName(population_.companies.name(c.company)));
  }

  // A CPR number of an existing date that cpr.csv does not hold. Like the
  // population's: born 1920-2006, never on 1 January, and failing the
  // modulus-11 check, so it cannot be a real person's (see population.cc).
  Status SetUnknownCpr(Rng& rng) {
    using namespace std::chrono;
    constexpr int kYearFirst = 1920;
    constexpr int kYearLast = 2006;
    const sys_days first{year{kYearFirst} / January / 2};
    const auto days = static_cast<uint64_t>((sys_days{year{kYearLast} / December / 31} - first).count() + 1);
    const std::vector<uint64_t>& known = population_.persons.cprs;
    for (uint32_t attempt = 0; attempt < kDrawAttemptsMax; ++attempt) {
      const year_month_day date{first + sys_days::duration(static_cast<int64_t>(rng.Below(days)))};
      const uint64_t serial = rng.Below(10'000);
      const uint64_t number = uint64_t{unsigned{date.day()}} * 100'000'000 +
                              uint64_t{unsigned{date.month()}} * 1'000'000 +
                              static_cast<uint64_t>(int{date.year()} % 100) * 10'000 + serial;
      if (date.month() == January && date.day() == day{1}) continue;
      const auto cpr = Cpr::FromNumber(number);
      if (!cpr.ok() || cpr->birth_date() != date) continue;  // the 7th digit names another century
      if (CprModulus11(number) == 0) continue;
      if (Contains(known, number)) continue;
      creditor_.id = fmt::format("{:010}", number);
      return Status::Ok();
    }
    return Status::Internal("no unknown CPR number found: the population holds nearly all");
  }

  // Day 32-39 or month 13-19: no such date, in any century.
  void SetInvalidCpr(Rng& rng) {
    uint64_t day = 32 + rng.Below(8);
    uint64_t month = 1 + rng.Below(12);
    if (rng.Chance(500)) {
      day = 1 + rng.Below(28);
      month = 13 + rng.Below(7);
    }
    const uint64_t number = day * 100'000'000 + month * 1'000'000 + rng.Below(1'000'000);
    NKS_CHECK(!Cpr::FromNumber(number).ok());
    creditor_.id = fmt::format("{:010}", number);
  }

  // Half as BBAN (registration + account number), half as DK IBAN.
  void SetDanishAccount(Rng& rng) {
    constexpr uint64_t kAccountNumberBase = 1'000'000'000;
    const uint32_t registration = rng.Pick(kRegistrationNumbers);
    const uint64_t account = kAccountNumberBase + rng.Below(9 * kAccountNumberBase);
    if (rng.Chance(500)) {
      creditor_.account_form = AccountForm::kBban;
      creditor_.account = fmt::format("{:04}{:010}", registration, account);
      return;
    }
    const auto danish = DanishAccount::Of(registration, account);
    NKS_CHECK(danish.ok());
    creditor_.account_form = AccountForm::kIban;
    creditor_.account = danish->ToIban();
  }

  void SetForeignAccount(Rng& rng) {
    const ForeignBank& bank = rng.Pick(kForeignBanks);
    std::string bban(bank.bank_code);
    for (int k = 0; k < bank.account_digits; ++k) bban.push_back(rng.Digit());
    const uint32_t check = 98 - Mod97(bban + std::string(bank.country) + "00");
    creditor_.account_form = AccountForm::kIban;
    creditor_.account = fmt::format("{}{:02}{}", bank.country, check, bban);
    creditor_.bic = bank.bic;
    NKS_CHECK(IbanChecksumOk(creditor_.account));
  }


  const PaymentsOptions& options_;
  const Decider& decider_;
  Population& population_;
  Layout& out_;
  std::array<std::string, kBenefitTypes.size()> remittance_texts_;  // "Boligstøtte november 2026"
  uint64_t end_to_end_ids_issued_ = 0;  // distinct EndToEndIds written so far
  std::string end_to_end_id_;           // of the payment being written
  Creditor creditor_;                   // of the payment being written
};

// ---- Options ----------------------------------------------------------------------

Status CheckOptions(const PaymentsOptions& o) {
  if (o.count == 0 || o.count > kPaymentsMax) {
    return Status::Invalid(fmt::format("count: must be 1..{}", kPaymentsMax));
  }
  if (!o.payout_date.ok() || o.payout_date.year() < std::chrono::year{2000} ||
      o.payout_date.year() > std::chrono::year{9999}) {
    return Status::Invalid("date: not a valid payout date");
  }
  if (o.message_id.empty() || o.message_id.size() > kMax35TextChars) {
    return Status::Invalid(fmt::format("message id: must be 1..{} characters", kMax35TextChars));
  }
  for (const char c : o.message_id) {
    if (c <= ' ' || c > '~') return Status::Invalid("message id: printable ASCII without spaces only");
  }
  uint64_t weights = 0;
  for (const uint32_t w : o.mix.weights) weights += w;
  if (weights == 0) return Status::Invalid("mix: all weights are 0");
  if (weights > UINT32_MAX) return Status::Invalid("mix: weights too large");
  return Status::Ok();
}

// Fills in the defaults that depend on other options.
PaymentsOptions WithDefaults(PaymentsOptions o) {
  if (o.message_id.empty()) o.message_id = fmt::format("GEN-{}-{}", o.seed, o.count);
  if (!o.created_at && o.payout_date.ok()) {
    constexpr auto kDaysBefore = std::chrono::days{3};
    constexpr auto kTimeOfDay = std::chrono::hours{20};
    o.created_at = FromCopenhagen(Date{std::chrono::sys_days{o.payout_date} - kDaysBefore}, kTimeOfDay);
  }
  return o;
}

}  // namespace

std::string_view PaymentKindName(PaymentKind kind) {
  return kKindNames[static_cast<size_t>(kind)];
}

PaymentMix DefaultPaymentMix() { return PaymentMix{kDefaultWeights}; }

Result<PaymentMix> ParsePaymentMix(std::string_view text) {
  PaymentMix mix;
  std::array<bool, kPaymentKindCount> named{};
  for (bool last = false; !last;) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    last = comma == std::string_view::npos;
    text = last ? "" : text.substr(comma + 1);
    const size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      return Status::Invalid(fmt::format("mix: '{}': write kind=weight", item));
    }
    NKS_ASSIGN_OR_RETURN(const PaymentKind kind, ParseKind(item.substr(0, equals)));
    const auto k = static_cast<size_t>(kind);
    if (named[k]) return Status::Invalid(fmt::format("mix: {} named twice", kKindNames[k]));
    named[k] = true;
    const auto weight = ParseWeight(item.substr(equals + 1));
    if (!weight.ok()) return weight.status().WithContext(fmt::format("mix: {}", kKindNames[k]));
    mix.weights[k] = *weight;
  }
  uint64_t total = 0;
  for (const uint32_t w : mix.weights) total += w;
  if (total == 0) return Status::Invalid("mix: name at least one kind with a weight above 0");
  return mix;
}

Result<PaymentsReport> GeneratePayments(const PaymentsOptions& options, const fs::path& out_file,
                                        const ProgressFn& progress,
                                        const PaymentObserverFn& observe) {
  const PaymentsOptions o = WithDefaults(options);
  NKS_RETURN_IF_ERROR(CheckOptions(o));
  NKS_ASSIGN_OR_RETURN(Population population, ReadPopulation(o.population_dir));
  NKS_RETURN_IF_ERROR(CheckPools(population, o.mix, o.population_dir));
  const Decider decider(o.seed, o.mix);
  const Plan plan = MakePlan(o.count, decider);
  std::unique_ptr<Layout> out;
  if (o.format == PaymentFileFormat::kCsv) {
    out = std::make_unique<CsvLayout>(out_file);
  } else {
    out = std::make_unique<XmlLayout>(out_file);
  }
  NKS_RETURN_IF_ERROR(out->Create());
  NKS_RETURN_IF_ERROR(PaymentWriter(o, decider, population, *out).Run(plan, progress, observe));
  NKS_RETURN_IF_ERROR(out->Close());
  NKS_RETURN_IF_ERROR(out->Commit());
  PaymentsReport report;
  report.message_id = o.message_id;
  report.payments = o.count;
  report.payment_infos = plan.blocks.size();
  report.control_sum_ore = plan.control_sum_ore;
  report.kind_counts = plan.kind_counts;
  return report;
}

Result<fs::path> DefaultPopulationDir(const fs::path& out_file) {
  fs::path dir = out_file.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::is_regular_file(dir / "cpr.csv", ec)) {
    return Status::FailedPrecondition(fmt::format(
        "no population: {} holds no cpr.csv; name one with --population DIR (written by "
        "'nks gen population --out DIR')",
        dir.string()));
  }
  return dir;
}

}  // namespace nks::gen
