#include "nks/gen/population.h"

#include "nks/gen/output_file.h"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "nks/gen/random.h"

// Design, with the benchmark's numbers (6,000,000 persons, 800,000
// companies): every row is built from a seeded xoshiro256** stream into a
// reused buffer and written in 1 MiB blocks (~800 MB in all). Uniqueness
// needs no set of issued numbers: CVR, SE, P and account numbers are keyed
// permutations of their number spaces walked in order, and CPR numbers are
// taken per birth date from a keyed walk over its 10,000 serials, so the
// state is one 2-byte walk position per birth date (~32,000 dates).

namespace nks::gen {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kProgressIntervalRows = 1 << 16;    // rows between progress calls

// Shares of rows, in per mille.
constexpr uint32_t kPersonActivePerMille = 965;
constexpr uint32_t kPersonDeadPerMille = 20;
constexpr uint32_t kPersonEmigratedPerMille = 10;  // the rest (5) is protected
constexpr uint32_t kPersonNemKontoPerMille = 970;
constexpr uint32_t kPersonForeignAccountPerMille = 10;  // of those with a NemKonto
constexpr uint32_t kForeignBicPerMille = 800;           // foreign accounts given with /BIC
constexpr uint32_t kCompanyActivePerMille = 940;
constexpr uint32_t kCompanySePerMille = 250;
constexpr uint32_t kCompanyExtraPUnitsPerMille = 200;  // get 2-4 P-units beyond the first
constexpr uint32_t kCompanyNemKontoPerMille = 950;
constexpr uint32_t kSeNemKontoPerMille = 100;
constexpr uint32_t kPUnitNemKontoPerMille = 50;
constexpr uint32_t kPersonFlatPerMille = 450;  // addresses with floor and side
constexpr uint32_t kCompanyFlatPerMille = 200;

// Number spaces. CVR and SE numbers share the 8-digit format, so they get
// disjoint first digits; P-numbers are 10 digits starting with 9 (a CPR
// number never starts with 9: its first digits are a day, 01-31).
constexpr uint64_t kCvrFirstDigit = 8;
constexpr uint64_t kSeFirstDigit = 9;
constexpr uint64_t kPNumberBase = 9'000'000'000;
constexpr uint64_t kPNumberCount = 1'000'000'000;
constexpr uint64_t kAccountNumberBase = 1'000'000'000;  // Danish account numbers: 10 digits
constexpr uint64_t kAccountNumberCount = 9'000'000'000;
// Short (6-digit) parts of foreign account numbers: at kPersonsMax about
// 485,000 foreign accounts (+1/11 Norwegian retries) are needed.
constexpr uint64_t kForeignNumberCount = 1'000'000;
constexpr uint32_t kCprSerialCount = 10'000;

// ---- Data tables ----------------------------------------------------------

constexpr auto kMaleFirstNames = std::to_array<std::string_view>(
    {"Peter",    "Jens",   "Lars",      "Michael", "Henrik", "Thomas",   "Søren",  "Jan",
     "Niels",    "Anders", "Christian", "Martin",  "Morten", "Jesper",   "Rasmus", "Mads",
     "Frederik", "Mikkel", "Jørgen",    "Ole",     "Bjørn",  "Kim",      "Per",    "Hans",
     "Poul",     "Erik",   "Knud",      "Torben",  "Steen",  "Bo",       "Emil",   "Lucas",
     "William",  "Oliver", "Noah",      "Victor",  "Magnus", "Malthe",   "Oscar",  "Carl",
     "Aage",     "Åge",    "Jørn",      "Kåre",    "Bent",   "Flemming", "Preben", "Svend",
     "Asger",    "Elias"});

constexpr auto kFemaleFirstNames = std::to_array<std::string_view>(
    {"Anne",     "Kirsten",  "Hanne",    "Mette",   "Anna",     "Helle",  "Susanne",   "Lene",
     "Maria",    "Marianne", "Lone",     "Camilla", "Pia",      "Louise", "Charlotte", "Inge",
     "Tina",     "Bente",    "Jette",    "Karen",   "Birgitte", "Signe",  "Ida",       "Emma",
     "Freja",    "Sofie",    "Clara",    "Laura",   "Agnes",    "Alma",   "Ellen",     "Åse",
     "Ragnhild", "Sørine",   "Kamma",    "Bodil",   "Gudrun",   "Grethe", "Solveig",   "Astrid",
     "Frida",    "Josefine", "Mathilde", "Asta",    "Nanna",    "Rikke",  "Dorthe",    "Else",
     "Gitte",    "Trine"});

constexpr auto kMiddleNames = std::to_array<std::string_view>(
    {"Bach",     "Holm",        "Lund",  "Dam",      "Juul",  "Skov",     "Krogh",    "Bang",
     "Kjær",     "Vind",        "Friis", "Buch",     "Høj",   "Bøgh",     "Lykke",    "Brix",
     "Mølgaard", "Brøndum",     "Bæk",   "Sønderby", "Ravn",  "Storm",    "Lindholm", "Damgaard",
     "Aagaard",  "Vestergaard", "Kragh", "Bendix",   "Kvist", "Østergård"});

constexpr auto kSurnames = std::to_array<std::string_view>(
    {"Nielsen",     "Jensen",      "Hansen",    "Pedersen",     "Andersen",  "Christensen",
     "Larsen",      "Sørensen",    "Rasmussen", "Jørgensen",    "Petersen",  "Madsen",
     "Kristensen",  "Olsen",       "Thomsen",   "Christiansen", "Poulsen",   "Johansen",
     "Møller",      "Mortensen",   "Knudsen",   "Jakobsen",     "Mikkelsen", "Olesen",
     "Frederiksen", "Laursen",     "Henriksen", "Lund",         "Holm",      "Schmidt",
     "Eriksen",     "Kristiansen", "Clausen",   "Simonsen",     "Svendsen",  "Andreasen",
     "Iversen",     "Østergaard",  "Jeppesen",  "Vestergaard",  "Nissen",    "Lauridsen",
     "Kjær",        "Jepsen",      "Mogensen",  "Nørgaard",     "Jessen",    "Søndergaard",
     "Bech",        "Dahl",        "Bertelsen", "Bak",          "Kjærgaard", "Bæk",
     "Skovgaard",   "Brødsgaard",  "Bækgaard",  "Hækkerup",     "Gråbøl",    "Kjærsgaard"});

constexpr auto kStreets = std::to_array<std::string_view>({"Vestergade",
                                                           "Østergade",
                                                           "Nørregade",
                                                           "Søndergade",
                                                           "Algade",
                                                           "Torvegade",
                                                           "Skolevej",
                                                           "Kirkevej",
                                                           "Møllevej",
                                                           "Stationsvej",
                                                           "Bakkevej",
                                                           "Egevej",
                                                           "Birkevej",
                                                           "Bøgevej",
                                                           "Lindevej",
                                                           "Ahornvej",
                                                           "Havnegade",
                                                           "Strandvejen",
                                                           "Kongevejen",
                                                           "Ryesgade",
                                                           "Åboulevarden",
                                                           "Jernbanegade",
                                                           "Nørrebrogade",
                                                           "Amagerbrogade",
                                                           "Vesterbrogade",
                                                           "Østerbrogade",
                                                           "Frederiksberg Allé",
                                                           "Tværgade",
                                                           "Præstevænget",
                                                           "Engvej",
                                                           "Skovvej",
                                                           "Solsikkevej",
                                                           "Fasanvej",
                                                           "Rosenvænget",
                                                           "Hyldevej",
                                                           "Kærvej",
                                                           "Søvej",
                                                           "Åvej",
                                                           "Grønnegade",
                                                           "Bredgade",
                                                           "Store Kongensgade",
                                                           "Fælledvej",
                                                           "Gammel Kongevej",
                                                           "Hørsholmvej",
                                                           "Ærøvej",
                                                           "Læssøegade",
                                                           "Sønder Allé",
                                                           "Mågevej",
                                                           "Bøgebakken",
                                                           "Hjortevænget",
                                                           "Kløvervej",
                                                           "Tranevej",
                                                           "Lærkevej",
                                                           "Valmuevej",
                                                           "Nyvej",
                                                           "Vibevej"});

constexpr auto kFloors =
    std::to_array<std::string_view>({"st.", "1.", "1.", "2.", "2.", "3.", "3.", "4.", "5."});
constexpr auto kSides = std::to_array<std::string_view>({"th.", "tv.", "th.", "tv.", "mf."});

struct PostTown {
  uint32_t postcode;
  std::string_view city;
};

// Real Danish postcodes and their towns.
constexpr auto kPostTowns = std::to_array<PostTown>(
    {{1050, "København K"},    {1620, "København V"},  {2000, "Frederiksberg"},
     {2100, "København Ø"},    {2200, "København N"},  {2300, "København S"},
     {2400, "København NV"},   {2450, "København SV"}, {2500, "Valby"},
     {2600, "Glostrup"},       {2610, "Rødovre"},      {2620, "Albertslund"},
     {2630, "Taastrup"},       {2640, "Hedehusene"},   {2650, "Hvidovre"},
     {2660, "Brøndby Strand"}, {2670, "Greve"},        {2680, "Solrød Strand"},
     {2700, "Brønshøj"},       {2720, "Vanløse"},      {2730, "Herlev"},
     {2740, "Skovlunde"},      {2750, "Ballerup"},     {2760, "Måløv"},
     {2765, "Smørum"},         {2770, "Kastrup"},      {2791, "Dragør"},
     {2800, "Kongens Lyngby"}, {2820, "Gentofte"},     {2830, "Virum"},
     {2840, "Holte"},          {2850, "Nærum"},        {2860, "Søborg"},
     {2880, "Bagsværd"},       {2900, "Hellerup"},     {2920, "Charlottenlund"},
     {2930, "Klampenborg"},    {2950, "Vedbæk"},       {2970, "Hørsholm"},
     {2990, "Nivå"},           {3000, "Helsingør"},    {3050, "Humlebæk"},
     {3060, "Espergærde"},     {3100, "Hornbæk"},      {3140, "Ålsgårde"},
     {3200, "Helsinge"},       {3250, "Gilleleje"},    {3300, "Frederiksværk"},
     {3390, "Hundested"},      {3400, "Hillerød"},     {3460, "Birkerød"},
     {3480, "Fredensborg"},    {3500, "Værløse"},      {3520, "Farum"},
     {3600, "Frederikssund"},  {3650, "Ølstykke"},     {3660, "Stenløse"},
     {3700, "Rønne"},          {3730, "Nexø"},         {4000, "Roskilde"},
     {4100, "Ringsted"},       {4200, "Slagelse"},     {4220, "Korsør"},
     {4300, "Holbæk"},         {4400, "Kalundborg"},   {4600, "Køge"},
     {4700, "Næstved"},        {4720, "Præstø"},       {4760, "Vordingborg"},
     {4800, "Nykøbing F"},     {4900, "Nakskov"},      {5000, "Odense C"},
     {5200, "Odense V"},       {5500, "Middelfart"},   {5600, "Faaborg"},
     {5700, "Svendborg"},      {5800, "Nyborg"},       {5900, "Rudkøbing"},
     {6000, "Kolding"},        {6100, "Haderslev"},    {6200, "Aabenraa"},
     {6270, "Tønder"},         {6400, "Sønderborg"},   {6500, "Vojens"},
     {6600, "Vejen"},          {6700, "Esbjerg"},      {6800, "Varde"},
     {6900, "Skjern"},         {6950, "Ringkøbing"},   {7000, "Fredericia"},
     {7100, "Vejle"},          {7190, "Billund"},      {7400, "Herning"},
     {7500, "Holstebro"},      {7600, "Struer"},       {7700, "Thisted"},
     {7800, "Skive"},          {8000, "Aarhus C"},     {8200, "Aarhus N"},
     {8210, "Aarhus V"},       {8220, "Brabrand"},     {8240, "Risskov"},
     {8260, "Viby J"},         {8300, "Odder"},        {8400, "Ebeltoft"},
     {8500, "Grenaa"},         {8600, "Silkeborg"},    {8660, "Skanderborg"},
     {8700, "Horsens"},        {8800, "Viborg"},       {8900, "Randers C"},
     {9000, "Aalborg"},        {9200, "Aalborg SV"},   {9400, "Nørresundby"},
     {9700, "Brønderslev"},    {9800, "Hjørring"},     {9900, "Frederikshavn"},
     {9990, "Skagen"}});

constexpr auto kTrades = std::to_array<std::string_view>({"Tømrer",        "Maler",
                                                          "Murer",         "VVS",
                                                          "El-service",    "Vognmandsforretning",
                                                          "Auto",          "Rengøring",
                                                          "Revision",      "Bageri",
                                                          "Blomster",      "Frisør",
                                                          "Kloakservice",  "Smedie",
                                                          "Anlægsgartner", "Entreprise",
                                                          "Consulting",    "Ejendomme",
                                                          "Holding",       "Byg",
                                                          "Køleteknik",    "Tandlægeklinik",
                                                          "Fysioterapi",   "Låsesmed",
                                                          "Træ & Værktøj"});

constexpr auto kFantasyNames = std::to_array<std::string_view>(
    {"Nordlys",    "Havblik",     "Solsikken",   "Bøgely",     "Skovly",
     "Fjordbyen",  "Kystlinjen",  "Lærkereden",  "Ørnereden",  "Ådalen",
     "Egetræet",   "Stjerneskud", "Vesterhavet", "Himmelblå",  "Grønne Dal",
     "Møllehuset", "Søbakken",    "Fyrtårnet",   "Klitgården", "Fælleden"});

constexpr auto kFirmPrefixes = std::to_array<std::string_view>(
    {"Tømrerfirmaet", "Malerfirmaet", "Murerfirmaet", "VVS-firmaet", "Elfirmaet",
     "Anlægsgartnerfirmaet", "Vognmand", "Revisionsfirmaet"});

constexpr auto kVenues = std::to_array<std::string_view>({"Restaurant", "Café", "Kro", "Hotel"});

constexpr auto kCompanySuffixes = std::to_array<std::string_view>(
    {"ApS", "ApS", "ApS", "ApS", "ApS", "A/S", "A/S", "A/S", "I/S", "P/S", "K/S"});

// Plausible Danish bank registration numbers.
constexpr auto kRegistrationNumbers =
    std::to_array<uint32_t>({1199, 1551, 2191, 2222, 3001, 3409, 4180, 5301, 5470, 6140, 7244, 7890,
                             8401, 9070, 9280, 9570, 9860});

struct ForeignBank {
  std::string_view country;
  std::string_view code;  // the bank part of the BBAN
  std::string_view bic;
};

constexpr auto kForeignBanks =
    std::to_array<ForeignBank>({{"DE", "10010010", "PBNKDEFF"},   {"DE", "37040044", "COBADEFFXXX"},
                                {"DE", "50070010", "DEUTDEFF"},   {"SE", "500", "ESSESESS"},
                                {"SE", "800", "SWEDSESS"},        {"SE", "300", "NDEASESS"},
                                {"NO", "1503", "DNBANOKK"},       {"NO", "6063", "NDEANOKK"},
                                {"GB", "NWBK601613", "NWBKGB2L"}, {"GB", "BARC200000", "BARCGB22"},
                                {"GB", "LOYD309634", "LOYDGB2L"}, {"FR", "30004", "BNPAFRPP"},
                                {"FR", "30003", "SOGEFRPP"},      {"FR", "20041", "PSSTFRPP"},
                                {"ES", "0049", "BSCHESMM"},       {"ES", "2100", "CAIXESBB"},
                                {"ES", "0182", "BBVAESMM"},       {"PL", "102", "BPKOPLPW"},
                                {"PL", "114", "BREXPLPW"},        {"PL", "109", "WBKPPLPP"}});

// ---- Randomness (Rng, Mix64, StreamSeed: nks/gen/random.h) ---------------

enum Stream : uint64_t {
  kPersons = 1,
  kCompanies,
  kCprWalk,
  kCvrOrder,
  kSeOrder,
  kPOrder,
  kAccounts,
  kForeignAccounts
};

// A keyed bijection on [0, size): a 4-round Feistel network on the smallest
// even number of bits that covers size, with cycle walking (re-encrypt until
// the value falls inside; it terminates because the start is inside).
class KeyedPermutation {
 public:
  KeyedPermutation(uint64_t size, uint64_t key) : size_(size) {
    while ((uint64_t{1} << (2 * half_bits_)) < size) ++half_bits_;
    half_mask_ = (uint64_t{1} << half_bits_) - 1;
    for (size_t r = 0; r < round_keys_.size(); ++r) round_keys_[r] = Mix64(key + r);
  }

