#include "nks/core/calendar.h"

#include <algorithm>
#include <array>

namespace nks {

namespace {

using std::chrono::days;
using std::chrono::sys_days;

// Easter-relative bank holidays, in days after Easter Sunday: Maundy
// Thursday, Good Friday, Easter Monday, Ascension Day and the day after,
// Whit Monday.
constexpr std::array<int, 6> kEasterOffsets = {-3, -2, 1, 39, 40, 50};

// Fixed bank holidays as (month, day).
constexpr std::array<std::array<unsigned, 2>, 6> kFixed = {{
    {1, 1},
    {6, 5},
    {12, 24},
    {12, 25},
    {12, 26},
    {12, 31},
}};

// The longest run of non-banking days is well under this (Easter: Thursday
// to Monday, five days); a longer walk means a broken calendar.
constexpr int kMaxWalk = 14;

bool IsFixedHoliday(Date d) {
  const unsigned m = static_cast<unsigned>(d.month());
  const unsigned day = static_cast<unsigned>(d.day());
  return std::any_of(kFixed.begin(), kFixed.end(),
                     [&](const auto& f) { return f[0] == m && f[1] == day; });
}

bool IsEasterHoliday(Date d) {
  const int year = static_cast<int>(d.year());
  const auto delta = (sys_days(d) - sys_days(EasterSunday(year))).count();
  return std::find(kEasterOffsets.begin(), kEasterOffsets.end(), delta) != kEasterOffsets.end();
}

bool IsWeekend(Date d) {
  const std::chrono::weekday wd{sys_days(d)};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

// The first banking day reached by stepping `step` days at a time from `d`.
Date Walk(Date d, days step) {
  sys_days day = sys_days(d);
  for (int i = 0; i < kMaxWalk; ++i) {
    day += step;
    if (IsBankingDay(Date{day})) return Date{day};
  }
  NKS_CHECK(false && "no banking day within kMaxWalk days");
  return d;
}

}  // namespace

Date EasterSunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int n = h + l - 7 * m + 114;
  return Date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(n / 31)),
              std::chrono::day(static_cast<unsigned>(n % 31 + 1))};
}

std::vector<Date> BankHolidays(int year) {
  std::vector<Date> out;
  const std::chrono::year y(year);
  for (const auto& f : kFixed) {
    out.push_back(Date{y, std::chrono::month(f[0]), std::chrono::day(f[1])});
  }
  const sys_days easter = sys_days(EasterSunday(year));
  for (const int offset : kEasterOffsets) out.push_back(Date{easter + days(offset)});
  std::sort(out.begin(), out.end());
  // Whit Monday can fall on 5 June (as in 2028): list the day once.
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool IsBankHoliday(Date d) { return IsFixedHoliday(d) || IsEasterHoliday(d); }

bool IsBankingDay(Date d) { return !IsWeekend(d) && !IsBankHoliday(d); }

Date NextBankingDay(Date d) { return Walk(d, days(1)); }

Date PreviousBankingDay(Date d) { return Walk(d, days(-1)); }

Date BankingDayOnOrAfter(Date d) { return IsBankingDay(d) ? d : NextBankingDay(d); }

Date EffectivePayoutDate(Date requested) { return BankingDayOnOrAfter(requested); }

Instant CutoffFor(Date payout) {
  Date day_before = PreviousBankingDay(EffectivePayoutDate(payout));
  return FromCopenhagen(day_before, kCutoffLocalTime);
}

Date EarliestPayoutDate(Instant now) {
  // The first banking day whose 06:00 is still ahead, then the day after.
  Date today = CopenhagenDate(now);
  Date send_day = today;
  if (!IsBankingDay(today) || now >= FromCopenhagen(today, kCutoffLocalTime)) {
    send_day = NextBankingDay(today);
  }
  return NextBankingDay(send_day);
}

}  // namespace nks
