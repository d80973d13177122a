#include "nks/core/time.h"

#include <fmt/format.h>

#include <cstdlib>

namespace nks {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;

using LocalMicros = std::chrono::sys_time<microseconds>;  // wall clock as if UTC

constexpr hours kCet{1};
constexpr hours kCest{2};

// 01:00 UTC on the last Sunday of `month` in `y`.
Instant TransitionUtc(std::chrono::year y, std::chrono::month month) {
  const sys_days sunday{y / month / std::chrono::Sunday[std::chrono::last]};
  return Instant{sunday} + hours(1);
}

LocalDateTime SplitLocal(LocalMicros local) {
  const sys_days day = std::chrono::floor<days>(local);
  return LocalDateTime{Date{day}, std::chrono::hh_mm_ss<microseconds>(local - day)};
}

std::string FormatOffset(seconds offset) {
  const char sign = offset < seconds(0) ? '-' : '+';
  const long total = std::labs(static_cast<long>(offset.count()));
  return fmt::format("{}{:02d}:{:02d}", sign, total / 3600, (total % 3600) / 60);
}

std::string FormatWallClock(const LocalDateTime& l) {
  return fmt::format("{}T{:02d}:{:02d}:{:02d}", FormatDate(l.date), l.time.hours().count(),
                     l.time.minutes().count(), l.time.seconds().count());
}

// ---- Parsing ------------------------------------------------------------

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the text being parsed; errors carry no "where" prefix.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  size_t pos() const { return pos_; }
  void Skip() { ++pos_; }

  // Exactly `width` decimal digits naming `what`.
  Result<int> Digits(size_t width, std::string_view what) {
    if (pos_ + width > text_.size()) {
      return Status::Invalid(fmt::format("{} is missing (want {} digits)", what, width));
    }
    int value = 0;
    for (size_t i = 0; i < width; ++i) {
      const char c = text_[pos_ + i];
      if (!IsDigit(c)) {
        return Status::Invalid(fmt::format("{} must be {} digits, found '{}' at position {}", what,
                                           width, c, pos_ + i + 1));
      }
      value = value * 10 + (c - '0');
    }
    pos_ += width;
    return value;
  }

  Status Expect(char want, std::string_view after) {
    if (AtEnd()) {
      return Status::Invalid(fmt::format("expected '{}' after {}, found end of text", want, after));
    }
    if (Peek() != want) {
      return Status::Invalid(fmt::format("expected '{}' after {}, found '{}' at position {}", want,
                                         after, Peek(), pos_ + 1));
    }
    ++pos_;
    return Status::Ok();
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

Status CheckRange(int value, int lo, int hi, std::string_view what) {
  if (value >= lo && value <= hi) return Status::Ok();
  return Status::Invalid(
      fmt::format("{} {:02d} is out of range {:02d}..{:02d}", what, value, lo, hi));
}

Result<Date> ScanDate(Scanner& s) {
  NKS_ASSIGN_OR_RETURN(const int y, s.Digits(4, "year"));
  NKS_RETURN_IF_ERROR(s.Expect('-', "the year"));
  NKS_ASSIGN_OR_RETURN(const int m, s.Digits(2, "month"));
  NKS_RETURN_IF_ERROR(s.Expect('-', "the month"));
  NKS_ASSIGN_OR_RETURN(const int d, s.Digits(2, "day"));
  if (y < 1900 || y > 2199) {
    return Status::Invalid(fmt::format("year {} is out of range 1900..2199", y));
  }
  NKS_RETURN_IF_ERROR(CheckRange(m, 1, 12, "month"));
  const Date date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                  std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok()) {
    return Status::Invalid(fmt::format("day {:02d} does not exist in {:04d}-{:02d}", d, y, m));
  }
  return date;
}

// Digits after the decimal point: 1 to 6, as microseconds.
Result<microseconds> ScanFraction(Scanner& s) {
  long value = 0;
  int count = 0;
  while (IsDigit(s.Peek())) {
    if (count == 6) return Status::Invalid("fraction has more than 6 digits (microseconds)");
    value = value * 10 + (s.Peek() - '0');
    ++count;
    s.Skip();
  }
  if (count == 0) return Status::Invalid("expected digits after '.'");
  for (int i = count; i < 6; ++i) value *= 10;
  return microseconds(value);
}

// "HH:MM[:SS[.ffffff]]" as time since midnight.
Result<microseconds> ScanTimeOfDay(Scanner& s) {
  NKS_ASSIGN_OR_RETURN(const int h, s.Digits(2, "hour"));
  NKS_RETURN_IF_ERROR(CheckRange(h, 0, 23, "hour"));
  NKS_RETURN_IF_ERROR(s.Expect(':', "the hour"));
  NKS_ASSIGN_OR_RETURN(const int m, s.Digits(2, "minute"));
  NKS_RETURN_IF_ERROR(CheckRange(m, 0, 59, "minute"));
  microseconds tod = hours(h) + minutes(m);
  if (s.Peek() != ':') return tod;
  s.Skip();
  NKS_ASSIGN_OR_RETURN(const int sec, s.Digits(2, "second"));
  NKS_RETURN_IF_ERROR(CheckRange(sec, 0, 59, "second"));
  tod += seconds(sec);
  if (s.Peek() != '.') return tod;
  s.Skip();
  NKS_ASSIGN_OR_RETURN(const microseconds frac, ScanFraction(s));
  return tod + frac;
}

// "+HH:MM" or "-HH:MM", the sign already seen.
Result<seconds> ScanOffset(Scanner& s) {
  const int sign = s.Peek() == '-' ? -1 : 1;
  s.Skip();
  NKS_ASSIGN_OR_RETURN(const int h, s.Digits(2, "offset hour"));
  NKS_RETURN_IF_ERROR(CheckRange(h, 0, 23, "offset hour"));
  NKS_RETURN_IF_ERROR(s.Expect(':', "the offset hour"));
  NKS_ASSIGN_OR_RETURN(const int m, s.Digits(2, "offset minute"));
  NKS_RETURN_IF_ERROR(CheckRange(m, 0, 59, "offset minute"));
  return sign * seconds(hours(h) + minutes(m));
}

Status ExpectEnd(const Scanner& s, std::string_view after) {
  if (s.AtEnd()) return Status::Ok();
  return Status::Invalid(
      fmt::format("unexpected '{}' at position {} after {}", s.Peek(), s.pos() + 1, after));
}

Instant FromCopenhagenLocal(LocalMicros local) {
  // The earlier reading (CEST) wins where it is consistent; otherwise CET,
  // which also reads spring-gap times with the offset before the change.
  const Instant summer = Instant{local.time_since_epoch()} - kCest;
  if (CopenhagenOffset(summer) == kCest) return summer;
  return Instant{local.time_since_epoch()} - kCet;
}

// After the date: the separator, the time and the optional zone.
Result<Instant> ScanAfterDate(Scanner& s, Date date) {
  if (s.Peek() != 'T' && s.Peek() != ' ') {
    return Status::Invalid(fmt::format(
        "expected 'T' or ' ' after the date, found '{}' at position {}", s.Peek(), s.pos() + 1));
  }
  s.Skip();
  NKS_ASSIGN_OR_RETURN(const microseconds tod, ScanTimeOfDay(s));
  const LocalMicros local = LocalMicros{sys_days(date)} + tod;
  if (s.AtEnd()) return FromCopenhagenLocal(local);
  if (s.Peek() == 'Z') {
    s.Skip();
    NKS_RETURN_IF_ERROR(ExpectEnd(s, "'Z'"));
    return Instant{local.time_since_epoch()};
  }
  if (s.Peek() != '+' && s.Peek() != '-') {
    return Status::Invalid(
        fmt::format("expected 'Z', '+HH:MM', '-HH:MM' or end after the time, "
                    "found '{}' at position {}",
                    s.Peek(), s.pos() + 1));
  }
  NKS_ASSIGN_OR_RETURN(const seconds offset, ScanOffset(s));
  NKS_RETURN_IF_ERROR(ExpectEnd(s, "the offset"));
  return Instant{local.time_since_epoch()} - offset;
}

Result<Instant> ScanInstant(std::string_view text) {
  if (text.empty())
    return Status::Invalid("empty text, expected YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM]");
  Scanner s(text);
  NKS_ASSIGN_OR_RETURN(const Date date, ScanDate(s));
  if (s.AtEnd()) return FromCopenhagenLocal(LocalMicros{sys_days(date)});
  return ScanAfterDate(s, date);
}

}  // namespace