  uint64_t size() const { return size_; }
  uint64_t Map(uint64_t index) const {
    NKS_CHECK(index < size_);
    uint64_t x = index;
    do {
      x = Encrypt(x);
    } while (x >= size_);
    return x;
  }

 private:
  uint64_t Encrypt(uint64_t x) const {
    uint64_t left = x >> half_bits_;
    uint64_t right = x & half_mask_;
    for (const uint64_t key : round_keys_) {
      const uint64_t mixed = left ^ (Mix64(right ^ key) & half_mask_);
      left = right;
      right = mixed;
    }
    return (left << half_bits_) | right;
  }

  uint64_t size_;
  int half_bits_ = 0;
  uint64_t half_mask_ = 0;
  std::array<uint64_t, 4> round_keys_{};
};

// Distinct 8-digit numbers passing the CVR/SE modulus-11 rule (weights
// 2,7,6,5,4,3,2,1), all with one first digit, in a keyed order.
class Mod11Sequence {
 public:
  Mod11Sequence(uint64_t first_digit, uint64_t key)
      : first_digit_(first_digit), order_(kSuffixCount, key) {}

  std::optional<uint64_t> Next() {
    while (next_index_ < order_.size()) {
      const uint64_t prefix = first_digit_ * kSuffixCount + order_.Map(next_index_++);
      if (const auto check = CheckDigit(prefix)) return prefix * 10 + *check;
    }
    return std::nullopt;
  }

