#include "nks/core/calendar.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace nks {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

// "2026-04-02" -> Date, independent of the code under test.
Date D(const std::string& s) {
  return Date{std::chrono::year(std::stoi(s.substr(0, 4))),
              std::chrono::month(static_cast<unsigned>(std::stoi(s.substr(5, 2)))),
              std::chrono::day(static_cast<unsigned>(std::stoi(s.substr(8, 2))))};
}

// Dates print as text in failure messages.
std::string S(Date d) { return FormatDate(d); }

std::vector<Date> Dates(const std::vector<std::string>& texts) {
  std::vector<Date> out;
  for (const auto& t : texts) out.push_back(D(t));
  return out;
}

// The published Danish bank holidays (no Store Bededag from 2024).
const std::map<int, std::vector<std::string>>& Published() {
  static const auto* kPublished = new std::map<int, std::vector<std::string>>{
      {2024,
       {"2024-01-01", "2024-03-28", "2024-03-29", "2024-04-01", "2024-05-09", "2024-05-10",
        "2024-05-20", "2024-06-05", "2024-12-24", "2024-12-25", "2024-12-26", "2024-12-31"}},
      {2025,
       {"2025-01-01", "2025-04-17", "2025-04-18", "2025-04-21", "2025-05-29", "2025-05-30",
        "2025-06-05", "2025-06-09", "2025-12-24", "2025-12-25", "2025-12-26", "2025-12-31"}},
      {2026,
       {"2026-01-01", "2026-04-02", "2026-04-03", "2026-04-06", "2026-05-14", "2026-05-15",
        "2026-05-25", "2026-06-05", "2026-12-24", "2026-12-25", "2026-12-26", "2026-12-31"}},
      {2027,
       {"2027-01-01", "2027-03-25", "2027-03-26", "2027-03-29", "2027-05-06", "2027-05-07",
        "2027-05-17", "2027-06-05", "2027-12-24", "2027-12-25", "2027-12-26", "2027-12-31"}},
      // Whit Monday is Constitution Day: eleven distinct days.
      {2028,
       {"2028-01-01", "2028-04-13", "2028-04-14", "2028-04-17", "2028-05-25", "2028-05-26",
        "2028-06-05", "2028-12-24", "2028-12-25", "2028-12-26", "2028-12-31"}},
      {2029,
       {"2029-01-01", "2029-03-29", "2029-03-30", "2029-04-02", "2029-05-10", "2029-05-11",
        "2029-05-21", "2029-06-05", "2029-12-24", "2029-12-25", "2029-12-26", "2029-12-31"}},
      {2030,
       {"2030-01-01", "2030-04-18", "2030-04-19", "2030-04-22", "2030-05-30", "2030-05-31",
        "2030-06-05", "2030-06-10", "2030-12-24", "2030-12-25", "2030-12-26", "2030-12-31"}},
  };
  return *kPublished;
}

TEST(EasterSunday, RecentYears) {
  EXPECT_EQ(S(EasterSunday(2024)), "2024-03-31");
  EXPECT_EQ(S(EasterSunday(2025)), "2025-04-20");
  EXPECT_EQ(S(EasterSunday(2026)), "2026-04-05");
  EXPECT_EQ(S(EasterSunday(2027)), "2027-03-28");
  EXPECT_EQ(S(EasterSunday(2028)), "2028-04-16");
  EXPECT_EQ(S(EasterSunday(2029)), "2029-04-01");
  EXPECT_EQ(S(EasterSunday(2030)), "2030-04-21");
}

TEST(EasterSunday, ExtremesFarApart) {
  EXPECT_EQ(S(EasterSunday(1818)), "1818-03-22");  // earliest possible
  EXPECT_EQ(S(EasterSunday(1943)), "1943-04-25");  // latest possible
  EXPECT_EQ(S(EasterSunday(2000)), "2000-04-23");
  EXPECT_EQ(S(EasterSunday(2038)), "2038-04-25");
  EXPECT_EQ(S(EasterSunday(2285)), "2285-03-22");
}

TEST(EasterSunday, AlwaysASundayBetween22MarchAnd25April) {
  for (int y = 1583; y <= 4099; ++y) {
    const Date e = EasterSunday(y);
    ASSERT_TRUE(e.ok()) << y;
    ASSERT_EQ(std::chrono::weekday(sys_days(e)), std::chrono::Sunday) << y;
    ASSERT_GE(e, D(std::to_string(y) + "-03-22")) << y;
    ASSERT_LE(e, D(std::to_string(y) + "-04-25")) << y;
  }
}

