// Time: instants are UTC; people and cut-offs live in Europe/Copenhagen
// (CET, UTC+1; CEST, UTC+2 from the last Sunday of March 01:00 UTC to the
// last Sunday of October 01:00 UTC, the EU rule in force since 1996).
// libstdc++ 12 has no time-zone database, so the rule is coded here.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "nks/core/status.h"

namespace nks {

using Instant = std::chrono::sys_time<std::chrono::microseconds>;
using Date = std::chrono::year_month_day;

// A wall-clock reading in Copenhagen.
struct LocalDateTime {
  Date date;
  std::chrono::hh_mm_ss<std::chrono::microseconds> time{std::chrono::microseconds(0)};
};

// Offset from UTC in Copenhagen at `t`: +1h or +2h.
std::chrono::seconds CopenhagenOffset(Instant t);
LocalDateTime ToCopenhagen(Instant t);
Date CopenhagenDate(Instant t);
// The instant a Copenhagen wall-clock time names. In the spring gap the
// time is read with the offset before the change (02:30 -> 03:30 CEST); in
// the autumn overlap the earlier (CEST) instant is taken.
Instant FromCopenhagen(Date date, std::chrono::seconds time_of_day);

// "2026-11-25"
std::string FormatDate(Date d);
Result<Date> ParseDate(std::string_view text);
// "2026-11-25T06:00:00+01:00" (Copenhagen offset, seconds precision)
std::string FormatCopenhagen(Instant t);
// "2026-11-25T05:00:00Z"
std::string FormatUtc(Instant t);
// ISO 8601: "...Z", "...+01:00", or no offset = Copenhagen wall-clock time.
// Date only ("2026-11-25") means 00:00 Copenhagen. Fractions are allowed.
Result<Instant> ParseInstant(std::string_view text);

// Where time comes from. Everything that needs "now" takes a Clock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override;
};

// Always the same instant (`--clock 2026-11-25T06:00:00+01:00`).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Instant t) : t_(t) {}
  Instant Now() const override { return t_; }
  void Set(Instant t) { t_ = t; }

 private:
  Instant t_;
};

// `--clock` value: empty means the system clock.
Result<std::unique_ptr<Clock>> MakeClock(std::string_view spec);

}  // namespace nks