 private:
  static constexpr uint64_t kSuffixCount = 1'000'000;  // digits 2-7

  // The 8th digit that makes the weighted sum divisible by 11, if any.
  static std::optional<uint64_t> CheckDigit(uint64_t seven_digits) {
    constexpr std::array<uint64_t, 7> kWeights{2, 7, 6, 5, 4, 3, 2};
    uint64_t sum = 0;
    for (size_t k = kWeights.size(); k-- > 0; seven_digits /= 10) {
      sum += kWeights[k] * (seven_digits % 10);
    }
    const uint64_t check = (11 - sum % 11) % 11;
    if (check == 10) return std::nullopt;
    return check;
  }

  uint64_t first_digit_;
  KeyedPermutation order_;
  uint64_t next_index_ = 0;
};

// ---- Synthetic CPR numbers ---------------------------------------------
// Why these can never be a real person's number: until 1 October 2007 the
// CPR office issued only numbers whose modulus-11 check (weights
// 4,3,2,7,6,5,4,3,2,1 over all ten digits) holds; the only exceptions were a
// few 1 January dates, used for immigrants with an unknown birth date, whose
// mod-11 numbers ran out. Numbers failing the check have been issued since
// 2007 only for birth dates whose mod-11 numbers were used up, in practice
// those 1 January dates. So we use birth dates 1920-01-02..2006-12-31, never
// 1 January, and ONLY serial numbers whose check FAILS; the 7th digit always
// gives the right century by the rule of SPEC §2.

constexpr int kBirthYearFirst = 1920;
constexpr int kBirthYearLast = 2006;

struct BirthDate {
  uint16_t year;
  uint8_t month;
  uint8_t day;
  uint8_t date_weighted_sum_mod11;  // weights 4,3,2,7,6,5 over DDMMYY
};

// The century SPEC §2 reads from the 7th digit and the two-digit year.
int CenturyOf(uint32_t seventh_digit, int two_digit_year) {
  if (seventh_digit <= 3) return 1900;
  if (seventh_digit == 4 || seventh_digit == 9) return two_digit_year <= 36 ? 2000 : 1900;
  return two_digit_year <= 57 ? 2000 : 1800;
}

std::vector<BirthDate> SyntheticBirthDates() {
  using namespace std::chrono;
  std::vector<BirthDate> dates;
  const sys_days first{year{kBirthYearFirst} / January / 2};
  const sys_days last{year{kBirthYearLast} / December / 31};
  for (sys_days d = first; d <= last; d += days{1}) {
    const year_month_day ymd{d};
    const auto dd = static_cast<uint32_t>(unsigned{ymd.day()});
    const auto mm = static_cast<uint32_t>(unsigned{ymd.month()});
    if (dd == 1 && mm == 1) continue;  // see above: 1 January is never used
    const auto yy = static_cast<uint32_t>(int{ymd.year()} % 100);
    const uint32_t sum = 4 * (dd / 10) + 3 * (dd % 10) + 2 * (mm / 10) + 7 * (mm % 10) +
                         6 * (yy / 10) + 5 * (yy % 10);
    dates.push_back({static_cast<uint16_t>(int{ymd.year()}), static_cast<uint8_t>(mm),
                     static_cast<uint8_t>(dd), static_cast<uint8_t>(sum % 11)});
  }
  return dates;
}

// Hands out distinct synthetic CPR numbers. Each birth date walks its
// serials 0000-9999 in a keyed affine order (step coprime to 10,000),
// skipping serials of the wrong century and those passing modulus 11; the
// only state is the walk position per date. Capacity: ~161 million numbers.
class CprAllocator {
 public:
  explicit CprAllocator(uint64_t key)
      : dates_(SyntheticBirthDates()), walk_position_(dates_.size(), 0), key_(key) {}