TEST(BankHolidays, MatchPublishedLists2024To2030) {
  for (const auto& [year, texts] : Published()) {
    std::vector<std::string> got;
    for (const Date& d : BankHolidays(year)) got.push_back(S(d));
    EXPECT_EQ(got, texts) << year;
  }
}

TEST(BankHolidays, IsBankHolidayExactlyOnPublishedDays) {
  for (const auto& [year, texts] : Published()) {
    const std::vector<Date> list = Dates(texts);
    const std::set<Date> holidays(list.begin(), list.end());
    const std::string y = std::to_string(year);
    for (sys_days d = sys_days(D(y + "-01-01")); d <= sys_days(D(y + "-12-31")); d += days(1)) {
      EXPECT_EQ(IsBankHoliday(Date{d}), holidays.count(Date{d}) == 1) << FormatDate(Date{d});
    }
  }
}

TEST(BankHolidays, NoStoreBededag) {
  // Store Bededag (Easter + 26) was abolished from 2024.
  EXPECT_FALSE(IsBankHoliday(D("2024-04-26")));
  EXPECT_FALSE(IsBankHoliday(D("2026-05-01")));
  EXPECT_TRUE(IsBankingDay(D("2026-05-01")));
}

TEST(BankHolidays, SortedAndUniqueForManyYears) {
  for (int y = 1900; y <= 2199; ++y) {
    const std::vector<Date> h = BankHolidays(y);
    ASSERT_TRUE(std::is_sorted(h.begin(), h.end())) << y;
    ASSERT_EQ(std::adjacent_find(h.begin(), h.end()), h.end()) << y;
    ASSERT_TRUE(h.size() == 11 || h.size() == 12) << y;
    for (const Date& d : h) ASSERT_TRUE(IsBankHoliday(d)) << y;
  }
}

TEST(BankHolidays, WhitMondayAfterConstitutionDay) {
  // Easter 25 April 2038: Whit Monday 14 June sorts after 5 June.
  const std::vector<Date> h = BankHolidays(2038);
  ASSERT_EQ(h.size(), 12u);
  EXPECT_EQ(S(h[6]), "2038-06-05");
  EXPECT_EQ(S(h[7]), "2038-06-14");
}

TEST(IsBankingDay, WeekendsAndHolidays) {
  EXPECT_TRUE(IsBankingDay(D("2026-11-25")));   // Wednesday
  EXPECT_FALSE(IsBankingDay(D("2026-11-28")));  // Saturday
  EXPECT_FALSE(IsBankingDay(D("2026-11-29")));  // Sunday
  EXPECT_FALSE(IsBankingDay(D("2026-04-02")));  // Maundy Thursday
  EXPECT_FALSE(IsBankingDay(D("2026-06-05")));  // Constitution Day, a Friday
  EXPECT_TRUE(IsBankingDay(D("2026-06-04")));
}

TEST(NextBankingDay, AcrossEaster2026) {
  EXPECT_EQ(S(NextBankingDay(D("2026-04-01"))), "2026-04-07");
  EXPECT_EQ(S(NextBankingDay(D("2026-04-02"))), "2026-04-07");
  EXPECT_EQ(S(NextBankingDay(D("2026-04-05"))), "2026-04-07");
  EXPECT_EQ(S(PreviousBankingDay(D("2026-04-07"))), "2026-04-01");
  EXPECT_EQ(S(PreviousBankingDay(D("2026-04-06"))), "2026-04-01");
  EXPECT_EQ(S(BankingDayOnOrAfter(D("2026-04-03"))), "2026-04-07");
  EXPECT_EQ(S(BankingDayOnOrAfter(D("2026-04-01"))), "2026-04-01");
}

TEST(NextBankingDay, AcrossChristmasAndNewYear) {
  // 2026: 24 Thu, 25 Fri, 26 Sat, 27 Sun; 31 Thu; 1 Jan 2027 Fri.
  EXPECT_EQ(S(NextBankingDay(D("2026-12-23"))), "2026-12-28");
  EXPECT_EQ(S(NextBankingDay(D("2026-12-30"))), "2027-01-04");
  EXPECT_EQ(S(PreviousBankingDay(D("2027-01-04"))), "2026-12-30");
  EXPECT_EQ(S(PreviousBankingDay(D("2026-12-28"))), "2026-12-23");
  EXPECT_EQ(S(BankingDayOnOrAfter(D("2026-12-31"))), "2027-01-04");
}

