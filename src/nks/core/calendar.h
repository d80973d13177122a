// The Danish banking-day calendar of SPEC §5.3, computed for any year.
#pragma once

#include <chrono>
#include <vector>

#include "nks/core/time.h"

namespace nks {

// Easter Sunday (Gregorian computus, anonymous algorithm).
Date EasterSunday(int year);

// The bank holidays of `year` that fall on weekdays and weekends alike, in
// date order: New Year's Day, Maundy Thursday, Good Friday, Easter Monday,
// Ascension Day and the day after, Whit Monday, Constitution Day (5 June),
// 24, 25, 26 and 31 December.
std::vector<Date> BankHolidays(int year);

bool IsBankHoliday(Date d);
// Not a Saturday, Sunday or bank holiday.
bool IsBankingDay(Date d);
// The first banking day strictly after `d`.
Date NextBankingDay(Date d);
// The last banking day strictly before `d`.
Date PreviousBankingDay(Date d);
// `d` itself when it is a banking day, else the next one.
Date BankingDayOnOrAfter(Date d);

// Cut-off (SPEC §5.3): money on the recipient's account at 09:00 on banking
// day D+1 must reach NKS by 06:00 Copenhagen time on banking day D.
constexpr std::chrono::hours kCutoffLocalTime{6};

// The payout date a payment asking for `requested` really gets: a weekend
// or holiday moves to the next banking day, as banks do.
Date EffectivePayoutDate(Date requested);
// The last instant a payment for `payout` may arrive: 06:00 Copenhagen on
// the banking day before the effective payout date.
Instant CutoffFor(Date payout);
// The earliest payout date whose cut-off is still ahead of `now`.
Date EarliestPayoutDate(Instant now);

}  // namespace nks