  size_t date_count() const { return dates_.size(); }

  // A new number born on date `date_index`, or on the next date with
  // serials left.
  uint64_t Take(size_t date_index) {
    for (size_t tried = 0; tried < dates_.size(); ++tried) {
      const size_t d = (date_index + tried) % dates_.size();
      if (const auto serial = NextSerial(d)) return CprNumber(dates_[d], *serial);
    }
    NKS_CHECK(!"synthetic CPR numbers exhausted (kPersonsMax is far below capacity)");
    return 0;
  }

 private:
  std::optional<uint32_t> NextSerial(size_t d) {
    const uint64_t h = Mix64(key_ ^ (d * kGoldenGamma));
    uint32_t step = static_cast<uint32_t>(h % kCprSerialCount) | 1;  // odd
    if (step % 5 == 0) step = (step + 2) % kCprSerialCount;          // and not a multiple of 5
    const auto offset = static_cast<uint32_t>((h >> 32) % kCprSerialCount);
    uint16_t& position = walk_position_[d];
    while (position < kCprSerialCount) {
      const uint32_t serial = (step * position + offset) % kCprSerialCount;
      ++position;
      if (SerialUsable(dates_[d], serial)) return serial;
    }
    return std::nullopt;
  }

  static bool SerialUsable(const BirthDate& date, uint32_t serial) {
    const uint32_t seventh = serial / 1000;
    if (CenturyOf(seventh, date.year % 100) != date.year / 100 * 100) return false;
    const uint32_t sum = date.date_weighted_sum_mod11 + 4 * seventh + 3 * (serial / 100 % 10) +
                         2 * (serial / 10 % 10) + serial % 10;
    return sum % 11 != 0;  // fails modulus 11: never issued before 2007
  }

