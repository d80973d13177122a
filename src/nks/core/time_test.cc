#include "nks/core/time.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace nks {
namespace {

using namespace std::chrono_literals;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;

Date Ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

// A UTC instant built without the code under test.
Instant Utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0, int64_t us = 0) {
  return Instant{sys_days(Ymd(y, m, d))} + hours(hh) + minutes(mm) + seconds(ss) + microseconds(us);
}

// Instants print as text in failure messages.
std::string U(Instant t) {
  return FormatUtc(t) + " (" + std::to_string(t.time_since_epoch().count()) + "us)";
}

Instant MustParse(const std::string& text) {
  Result<Instant> r = ParseInstant(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : Instant{};
}

// ---- Offsets and DST transitions -------------------------------------------

TEST(CopenhagenOffset, WinterAndSummer) {
  EXPECT_EQ(CopenhagenOffset(Utc(2026, 1, 15, 12)), 1h);
  EXPECT_EQ(CopenhagenOffset(Utc(2026, 7, 1, 12)), 2h);
  EXPECT_EQ(CopenhagenOffset(Utc(2026, 11, 25, 5)), 1h);
  EXPECT_EQ(CopenhagenOffset(Utc(2026, 12, 31, 23, 59, 59)), 1h);
  EXPECT_EQ(CopenhagenOffset(Utc(1970, 1, 1)), 1h);
}

TEST(CopenhagenOffset, SpringForward2026AtOneUtc) {
  EXPECT_EQ(CopenhagenOffset(Utc(2026, 3, 29, 0, 59, 59, 999999)), 1h);
  EXPECT_EQ(CopenhagenOffset(Utc(2026, 3, 29, 1)), 2h);
  EXPECT_EQ(CopenhagenOffset(Utc(2026, 3, 28, 12)), 1h);
}

TEST(CopenhagenOffset, FallBack2026AtOneUtc) {
  EXPECT_EQ(CopenhagenOffset(Utc(2026, 10, 25, 0, 59, 59, 999999)), 2h);
  EXPECT_EQ(CopenhagenOffset(Utc(2026, 10, 25, 1)), 1h);
  EXPECT_EQ(CopenhagenOffset(Utc(2026, 10, 24, 12)), 2h);
}

TEST(CopenhagenOffset, TransitionDaysOtherYears) {
  // (last Sunday of March, last Sunday of October)
  const std::vector<std::pair<Date, Date>> kDays = {{Ymd(2024, 3, 31), Ymd(2024, 10, 27)},
                                                    {Ymd(2025, 3, 30), Ymd(2025, 10, 26)},
                                                    {Ymd(2027, 3, 28), Ymd(2027, 10, 31)},
                                                    {Ymd(2030, 3, 31), Ymd(2030, 10, 27)}};
  for (const auto& [spring, autumn] : kDays) {
    const Instant s = Instant{sys_days(spring)} + 1h;
    const Instant a = Instant{sys_days(autumn)} + 1h;
    EXPECT_EQ(CopenhagenOffset(s - 1us), 1h) << FormatDate(spring);
    EXPECT_EQ(CopenhagenOffset(s), 2h) << FormatDate(spring);
    EXPECT_EQ(CopenhagenOffset(a - 1us), 2h) << FormatDate(autumn);
    EXPECT_EQ(CopenhagenOffset(a), 1h) << FormatDate(autumn);
  }
}

TEST(ToCopenhagen, SpringForwardSkipsTwoOClock) {
  LocalDateTime before = ToCopenhagen(Utc(2026, 3, 29, 0, 59, 59));
  EXPECT_EQ(FormatDate(before.date), "2026-03-29");
  EXPECT_EQ(before.time.to_duration(), 1h + 59min + 59s);
  LocalDateTime after = ToCopenhagen(Utc(2026, 3, 29, 1));
  EXPECT_EQ(after.time.to_duration(), 3h);
}

TEST(ToCopenhagen, FallBackRepeatsTwoOClock) {
  LocalDateTime before = ToCopenhagen(Utc(2026, 10, 25, 0, 59, 59));
  EXPECT_EQ(before.time.to_duration(), 2h + 59min + 59s);
  LocalDateTime after = ToCopenhagen(Utc(2026, 10, 25, 1));
  EXPECT_EQ(FormatDate(after.date), "2026-10-25");
  EXPECT_EQ(after.time.to_duration(), 2h);
}

TEST(ToCopenhagen, DateChangesAtLocalMidnight) {
  EXPECT_EQ(FormatDate(CopenhagenDate(Utc(2026, 11, 24, 22, 59, 59))), "2026-11-24");
  EXPECT_EQ(FormatDate(CopenhagenDate(Utc(2026, 11, 24, 23))), "2026-11-25");
  EXPECT_EQ(FormatDate(CopenhagenDate(Utc(2026, 6, 30, 22))), "2026-07-01");
  EXPECT_EQ(FormatDate(CopenhagenDate(Utc(2026, 12, 31, 23))), "2027-01-01");
  LocalDateTime l = ToCopenhagen(Utc(2026, 11, 25, 5, 0, 0, 123456));
  EXPECT_EQ(l.time.to_duration(), 6h + 123456us);
}

TEST(FromCopenhagen, OrdinaryTimes) {
  EXPECT_EQ(U(FromCopenhagen(Ymd(2026, 11, 25), 6h)), U(Utc(2026, 11, 25, 5)));
  EXPECT_EQ(U(FromCopenhagen(Ymd(2026, 7, 1), 6h)), U(Utc(2026, 7, 1, 4)));
  EXPECT_EQ(U(FromCopenhagen(Ymd(2026, 1, 1), 0s)), U(Utc(2025, 12, 31, 23)));
}

TEST(FromCopenhagen, SpringGapReadsWithOffsetBeforeChange) {
  const Date day = Ymd(2026, 3, 29);
  EXPECT_EQ(U(FromCopenhagen(day, 1h + 59min + 59s)), U(Utc(2026, 3, 29, 0, 59, 59)));
  EXPECT_EQ(U(FromCopenhagen(day, 2h)), U(Utc(2026, 3, 29, 1)));
  EXPECT_EQ(U(FromCopenhagen(day, 2h + 30min)), U(Utc(2026, 3, 29, 1, 30)));
  EXPECT_EQ(FormatCopenhagen(FromCopenhagen(day, 2h + 30min)), "2026-03-29T03:30:00+02:00");
  EXPECT_EQ(U(FromCopenhagen(day, 3h)), U(Utc(2026, 3, 29, 1)));
  EXPECT_EQ(U(FromCopenhagen(day, 6h)), U(Utc(2026, 3, 29, 4)));
}

TEST(FromCopenhagen, AutumnOverlapTakesEarlierInstant) {
  const Date day = Ymd(2026, 10, 25);
  EXPECT_EQ(U(FromCopenhagen(day, 1h + 59min)), U(Utc(2026, 10, 24, 23, 59)));
  EXPECT_EQ(U(FromCopenhagen(day, 2h)), U(Utc(2026, 10, 25, 0)));
  EXPECT_EQ(U(FromCopenhagen(day, 2h + 30min)), U(Utc(2026, 10, 25, 0, 30)));
  EXPECT_EQ(FormatCopenhagen(FromCopenhagen(day, 2h + 30min)), "2026-10-25T02:30:00+02:00");
  EXPECT_EQ(U(FromCopenhagen(day, 2h + 59min + 59s)), U(Utc(2026, 10, 25, 0, 59, 59)));
  EXPECT_EQ(U(FromCopenhagen(day, 3h)), U(Utc(2026, 10, 25, 2)));
  EXPECT_EQ(U(FromCopenhagen(day, 6h)), U(Utc(2026, 10, 25, 5)));
}

// ---- Formatting --------------------------------------------------------------

TEST(Format, DateIsZeroPadded) {
  EXPECT_EQ(FormatDate(Ymd(2026, 11, 25)), "2026-11-25");
  EXPECT_EQ(FormatDate(Ymd(1900, 1, 2)), "1900-01-02");
}

TEST(Format, CopenhagenAndUtc) {
  EXPECT_EQ(FormatCopenhagen(Utc(2026, 11, 25, 5)), "2026-11-25T06:00:00+01:00");
  EXPECT_EQ(FormatUtc(Utc(2026, 11, 25, 5)), "2026-11-25T05:00:00Z");
  EXPECT_EQ(FormatCopenhagen(Utc(2026, 7, 1, 4, 5, 6)), "2026-07-01T06:05:06+02:00");
  EXPECT_EQ(FormatCopenhagen(Utc(2026, 12, 31, 23, 30)), "2027-01-01T00:30:00+01:00");
}

TEST(Format, TruncatesSubSeconds) {
  EXPECT_EQ(FormatCopenhagen(Utc(2026, 11, 25, 5, 59, 59, 999999)), "2026-11-25T06:59:59+01:00");
  EXPECT_EQ(FormatUtc(Utc(2026, 11, 25, 5, 0, 0, 999999)), "2026-11-25T05:00:00Z");
}

// ---- ParseDate ---------------------------------------------------------------

TEST(ParseDate, Valid) {
  Result<Date> d = ParseDate("2026-11-25");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(FormatDate(*d), "2026-11-25");
  EXPECT_EQ(FormatDate(*ParseDate("2024-02-29")), "2024-02-29");
  EXPECT_EQ(FormatDate(*ParseDate("1900-01-01")), "1900-01-01");
  EXPECT_EQ(FormatDate(*ParseDate("2199-12-31")), "2199-12-31");
}

struct Bad {
  std::string text;
  std::string reason;  // a substring the message must contain
};

TEST(ParseDate, RejectsWithReason) {
  const std::vector<Bad> cases = {
      {"", "year is missing"},
      {"2026-02-29", "day 29 does not exist in 2026-02"},
      {"2026-04-31", "day 31 does not exist in 2026-04"},
      {"2026-01-00", "day 00 does not exist"},
      {"2026-13-01", "month 13 is out of range 01..12"},
      {"2026-00-10", "month 00 is out of range"},
      {"1899-12-31", "year 1899 is out of range 1900..2199"},
      {"2200-01-01", "year 2200 is out of range"},
      {"2026-1-01", "month must be 2 digits, found '-' at position 7"},
      {"26-01-01", "year must be 4 digits"},
      {"2026/01/01", "expected '-' after the year, found '/'"},
      {"2026-01", "expected '-' after the month, found end of text"},
      {"2026-01-0", "day is missing"},
      {"2026-01-01x", "unexpected 'x' at position 11 after the date"},
      {"2026-01-01T00:00", "unexpected 'T'"},
      {" 2026-01-01", "year must be 4 digits, found ' ' at position 1"},
  };
  for (const Bad& c : cases) {
    Result<Date> r = ParseDate(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos)
        << c.text << " -> " << r.status().message();
    EXPECT_EQ(r.status().message().rfind("date \"" + c.text + "\": ", 0), 0u)
        << r.status().message();
  }
}

// ---- ParseInstant ------------------------------------------------------------

TEST(ParseInstant, ZoneForms) {
  EXPECT_EQ(U(MustParse("2026-11-25T05:00:00Z")), U(Utc(2026, 11, 25, 5)));
  EXPECT_EQ(U(MustParse("2026-11-25T06:00:00+01:00")), U(Utc(2026, 11, 25, 5)));
  EXPECT_EQ(U(MustParse("2026-11-25T00:00:00-05:30")), U(Utc(2026, 11, 25, 5, 30)));
  EXPECT_EQ(U(MustParse("2026-11-25T06:00:00")), U(Utc(2026, 11, 25, 5)));  // Copenhagen
  EXPECT_EQ(U(MustParse("2026-07-01T06:00:00")), U(Utc(2026, 7, 1, 4)));
  EXPECT_EQ(U(MustParse("2026-11-25T06:00")), U(Utc(2026, 11, 25, 5)));
  EXPECT_EQ(U(MustParse("2026-11-25T05:00Z")), U(Utc(2026, 11, 25, 5)));
  EXPECT_EQ(U(MustParse("2026-11-25 06:00:00")), U(Utc(2026, 11, 25, 5)));
  EXPECT_EQ(U(MustParse("2026-11-25 05:00:00Z")), U(Utc(2026, 11, 25, 5)));
}

TEST(ParseInstant, DateOnlyIsCopenhagenMidnight) {
  EXPECT_EQ(U(MustParse("2026-11-25")), U(Utc(2026, 11, 24, 23)));
  EXPECT_EQ(U(MustParse("2026-07-01")), U(Utc(2026, 6, 30, 22)));
}

TEST(ParseInstant, Fractions) {
  EXPECT_EQ(U(MustParse("2026-11-25T05:00:00.5Z")), U(Utc(2026, 11, 25, 5, 0, 0, 500000)));
  EXPECT_EQ(U(MustParse("2026-11-25T05:00:00.000001Z")), U(Utc(2026, 11, 25, 5, 0, 0, 1)));
  EXPECT_EQ(U(MustParse("2026-11-25T06:00:00.123456+01:00")),
            U(Utc(2026, 11, 25, 5, 0, 0, 123456)));
  EXPECT_EQ(U(MustParse("2026-11-25T06:00:00.25")), U(Utc(2026, 11, 25, 5, 0, 0, 250000)));
}

TEST(ParseInstant, DstWallClock) {
  EXPECT_EQ(U(MustParse("2026-03-29T02:30")), U(Utc(2026, 3, 29, 1, 30)));  // gap
  EXPECT_EQ(U(MustParse("2026-03-29T03:30")), U(Utc(2026, 3, 29, 1, 30)));
  EXPECT_EQ(U(MustParse("2026-10-25T02:30")), U(Utc(2026, 10, 25, 0, 30)));        // overlap: CEST
  EXPECT_EQ(U(MustParse("2026-10-25T02:30+01:00")), U(Utc(2026, 10, 25, 1, 30)));  // explicit CET
}

TEST(ParseInstant, RejectsWithReason) {
  const std::vector<Bad> cases = {
      {"", "empty text"},
      {"2026-11-25T", "hour is missing"},
      {"2026-11-25T6:00", "hour must be 2 digits"},
      {"2026-11-25T24:00", "hour 24 is out of range 00..23"},
      {"2026-11-25T06:60", "minute 60 is out of range 00..59"},
      {"2026-11-25T06:00:60", "second 60 is out of range 00..59"},
      {"2026-11-25T06", "expected ':' after the hour, found end of text"},
      {"2026-11-25T0600", "expected ':' after the hour, found '0'"},
      {"2026-11-25T06:00:", "second is missing"},
      {"2026-11-25T06:00:00.", "expected digits after '.'"},
      {"2026-11-25T06:00:00.1234567Z", "more than 6 digits"},
      {"2026-11-25T06:00:00+1", "offset hour is missing"},
      {"2026-11-25T06:00:00+0100", "expected ':' after the offset hour"},
      {"2026-11-25T06:00:00+24:00", "offset hour 24 is out of range"},
      {"2026-11-25T06:00:00+01:60", "offset minute 60 is out of range"},
      {"2026-11-25T06:00:00Zx", "unexpected 'x' at position 21 after 'Z'"},
      {"2026-11-25T06:00:00+01:00 ", "unexpected ' ' at position 26 after the offset"},
      {"2026-11-25T06:00:00 CET", "expected 'Z', '+HH:MM', '-HH:MM' or end"},
      {"2026-11-25x06:00", "expected 'T' or ' ' after the date, found 'x'"},
      {"2026-02-30T06:00Z", "day 30 does not exist in 2026-02"},
      {"2300-01-01", "year 2300 is out of range"},
      {"tomorrow", "year must be 4 digits"},
  };
  for (const Bad& c : cases) {
    Result<Instant> r = ParseInstant(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos)
        << c.text << " -> " << r.status().message();
    EXPECT_EQ(r.status().message().rfind("time \"" + c.text + "\": ", 0), 0u)
        << r.status().message();
  }
}

TEST(ParseInstant, RoundTripsFormattedForms) {
  const Instant t = Utc(2026, 11, 25, 5);
  EXPECT_EQ(MustParse(FormatCopenhagen(t)), t);
  EXPECT_EQ(MustParse(FormatUtc(t)), t);
  const Instant summer = Utc(2026, 10, 25, 0, 30);  // first 02:30, CEST
  EXPECT_EQ(MustParse(FormatCopenhagen(summer)), summer);
  const Instant winter = Utc(2026, 10, 25, 1, 30);  // second 02:30, CET
  EXPECT_EQ(FormatCopenhagen(winter), "2026-10-25T02:30:00+01:00");
  EXPECT_EQ(MustParse(FormatCopenhagen(winter)), winter);
}

// ---- Clocks --------------------------------------------------------------------

TEST(MakeClock, EmptyIsSystemClock) {
  Result<std::unique_ptr<Clock>> c = MakeClock("");
  ASSERT_TRUE(c.ok());
  ASSERT_NE(c->get(), nullptr);
  EXPECT_NE(dynamic_cast<SystemClock*>(c->get()), nullptr);
  const auto now = std::chrono::system_clock::now();
  const Instant t = (*c)->Now();
  EXPECT_LT(std::chrono::abs(t - std::chrono::floor<microseconds>(now)), 60s);
}

TEST(MakeClock, FixedFromSpec) {
  Result<std::unique_ptr<Clock>> c = MakeClock("2026-11-25T06:00:00+01:00");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(U((*c)->Now()), U(Utc(2026, 11, 25, 5)));
  EXPECT_EQ(U((*c)->Now()), U(Utc(2026, 11, 25, 5)));
  FixedClock* fixed = dynamic_cast<FixedClock*>(c->get());
  ASSERT_NE(fixed, nullptr);
  fixed->Set(Utc(2027, 1, 1));
  EXPECT_EQ(U((*c)->Now()), U(Utc(2027, 1, 1)));
}

TEST(MakeClock, BadSpecNamesTheFlag) {
  Result<std::unique_ptr<Clock>> c = MakeClock("2026-11-25T25:00");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(c.status().message().rfind("--clock: ", 0), 0u) << c.status().message();
  EXPECT_NE(c.status().message().find("hour 25"), std::string::npos) << c.status().message();
}

// ---- Properties ------------------------------------------------------------------

// Any instant from 1900 to 2199, microsecond resolution.
Instant RandomInstant() {
  const int64_t lo = Utc(1900, 1, 2).time_since_epoch().count();
  const int64_t hi = Utc(2199, 12, 30).time_since_epoch().count();
  return Instant{microseconds(*rc::gen::inRange<int64_t>(lo, hi))};
}

bool InSpringGap(Date d, seconds tod) {
  const Date last_sunday{
      sys_days{d.year() / std::chrono::March / std::chrono::Sunday[std::chrono::last]}};
  return d == last_sunday && tod >= 2h && tod < 3h;
}

RC_GTEST_PROP(Copenhagen, FromThenToIsIdentityOutsideTheGap, ()) {
  const int day = *rc::gen::inRange(0, 300 * 365);
  const Date d{sys_days(Ymd(1900, 1, 1)) + days(day)};
  const seconds tod{*rc::gen::inRange(0, 86400)};
  RC_PRE(!InSpringGap(d, tod));
  const LocalDateTime l = ToCopenhagen(FromCopenhagen(d, tod));
  RC_ASSERT(l.date == d);
  RC_ASSERT(l.time.to_duration() == microseconds(tod));
}

RC_GTEST_PROP(Copenhagen, ToThenFromIsIdentityOrTheLaterOverlapReading, ()) {
  const Instant t = std::chrono::floor<seconds>(RandomInstant());
  const LocalDateTime l = ToCopenhagen(t);
  const Instant back = FromCopenhagen(l.date, std::chrono::floor<seconds>(l.time.to_duration()));
  // Only the second (CET) reading of the autumn overlap maps back an hour early.
  RC_ASSERT(back == t ||
            (back == t - 1h && CopenhagenOffset(t) == 1h && CopenhagenOffset(back) == 2h));
}

RC_GTEST_PROP(Copenhagen, FormatThenParseIsTruncation, ()) {
  const Instant t = RandomInstant();
  const Instant whole = std::chrono::floor<seconds>(t);
  const Result<Instant> local = ParseInstant(FormatCopenhagen(t));
  const Result<Instant> utc = ParseInstant(FormatUtc(t));
  RC_ASSERT(local.ok());
  RC_ASSERT(utc.ok());
  RC_ASSERT(*local == whole);
  RC_ASSERT(*utc == whole);
}

RC_GTEST_PROP(Copenhagen, OffsetIsOneOrTwoHours, ()) {
  const Instant t = RandomInstant();
  const seconds off = CopenhagenOffset(t);
  RC_ASSERT(off == 1h || off == 2h);
  const unsigned month = static_cast<unsigned>(Date{std::chrono::floor<days>(t)}.month());
  if (month <= 2 || month >= 11) RC_ASSERT(off == 1h);
  if (month >= 5 && month <= 9) RC_ASSERT(off == 2h);
}

RC_GTEST_PROP(ParseDate, FormatThenParseRoundTrips, ()) {
  const int day = *rc::gen::inRange(0, 300 * 365);
  const Date d{sys_days(Ymd(1900, 1, 1)) + days(day)};
  const Result<Date> back = ParseDate(FormatDate(d));
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == d);
}

}  // namespace
}  // namespace nks