// ---- Copenhagen time ------------------------------------------------------

std::chrono::seconds CopenhagenOffset(Instant t) {
  const std::chrono::year y = Date{std::chrono::floor<days>(t)}.year();
  const Instant start = TransitionUtc(y, std::chrono::March);
  const Instant end = TransitionUtc(y, std::chrono::October);
  return (t >= start && t < end) ? kCest : kCet;
}

LocalDateTime ToCopenhagen(Instant t) {
  return SplitLocal(LocalMicros{(t + CopenhagenOffset(t)).time_since_epoch()});
}

Date CopenhagenDate(Instant t) { return ToCopenhagen(t).date; }

Instant FromCopenhagen(Date date, std::chrono::seconds time_of_day) {
  return FromCopenhagenLocal(LocalMicros{sys_days(date)} + time_of_day);
}

// ---- Formatting and parsing ----------------------------------------------

std::string FormatDate(Date d) {
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

Result<Date> ParseDate(std::string_view text) {
  Scanner s(text);
  Result<Date> date = ScanDate(s);
  Status status = date.ok() ? ExpectEnd(s, "the date") : date.status();
  if (!status.ok()) return status.WithContext(fmt::format("date \"{}\"", text));
  return date;
}

std::string FormatCopenhagen(Instant t) {
  return FormatWallClock(ToCopenhagen(t)) + FormatOffset(CopenhagenOffset(t));
}

std::string FormatUtc(Instant t) {
  return FormatWallClock(SplitLocal(LocalMicros{t.time_since_epoch()})) + "Z";
}

Result<Instant> ParseInstant(std::string_view text) {
  Result<Instant> r = ScanInstant(text);
  if (!r.ok()) return r.status().WithContext(fmt::format("time \"{}\"", text));
  return r;
}

// ---- Clocks ---------------------------------------------------------------

Instant SystemClock::Now() const {
  return std::chrono::floor<microseconds>(std::chrono::system_clock::now());
}

Result<std::unique_ptr<Clock>> MakeClock(std::string_view spec) {
  if (spec.empty()) return std::unique_ptr<Clock>(std::make_unique<SystemClock>());
  Result<Instant> t = ParseInstant(spec);
  if (!t.ok()) return t.status().WithContext("--clock");
  return std::unique_ptr<Clock>(std::make_unique<FixedClock>(*t));
}

}  // namespace nks