  static uint64_t CprNumber(const BirthDate& date, uint32_t serial) {
    return uint64_t{date.day} * 100'000'000 + uint64_t{date.month} * 1'000'000 +
           uint64_t{date.year % 100u} * 10'000 + serial;
  }

  std::vector<BirthDate> dates_;
  std::vector<uint16_t> walk_position_;  // serials of the date's walk tried so far
  uint64_t key_;
};

// ---- Foreign accounts -----------------------------------------------------

void AppendDigits(std::string& out, uint64_t value, int width) {
  char digits[20];
  for (int k = width - 1; k >= 0; --k, value /= 10) digits[k] = static_cast<char>('0' + value % 10);
  out.append(digits, static_cast<size_t>(width));
}

void AppendNumber(std::string& out, uint64_t value) {  // no leading zeros
  int width = 1;
  for (uint64_t rest = value / 10; rest > 0; rest /= 10) ++width;
  AppendDigits(out, value, width);
}

void AppendRandomDigits(Rng& rng, std::string& out, int count) {
  for (int k = 0; k < count; ++k) out.push_back(rng.Digit());
}

// ISO 7064 mod 97-10 over digits and letters (A=10 .. Z=35).
uint32_t Mod97(std::string_view text) {
  uint32_t r = 0;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      r = (r * 10 + static_cast<uint32_t>(c - '0')) % 97;
    } else {
      r = (r * 100 + static_cast<uint32_t>(c - 'A' + 10)) % 97;
    }
  }
  return r;
}

uint32_t WeightedDigitSum(std::string_view digits, const uint32_t* weights) {
  uint32_t sum = 0;
  for (size_t k = 0; k < digits.size(); ++k) {
    sum += weights[k] * static_cast<uint32_t>(digits[k] - '0');
  }
  return sum;
}

// Digits that make foreign account numbers distinct.
struct UniqueDigits {
  uint64_t ten;  // < 9e9, distinct over all accounts
  uint64_t six;  // < 1e6, distinct over foreign accounts (for short formats)
};

// Norway: 4 bank + 6 account digits + a modulus-11 check digit. False when
// the digits give check digit 10: such account numbers do not exist.
bool AppendNorwegianBban(std::string_view bank, uint64_t unique_six, std::string& bban) {
  static constexpr uint32_t kWeights[] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
  bban.append(bank);
  AppendDigits(bban, unique_six, 6);
  const uint32_t check = (11 - WeightedDigitSum(bban, kWeights) % 11) % 11;
  if (check == 10) return false;
  bban.push_back(static_cast<char>('0' + check));
  return true;
}

// Spain: bank, branch, two control digits (mod 11), 10 account digits.
void AppendSpanishBban(Rng& rng, std::string_view bank, uint64_t unique, std::string& bban) {
  static constexpr uint32_t kWeights[] = {1, 2, 4, 8, 5, 10, 9, 7, 3, 6};
  const auto control = [](std::string_view ten_digits) {
    const uint32_t d = 11 - WeightedDigitSum(ten_digits, kWeights) % 11;
    return static_cast<char>('0' + (d == 11 ? 0 : d == 10 ? 1 : d));
  };
  std::string office = "00";
  office.append(bank);
  AppendRandomDigits(rng, office, 4);
  std::string account;
  AppendDigits(account, unique, 10);
  bban.append(office, 2, 8);
  bban.push_back(control(office));
  bban.push_back(control(account));
  bban.append(account);
}

// France: bank, branch, 11 account digits, the 2-digit RIB key.
void AppendFrenchBban(Rng& rng, std::string_view bank, uint64_t unique, std::string& bban) {
  bban.append(bank);
  AppendRandomDigits(rng, bban, 5);
  AppendRandomDigits(rng, bban, 1);
  AppendDigits(bban, unique, 10);
  const auto value = [&](size_t begin, size_t count) {
    uint64_t v = 0;
    for (size_t k = begin; k < begin + count; ++k)
      v = v * 10 + static_cast<uint64_t>(bban[k] - '0');
    return v;
  };
  const uint64_t key = 97 - (89 * value(0, 5) + 15 * value(5, 5) + 3 * value(10, 11)) % 97;
  AppendDigits(bban, key, 2);
}