TEST(NextBankingDay, AcrossAscensionAndWeekends) {
  // Ascension 2026: Thursday 14 May and Friday 15 May.
  EXPECT_EQ(S(NextBankingDay(D("2026-05-13"))), "2026-05-18");
  EXPECT_EQ(S(PreviousBankingDay(D("2026-05-18"))), "2026-05-13");
  EXPECT_EQ(S(NextBankingDay(D("2026-11-27"))), "2026-11-30");  // Friday -> Monday
  EXPECT_EQ(S(NextBankingDay(D("2026-11-28"))), "2026-11-30");
  EXPECT_EQ(S(PreviousBankingDay(D("2026-11-30"))), "2026-11-27");
  EXPECT_EQ(S(NextBankingDay(D("2026-11-25"))), "2026-11-26");
}

Date RandomDate() {
  const int offset = *rc::gen::inRange(0, 300 * 366);
  return Date{sys_days(D("1900-01-01")) + days(offset)};
}

RC_GTEST_PROP(NextBankingDay, IsTheFirstBankingDayAfter, ()) {
  const Date d = RandomDate();
  const Date next = NextBankingDay(d);
  RC_ASSERT(IsBankingDay(next));
  RC_ASSERT(next > d);
  for (sys_days x = sys_days(d) + days(1); x < sys_days(next); x += days(1)) {
    RC_ASSERT(!IsBankingDay(Date{x}));
  }
}

RC_GTEST_PROP(PreviousBankingDay, IsTheLastBankingDayBefore, ()) {
  const Date d = RandomDate();
  const Date prev = PreviousBankingDay(d);
  RC_ASSERT(IsBankingDay(prev));
  RC_ASSERT(prev < d);
  for (sys_days x = sys_days(prev) + days(1); x < sys_days(d); x += days(1)) {
    RC_ASSERT(!IsBankingDay(Date{x}));
  }
}

RC_GTEST_PROP(BankingDayOnOrAfter, IsIdentityOnBankingDays, ()) {
  const Date d = RandomDate();
  const Date on = BankingDayOnOrAfter(d);
  RC_ASSERT(IsBankingDay(on));
  const Date want = IsBankingDay(d) ? d : NextBankingDay(d);
  RC_ASSERT(on == want);
}

}  // namespace
}  // namespace nks

namespace nks {
namespace {

Instant At(const char* text) { return *ParseInstant(text); }

TEST(CutoffTest, CutoffIsSixInTheMorningOfTheBankingDayBefore) {
  // Thursday 26 Nov 2026 is paid from Wednesday's 06:00 cut-off.
  EXPECT_EQ(FormatCopenhagen(CutoffFor(*ParseDate("2026-11-26"))), "2026-11-25T06:00:00+01:00");
  // Monday's payout: the cut-off is Friday 06:00.
  EXPECT_EQ(FormatCopenhagen(CutoffFor(*ParseDate("2026-11-30"))), "2026-11-27T06:00:00+01:00");
  // A Saturday payout is paid Monday, cut-off Friday.
  EXPECT_EQ(FormatCopenhagen(CutoffFor(*ParseDate("2026-11-28"))), "2026-11-27T06:00:00+01:00");
  // Tuesday 30 March 2027 follows Easter (25, 26 and 29 March are holidays):
  // its cut-off is Wednesday 24 March.
  EXPECT_EQ(FormatCopenhagen(CutoffFor(*ParseDate("2027-03-30"))), "2027-03-24T06:00:00+01:00");
  // Summer time: 06:00 CEST.
  EXPECT_EQ(FormatCopenhagen(CutoffFor(*ParseDate("2026-06-10"))), "2026-06-09T06:00:00+02:00");
}

TEST(CutoffTest, EarliestPayoutDateFollowsTheCutoff) {
  EXPECT_EQ(FormatDate(EarliestPayoutDate(At("2026-11-25T05:59:59+01:00"))), "2026-11-26");
  EXPECT_EQ(FormatDate(EarliestPayoutDate(At("2026-11-25T06:00:00+01:00"))), "2026-11-27");
  // Friday after the cut-off: sent Monday, paid Tuesday.
  EXPECT_EQ(FormatDate(EarliestPayoutDate(At("2026-11-27T07:00:00+01:00"))), "2026-12-01");
  // Saturday: sent Monday, paid Tuesday.
  EXPECT_EQ(FormatDate(EarliestPayoutDate(At("2026-11-28T03:00:00+01:00"))), "2026-12-01");
  // 23 December after 06:00: 24-26 are holidays, 27 Sunday: sent 28th, paid 29th.
  EXPECT_EQ(FormatDate(EarliestPayoutDate(At("2026-12-23T08:00:00+01:00"))), "2026-12-29");
}

}  // namespace
}  // namespace nks