// Poland: 3-digit bank, 4-digit branch, check digit, 16 account digits.
void AppendPolishBban(Rng& rng, std::string_view bank, uint64_t unique, std::string& bban) {
  static constexpr uint32_t kWeights[] = {3, 9, 7, 1, 3, 9, 7};
  bban.append(bank);
  AppendRandomDigits(rng, bban, 4);
  bban.push_back(static_cast<char>('0' + (10 - WeightedDigitSum(bban, kWeights) % 10) % 10));
  AppendRandomDigits(rng, bban, 6);
  AppendDigits(bban, unique, 10);
}

bool AppendBban(Rng& rng, const ForeignBank& bank, UniqueDigits unique_digits, std::string& bban) {
  const std::string_view country = bank.country;
  const uint64_t unique = unique_digits.ten;
  if (country == "DE") {  // 8-digit bank code + 10-digit account
    bban.append(bank.code);
    AppendDigits(bban, unique, 10);
  } else if (country == "SE") {  // 3-digit bank + 17-digit account
    bban.append(bank.code);
    AppendRandomDigits(rng, bban, 7);
    AppendDigits(bban, unique, 10);
  } else if (country == "NO") {
    return AppendNorwegianBban(bank.code, unique_digits.six, bban);
  } else if (country == "GB") {  // 4-letter bank + 6-digit sort code + 8-digit account
    bban.append(bank.code);
    AppendRandomDigits(rng, bban, 2);
    AppendDigits(bban, unique_digits.six, 6);
  } else if (country == "FR") {
    AppendFrenchBban(rng, bank.code, unique, bban);
  } else if (country == "ES") {
    AppendSpanishBban(rng, bank.code, unique, bban);
  } else {
    NKS_CHECK(country == "PL");
    AppendPolishBban(rng, bank.code, unique, bban);
  }
  return true;
}

// "DEkk..." with correct ISO 13616 check digits, the country's length and
// the national check digits where the country has them (NO, FR, ES, PL).
// False when the digits cannot form a valid account (draw others).
bool ForeignIban(Rng& rng, const ForeignBank& bank, UniqueDigits unique, std::string& out) {
  std::string bban;
  if (!AppendBban(rng, bank, unique, bban)) return false;
  std::string rotated = bban;
  rotated.append(bank.country).append("00");
  out.clear();
  out.append(bank.country);
  AppendDigits(out, 98 - Mod97(rotated), 2);
  out.append(bban);
  return true;
}

// ---- Names and addresses -----------------------------------------------

void PersonName(Rng& rng, std::string& out) {
  constexpr uint32_t kSecondFirstNamePerMille = 150;
  constexpr uint32_t kMiddleNamePerMille = 350;
  constexpr uint32_t kFemalePerMille = 500;
  const bool female = rng.Chance(kFemalePerMille);
  const auto& first_names = female ? kFemaleFirstNames : kMaleFirstNames;
  out.assign(rng.Pick(first_names));
  if (rng.Chance(kSecondFirstNamePerMille)) out.append(" ").append(rng.Pick(first_names));
  if (rng.Chance(kMiddleNamePerMille)) out.append(" ").append(rng.Pick(kMiddleNames));
  out.append(" ").append(rng.Pick(kSurnames));
}

// "Vestergade 12" or "Vestergade 12B, 2. th."
void StreetAddress(Rng& rng, uint32_t flat_per_mille, std::string& out) {
  constexpr uint64_t kHouseNumberMax = 160;
  constexpr uint32_t kHouseLetterPerMille = 50;
  out.assign(rng.Pick(kStreets));
  out.push_back(' ');
  AppendNumber(out, 1 + rng.Below(kHouseNumberMax));
  if (rng.Chance(kHouseLetterPerMille)) out.push_back(static_cast<char>('A' + rng.Below(4)));
  if (!rng.Chance(flat_per_mille)) return;
  out.append(", ").append(rng.Pick(kFloors)).append(" ").append(rng.Pick(kSides));
}

void CompanyName(Rng& rng, std::string& out) {
  const uint64_t pattern = rng.Below(100);
  const std::string_view suffix = rng.Pick(kCompanySuffixes);
  if (pattern < 30) {  // "Hansen Tømrer ApS"
    out = fmt::format("{} {} {}", rng.Pick(kSurnames), rng.Pick(kTrades), suffix);
  } else if (pattern < 50) {  // "Nordlys A/S"
    out = fmt::format("{} {}", rng.Pick(kFantasyNames), suffix);
  } else if (pattern < 65) {  // "Havblik Rengøring ApS"
    out = fmt::format("{} {} {}", rng.Pick(kFantasyNames), rng.Pick(kTrades), suffix);
  } else if (pattern < 75) {  // "Jensen & Møller I/S"
    out = fmt::format("{} & {} I/S", rng.Pick(kSurnames), rng.Pick(kSurnames));
  } else if (pattern < 87) {  // "Tømrerfirmaet Hansen ApS"
    out = fmt::format("{} {} {}", rng.Pick(kFirmPrefixes), rng.Pick(kSurnames), suffix);
  } else if (pattern < 95) {  // a comma: the field must be quoted
    out = fmt::format("{}, {} og {} Advokater P/S", rng.Pick(kSurnames), rng.Pick(kSurnames),
                      rng.Pick(kSurnames));
  } else {  // quotes inside: doubled in the CSV
    out = fmt::format("{} \"{}\" ApS", rng.Pick(kVenues), rng.Pick(kFantasyNames));
  }
}

std::string_view PersonStatus(Rng& rng) {
  const uint64_t r = rng.Below(1000);
  if (r < kPersonActivePerMille) return "active";
  if (r < kPersonActivePerMille + kPersonDeadPerMille) return "dead";
  if (r < kPersonActivePerMille + kPersonDeadPerMille + kPersonEmigratedPerMille) {
    return "emigrated";
  }
  return "protected";
}

// ---- CSV output --------------------------------------------------------

// A plain loop: find_first_of with a set calls memchr once per character.
bool NeedsQuotes(std::string_view text) {
  for (const char c : text) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
  }
  return false;
}

// One CSV output file (see OutputFile for buffering and the final rename).
class CsvWriter {
 public:
  explicit CsvWriter(fs::path path) : out_(std::move(path)) {}

  Status Open(std::string_view header) {
    NKS_RETURN_IF_ERROR(out_.Create());
    buffer_.append(header).push_back('\n');
    return Status::Ok();
  }

  // RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled.
  void Field(std::string_view text) {
    Separate();
    if (!NeedsQuotes(text)) {
      buffer_.append(text);
      return;
    }
    buffer_.push_back('"');
    for (const char c : text) {
      if (c == '"') buffer_.push_back('"');
      buffer_.push_back(c);
    }
    buffer_.push_back('"');
  }

  void Number(uint64_t value, int width) {  // zero-padded to `width` digits
    Separate();
    AppendDigits(buffer_, value, width);
  }

  void EndRow() {
    buffer_.push_back('\n');
    row_open_ = false;
    out_.FlushIfFull();
  }

  bool failed() const { return out_.failed(); }
  Status Close() { return out_.Close(); }
  Status Commit() { return out_.Commit(); }

 private:
  void Separate() {
    if (row_open_) buffer_.push_back(',');
    row_open_ = true;
  }

  OutputFile out_;
  std::string& buffer_ = out_.buffer();
  bool row_open_ = false;  // a field was written on the current row
};

struct OutputFiles {
  explicit OutputFiles(const fs::path& dir)
      : cpr(dir / "cpr.csv"),
        cvr(dir / "cvr.csv"),
        units(dir / "units.csv"),
        nemkonti(dir / "nemkonti.csv") {}

  Status Open() {
    NKS_RETURN_IF_ERROR(cpr.Open("cpr,name,address,postcode,city,status"));
    NKS_RETURN_IF_ERROR(cvr.Open("cvr,name,address,postcode,city,status"));
    NKS_RETURN_IF_ERROR(units.Open("type,number,cvr"));
    return nemkonti.Open("id_type,id,account,bank");
  }
  bool failed() const {
    return cpr.failed() || cvr.failed() || units.failed() || nemkonti.failed();
  }
  // Closes all (even after an error) and renames them only if all are whole.
  Status CloseAndCommit() {
    Status statuses[] = {cpr.Close(), cvr.Close(), units.Close(), nemkonti.Close()};
    for (Status& s : statuses) NKS_RETURN_IF_ERROR(s);
    NKS_RETURN_IF_ERROR(cpr.Commit());
    NKS_RETURN_IF_ERROR(cvr.Commit());
    NKS_RETURN_IF_ERROR(units.Commit());
    return nemkonti.Commit();
  }

  CsvWriter cpr;
  CsvWriter cvr;
  CsvWriter units;
  CsvWriter nemkonti;
};

// ---- The population -----------------------------------------------------

class PopulationWriter {
 public:
  PopulationWriter(const PopulationOptions& options, const ProgressFn& progress, OutputFiles& files)
      : options_(options),
        progress_(progress),
        files_(files),
        person_rng_(StreamSeed(options.seed, kPersons)),
        company_rng_(StreamSeed(options.seed, kCompanies)),
        cprs_(StreamSeed(options.seed, kCprWalk)),
        cvrs_(kCvrFirstDigit, StreamSeed(options.seed, kCvrOrder)),
        ses_(kSeFirstDigit, StreamSeed(options.seed, kSeOrder)),
        pnumbers_(kPNumberCount, StreamSeed(options.seed, kPOrder)),
        accounts_(kAccountNumberCount, StreamSeed(options.seed, kAccounts)),
        foreign_numbers_(kForeignNumberCount, StreamSeed(options.seed, kForeignAccounts)) {}

  // Stops early when a file cannot be written; the caller reads why.
  void Run() {
    for (uint64_t i = 0; i < options_.persons && !Tick(); ++i) WritePerson();
    for (uint64_t i = 0; i < options_.companies && !Tick(); ++i) WriteCompany();
    if (progress_) progress_(rows_done_, total_rows());
  }

 private:
  uint64_t total_rows() const { return options_.persons + options_.companies; }

  // Counts a row; reports progress now and then. True when writing failed.
  bool Tick() {
    if (rows_done_ % kProgressIntervalRows == 0 && rows_done_ > 0) {
      if (progress_) progress_(rows_done_, total_rows());
      if (files_.failed()) return true;
    }
    ++rows_done_;
    return false;
  }

  void WritePerson() {
    Rng& rng = person_rng_;
    const uint64_t cpr = cprs_.Take(rng.Below(cprs_.date_count()));
    CsvWriter& out = files_.cpr;
    out.Number(cpr, 10);
    PersonName(rng, text_);
    out.Field(text_);
    WriteAddress(rng, kPersonFlatPerMille, out);
    out.Field(PersonStatus(rng));
    out.EndRow();
    if (!rng.Chance(kPersonNemKontoPerMille)) return;
    if (rng.Chance(kPersonForeignAccountPerMille)) {
      WriteForeignNemKonto(rng, cpr);
    } else {
      WriteDanishNemKonto(rng, "cpr", cpr, 10);
    }
  }

  void WriteCompany() {
    Rng& rng = company_rng_;
    const std::optional<uint64_t> cvr = cvrs_.Next();
    NKS_CHECK(cvr.has_value());  // kCompaniesMax keeps within the ~909,000 numbers
    CsvWriter& out = files_.cvr;
    out.Number(*cvr, 8);
    CompanyName(rng, text_);
    out.Field(text_);
    WriteAddress(rng, kCompanyFlatPerMille, out);
    out.Field(rng.Chance(kCompanyActivePerMille) ? "active" : "ceased");
    out.EndRow();
    if (rng.Chance(kCompanyNemKontoPerMille)) WriteDanishNemKonto(rng, "cvr", *cvr, 8);
    WriteUnits(rng, *cvr);
  }

  void WriteUnits(Rng& rng, uint64_t cvr) {
    constexpr uint64_t kExtraPUnitsMin = 2;
    constexpr uint64_t kExtraPUnitsMax = 4;
    if (rng.Chance(kCompanySePerMille)) {
      const std::optional<uint64_t> se = ses_.Next();
      NKS_CHECK(se.has_value());  // at most kCompaniesMax / 4 of ~909,000
      WriteUnit(rng, "se", *se, 8, cvr, kSeNemKontoPerMille);
    }
    uint64_t p_units = 1;
    if (rng.Chance(kCompanyExtraPUnitsPerMille)) {
      p_units += kExtraPUnitsMin + rng.Below(kExtraPUnitsMax - kExtraPUnitsMin + 1);
    }
    for (uint64_t k = 0; k < p_units; ++k) {
      const uint64_t p = kPNumberBase + pnumbers_.Map(next_pnumber_++);
      WriteUnit(rng, "p", p, 10, cvr, kPUnitNemKontoPerMille);
    }
  }

  void WriteUnit(Rng& rng, std::string_view type, uint64_t number, int width, uint64_t cvr,
                 uint32_t nemkonto_per_mille) {
    CsvWriter& out = files_.units;
    out.Field(type);
    out.Number(number, width);
    out.Number(cvr, 8);
    out.EndRow();
    if (rng.Chance(nemkonto_per_mille)) WriteDanishNemKonto(rng, type, number, width);
  }

  void WriteAddress(Rng& rng, uint32_t flat_per_mille, CsvWriter& out) {
    StreetAddress(rng, flat_per_mille, text_);
    out.Field(text_);
    const PostTown& town = rng.Pick(kPostTowns);
    out.Number(town.postcode, 4);
    out.Field(town.city);
  }

  uint64_t NextAccountNumber() { return accounts_.Map(next_account_++); }

  // Reported by the account's own bank: bank = its registration number.
  void WriteDanishNemKonto(Rng& rng, std::string_view id_type, uint64_t id, int width) {
    const uint32_t registration = rng.Pick(kRegistrationNumbers);
    text_.clear();
    AppendDigits(text_, registration, 4);
    text_.push_back('-');
    AppendDigits(text_, kAccountNumberBase + NextAccountNumber(), 10);
    CsvWriter& out = files_.nemkonti;
    out.Field(id_type);
    out.Number(id, width);
    out.Field(text_);
    out.Number(registration, 4);
    out.EndRow();
  }

  // Reported with the foreign bank's BIC; the account text carries the BIC
  // only sometimes, as banks report it.
  void WriteForeignNemKonto(Rng& rng, uint64_t cpr) {
    constexpr int kIbanAttemptsMax = 64;  // a Norwegian number fails 1 time in 11
    const ForeignBank& bank = rng.Pick(kForeignBanks);
    const uint64_t ten = NextAccountNumber();
    int attempts = 1;
    while (!ForeignIban(rng, bank, {ten, foreign_numbers_.Map(next_foreign_++)}, text_)) {
      NKS_CHECK(++attempts <= kIbanAttemptsMax);
    }
    if (rng.Chance(kForeignBicPerMille)) text_.append("/").append(bank.bic);
    CsvWriter& out = files_.nemkonti;
    out.Field("cpr");
    out.Number(cpr, 10);
    out.Field(text_);
    out.Field(bank.bic);
    out.EndRow();
  }

  const PopulationOptions& options_;
  const ProgressFn& progress_;
  OutputFiles& files_;
  Rng person_rng_;
  Rng company_rng_;
  CprAllocator cprs_;
  Mod11Sequence cvrs_;
  Mod11Sequence ses_;
  KeyedPermutation pnumbers_;
  KeyedPermutation accounts_;
  KeyedPermutation foreign_numbers_;
  uint64_t next_pnumber_ = 0;  // P-numbers handed out
  uint64_t next_account_ = 0;  // account numbers handed out
  uint64_t next_foreign_ = 0;  // short foreign account numbers handed out
  uint64_t rows_done_ = 0;     // persons + companies written
  std::string text_;           // the field being built, reused
};

}  // namespace

Status GeneratePopulation(const PopulationOptions& options, const fs::path& out_dir,
                          const ProgressFn& progress) {
  if (options.persons > kPersonsMax) {
    return Status::Invalid(fmt::format("persons: at most {}", kPersonsMax));
  }
  if (options.companies > kCompaniesMax) {
    return Status::Invalid(fmt::format("companies: at most {}", kCompaniesMax));
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec)
    return Status::IoError(fmt::format("{}: cannot create: {}", out_dir.string(), ec.message()));
  OutputFiles files(out_dir);
  NKS_RETURN_IF_ERROR(files.Open());
  PopulationWriter(options, progress, files).Run();
  return files.CloseAndCommit();
}

}  // namespace nks::gen
