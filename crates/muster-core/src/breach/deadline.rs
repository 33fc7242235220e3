//! Deadline arithmetic for regulatory clocks: when a breach-notification period that started at
//! some instant falls due.
//!
//! Everything here is a pure function of its arguments (no system clock, no I/O), so a due instant
//! computed on one machine is the same on every other machine that replays the incident log.
//!
//! Choices made throughout, and why:
//!
//! - **Days are local calendar days in an explicit zone.** Statutes count days as the covered
//!   entity experiences them, not UTC days and not the viewer's days, so callers pass the zone
//!   whose calendar governs the clock (usually the organisation's), independent of who is looking.
//! - **The day of the triggering event never counts.** This follows the usual rule for computing
//!   legal periods (for example Fed. R. Civ. P. 6(a)(1)(A): "exclude the day of the event that
//!   triggers the period"): "within 3 days of discovery on Monday" ends on Thursday.
//! - **A day-based period is due at the end of its last day** (23:59:59 local). Notice given at any
//!   time on the last day is timely, and the last second still shows the due *date* in the zone,
//!   which is what a person reading the console expects to see. It is derived from the next day's
//!   first instant minus one second rather than by writing 23:59:59 as a local time, because
//!   23:59:59 can be ambiguous or missing around DST changes, while "the instant the next day
//!   begins" is always well defined.
//! - **Calendar-day periods never roll forward** to the next business day when they end on a
//!   weekend or holiday. Breach-notification laws state outer limits ("in no case later than 60
//!   calendar days"); rolling forward would display a later deadline than the law allows, and an
//!   early deadline is the safe error for this product.
//! - **No errors.** A period that leaves chrono's representable range (roughly ±262,000 years) is
//!   nonsensical input; rather than panic inside an incident console, such results saturate to
//!   [`DateTime::<Utc>::MAX_UTC`], i.e. "not due in any meaningful future". Every loop is bounded
//!   so that even `u32::MAX` periods return promptly.

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Which days, besides Saturdays and Sundays, are not business days.
///
/// An explicit choice rather than a default because a business-day period means something
/// different under each calendar, and the calendar in force is a property of the regulation (and
/// is recorded with the clock), not of the machine computing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayCalendar {
    /// Only weekends are skipped.
    None,
    /// Weekends and the observed US federal holidays of [`us_federal_holidays`] are skipped.
    UsFederal,
    /// Weekends and the California state holidays of [`california_holidays`] are skipped.
    California,
}

/// The length of a regulatory period. Each unit is counted the way statutes count it; see
/// [`due_after`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// Elapsed real time: exactly this many hours, whatever the wall clock does meanwhile.
    Hours(u32),
    /// Calendar days after the local date of the start, due at the end of the last day.
    CalendarDays(u32),
    /// Business days after the local date of the start, due at the end of the last one.
    BusinessDays(u32),
    /// Calendar months after the local date of the start (clamped to the month's last day), due at
    /// the end of that day.
    Months(u32),
}

const NEW_YEARS_DAY: &str = "New Year's Day";
const MLK_BIRTHDAY: &str = "Birthday of Martin Luther King, Jr.";
const WASHINGTONS_BIRTHDAY: &str = "Washington's Birthday";
const MEMORIAL_DAY: &str = "Memorial Day";
const JUNETEENTH: &str = "Juneteenth National Independence Day";
const INDEPENDENCE_DAY: &str = "Independence Day";
const LABOR_DAY: &str = "Labor Day";
const COLUMBUS_DAY: &str = "Columbus Day";
const VETERANS_DAY: &str = "Veterans Day";
const THANKSGIVING_DAY: &str = "Thanksgiving Day";
const CHRISTMAS_DAY: &str = "Christmas Day";

/// US federal holidays (5 U.S.C. 6103) for `year`, as OBSERVED dates with their statutory names,
/// sorted by date.
///
/// Observed dates, not nominal ones, because business days are about whether offices are open:
/// when a holiday falls on a Saturday federal offices close the Friday before, and when it falls
/// on a Sunday they close the Monday after (5 U.S.C. 6103(b); Executive Order 11582).
///
/// The list holds the holidays *observed in* `year`. New Year's Day falling on a Saturday is
/// observed on Friday 31 December of the previous year, so that date belongs to the previous
/// year's list: `us_federal_holidays(2021)` contains 2021-12-31 (for Saturday 1 January 2022), and
/// the list for 2022 has no New Year's entry at all. This keeps "is this date a holiday?" a lookup
/// in the list for the date's own year.
///
/// Juneteenth is included from 2021, the year it was enacted. Otherwise today's rules are applied
/// to every year (the Monday holidays of 1971 and Martin Luther King Jr. Day, first observed in
/// 1986, are not back-dated) because these clocks concern current breaches; the one-off
/// Inauguration Day holiday, which applies only around Washington, D.C., is not included.
pub fn us_federal_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let fixed = |y: i32, month: u32, day: u32| NaiveDate::from_ymd_opt(y, month, day).and_then(observed);
    let nth =
        |month: u32, weekday: Weekday, n: u8| NaiveDate::from_weekday_of_month_opt(year, month, weekday, n);
    let last_monday_of_may = NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, 5)
        .or_else(|| NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, 4));

    let candidates = [
        (fixed(year, 1, 1), NEW_YEARS_DAY),
        // Next year's New Year's Day lands in this year when observed on 31 December.
        (year.checked_add(1).and_then(|next| fixed(next, 1, 1)), NEW_YEARS_DAY),
        (nth(1, Weekday::Mon, 3), MLK_BIRTHDAY),
        (nth(2, Weekday::Mon, 3), WASHINGTONS_BIRTHDAY),
        (last_monday_of_may, MEMORIAL_DAY),
        (if year >= 2021 { fixed(year, 6, 19) } else { None }, JUNETEENTH),
        (fixed(year, 7, 4), INDEPENDENCE_DAY),
        (nth(9, Weekday::Mon, 1), LABOR_DAY),
        (nth(10, Weekday::Mon, 2), COLUMBUS_DAY),
        (fixed(year, 11, 11), VETERANS_DAY),
        (nth(11, Weekday::Thu, 4), THANKSGIVING_DAY),
        (fixed(year, 12, 25), CHRISTMAS_DAY),
    ];
    let mut holidays: Vec<(NaiveDate, &'static str)> = candidates
        .into_iter()
        .filter_map(|(date, name)| date.filter(|d| d.year() == year).map(|d| (d, name)))
        .collect();
    holidays.sort_by_key(|&(date, _)| date);
    holidays
}

/// California state holidays (Cal. Gov. Code 6700(a)) for `year` that fall on a weekday, as the
/// dates they are kept, with their names, sorted by date.
///
/// Gov. Code 6701 moves some of them off a weekend: January 1, February 12, March 31, July 4,
/// September 9, November 11 and December 25 falling on a Sunday are kept on the Monday after;
/// November 11 falling on a Saturday on the Friday before. The holidays added since (April 24,
/// June 19) are not moved: whether 6701 now names them could not be verified, and not moving
/// them leaves the Monday a business day, the earlier (safe) due date.
///
/// Left out, each leaving a business day where a holiday might be (the safe direction):
/// - Lunar New Year (6700(a)(4), "the second new moon following the winter solstice"): the
///   date needs astronomical new moons and a zone the statute does not name;
/// - Good Friday from noon until 3 p.m.: part of a day, the rest of which is a business day;
/// - days "appointed by the President or Governor for a public fast, thanksgiving, or holiday"
///   other than Thanksgiving Day (the fourth Thursday of November), which cannot be known ahead.
///
/// Saturdays and Sundays are not business days in any case; Sunday, a holiday in 6700(a)(1), is
/// therefore not listed.
pub fn california_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let on_sunday_monday = |month: u32, day: u32| {
        NaiveDate::from_ymd_opt(year, month, day).and_then(|d| match d.weekday() {
            Weekday::Sun => d.succ_opt(),
            _ => Some(d),
        })
    };
    let fixed = |month: u32, day: u32| NaiveDate::from_ymd_opt(year, month, day);
    let nth =
        |month: u32, weekday: Weekday, n: u8| NaiveDate::from_weekday_of_month_opt(year, month, weekday, n);
    let last_monday_of_may = NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, 5)
        .or_else(|| NaiveDate::from_weekday_of_month_opt(year, 5, Weekday::Mon, 4));
    let veterans_day = NaiveDate::from_ymd_opt(year, 11, 11).and_then(|d| match d.weekday() {
        Weekday::Sun => d.succ_opt(),
        Weekday::Sat => d.pred_opt(),
        _ => Some(d),
    });
    let candidates = [
        (on_sunday_monday(1, 1), NEW_YEARS_DAY),
        (nth(1, Weekday::Mon, 3), "Dr. Martin Luther King, Jr. Day"),
        (on_sunday_monday(2, 12), "Lincoln Day"),
        (nth(2, Weekday::Mon, 3), "Third Monday in February"),
        (on_sunday_monday(3, 31), "Cesar Chavez Day"),
        (fixed(4, 24), "Genocide Remembrance Day"),
        (last_monday_of_may, "Last Monday in May"),
        (fixed(6, 19), "Juneteenth"),
        (on_sunday_monday(7, 4), INDEPENDENCE_DAY),
        (nth(9, Weekday::Mon, 1), "First Monday in September"),
        (on_sunday_monday(9, 9), "Admission Day"),
        (nth(9, Weekday::Fri, 4), "Native American Day"),
        (nth(10, Weekday::Mon, 2), COLUMBUS_DAY),
        (veterans_day, VETERANS_DAY),
        (nth(11, Weekday::Thu, 4), THANKSGIVING_DAY),
        (on_sunday_monday(12, 25), CHRISTMAS_DAY),
    ];
    let mut holidays: Vec<(NaiveDate, &'static str)> = candidates
        .into_iter()
        .filter_map(|(date, name)| date.filter(|d| !is_weekend(d.weekday())).map(|d| (d, name)))
        .collect();
    holidays.sort_by_key(|&(date, _)| date);
    holidays
}

/// The holidays of `calendar` in `year` that fall on weekdays.
fn holidays(calendar: HolidayCalendar, year: i32) -> Vec<(NaiveDate, &'static str)> {
    match calendar {
        HolidayCalendar::None => Vec::new(),
        HolidayCalendar::UsFederal => us_federal_holidays(year),
        HolidayCalendar::California => california_holidays(year),
    }
}

/// Whether `date` is a business day: Monday to Friday and not a holiday of `calendar`
/// (the observed federal holidays, or California's).
pub fn is_business_day(date: NaiveDate, calendar: HolidayCalendar) -> bool {
    if is_weekend(date.weekday()) {
        return false;
    }
    !holidays(calendar, date.year()).iter().any(|&(d, _)| d == date)
}

/// The due instant of a period that starts at `start`, counted in `zone`:
///
/// - `Hours(n)`: exactly `start` + n hours. Hour-based clocks (for example 72-hour regulator
///   notifications) measure elapsed time, so they ignore the zone and DST entirely.
/// - `CalendarDays(n)`: the local date of `start` in `zone` plus n days, due at the END of that
///   local day (23:59:59 local: the first instant of the next local day minus one second). The
///   next day's first instant is its local midnight; where midnight is repeated by a DST change
///   the earlier one is taken, and where it is skipped the earliest instant of that day that does
///   exist is taken (the transition itself).
/// - `BusinessDays(n)`: the n-th business day AFTER the local date of `start` (the start day never
///   counts, even if it is a business day, and `BusinessDays(0)` is the end of the start day),
///   due at the end of that local day. With [`HolidayCalendar::None`] only weekends are skipped.
/// - `Months(n)`: the same local day of the month n months later, clamped to the last day of a
///   shorter month (31 January + 1 month = 28 or 29 February), due at the end of that local day.
///   Clamping rather than spilling into the next month keeps the due inside the named month, the
///   earlier (safe) reading.
///
/// Results beyond chrono's range saturate to [`DateTime::<Utc>::MAX_UTC`] (see the module notes).
pub fn due_after(start: DateTime<Utc>, period: Period, zone: Tz, calendar: HolidayCalendar) -> DateTime<Utc> {
    let due = match period {
        Period::Hours(n) => TimeDelta::try_hours(i64::from(n)).and_then(|d| start.checked_add_signed(d)),
        Period::CalendarDays(n) => local_date(start, zone)
            .and_then(|d| d.checked_add_days(Days::new(u64::from(n))))
            .and_then(|d| end_of_local_day(d, zone)),
        Period::BusinessDays(n) => local_date(start, zone)
            .and_then(|d| nth_business_day_after(d, n, calendar))
            .and_then(|d| end_of_local_day(d, zone)),
        Period::Months(n) => local_date(start, zone)
            .and_then(|d| d.checked_add_months(Months::new(n)))
            .and_then(|d| end_of_local_day(d, zone)),
    };
    due.unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// HIPAA 45 CFR 164.408(c): breaches affecting fewer than 500 people are reported to the Secretary
/// "not later than 60 days after the end of each calendar year" in which they were discovered.
///
/// Returns the end of the local day that is `days` calendar days after 31 December of the local
/// year of `start` in `zone`: 60 gives 1 March, or 29 February when the following year is a leap
/// year. The year is taken in `zone` because a discovery late on 31 December local time is already
/// 1 January in UTC (or the reverse), and that must not move the report by a whole year.
pub fn after_end_of_year(start: DateTime<Utc>, days: u32, zone: Tz) -> DateTime<Utc> {
    local_date(start, zone)
        .and_then(|d| NaiveDate::from_ymd_opt(d.year(), 12, 31))
        .and_then(|d| d.checked_add_days(Days::new(u64::from(days))))
        .and_then(|d| end_of_local_day(d, zone))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The instant the calendar year after the local year of `start` begins in `zone`: where the
/// counting period of [`after_end_of_year`] starts. A law-enforcement delay holds back such a
/// notice only from then on (45 CFR 164.408(c) counts from the end of the calendar year).
pub fn end_of_year(start: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
    local_date(start, zone)
        .and_then(|d| d.year().checked_add(1))
        .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
        .and_then(|d| start_of_local_day(d, zone))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Tolling: a law-enforcement delay (for example 45 CFR 164.412) suspends a running clock.
///
/// Given the clock's `start`, its unsuspended `due` and suspension intervals `[from, until)`,
/// returns `due` extended by the time during which the clock was suspended between `start` and
/// the (extended) due:
///
/// - intervals may come in any order and may overlap; overlaps are merged so no time is counted
///   twice;
/// - only the part of an interval after `start` counts (the clock was not running before it);
/// - an interval that starts after the current (extended) due does not count: the period had
///   already run out, and a later request cannot revive an expired clock. One that starts exactly
///   at the due does count, because notice at the due instant is still timely, so the clock is
///   still running then;
/// - an interval that starts before the due counts in full, even where it runs past the due,
///   since the whole remaining period resumes only when the suspension ends;
/// - the intervals are taken in order of their start, extending the due as they go, because an
///   extension can bring a later interval into range;
/// - intervals with `until <= from` are ignored as meaningless.
///
/// Saturates at [`DateTime::<Utc>::MAX_UTC`].
pub fn suspend(
    start: DateTime<Utc>,
    due: DateTime<Utc>,
    suspensions: &[(DateTime<Utc>, DateTime<Utc>)],
) -> DateTime<Utc> {
    let mut intervals: Vec<(DateTime<Utc>, DateTime<Utc>)> = suspensions
        .iter()
        .map(|&(from, until)| (from.max(start), until))
        .filter(|&(from, until)| until > from)
        .collect();
    intervals.sort_unstable();

    let mut due = due;
    // The end of the suspended time counted so far; later intervals only add what lies beyond it,
    // which merges overlapping intervals as they are met in order of their start.
    let mut counted_until: Option<DateTime<Utc>> = None;
    for (from, until) in intervals {
        let from = match counted_until {
            Some(counted) if counted > from => counted,
            _ => from,
        };
        if until <= from {
            continue; // wholly inside time already counted
        }
        if from > due {
            break; // this and every later interval begin after the clock ran out
        }
        due = due.checked_add_signed(until - from).unwrap_or(DateTime::<Utc>::MAX_UTC);
        counted_until = Some(until);
    }
    due
}

fn is_weekend(weekday: Weekday) -> bool {
    matches!(weekday, Weekday::Sat | Weekday::Sun)
}

/// The date on which a holiday falling on `date` is observed (5 U.S.C. 6103(b)).
fn observed(date: NaiveDate) -> Option<NaiveDate> {
    match date.weekday() {
        Weekday::Sat => date.pred_opt(),
        Weekday::Sun => date.succ_opt(),
        _ => Some(date),
    }
}

/// The wall-clock reading of `instant` in `zone`, or `None` at the edges of chrono's range (where
/// `DateTime::naive_local` would panic).
fn local_naive(instant: DateTime<Utc>, zone: Tz) -> Option<NaiveDateTime> {
    let offset = zone.offset_from_utc_datetime(&instant.naive_utc()).fix();
    instant.naive_utc().checked_add_offset(offset)
}

fn local_date(instant: DateTime<Utc>, zone: Tz) -> Option<NaiveDate> {
    local_naive(instant, zone).map(|t| t.date())
}

/// The last second of the local day `date` in `zone`: one second before the next day begins.
fn end_of_local_day(date: NaiveDate, zone: Tz) -> Option<DateTime<Utc>> {
    start_of_local_day(date.succ_opt()?, zone)?.checked_sub_signed(TimeDelta::seconds(1))
}

/// The first instant whose local date in `zone` is `date`.
fn start_of_local_day(date: NaiveDate, zone: Tz) -> Option<DateTime<Utc>> {
    let midnight = date.and_time(NaiveTime::MIN);
    match zone.from_local_datetime(&midnight) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        // Midnight happens twice (clocks went back to it): the day began the first time.
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        // Midnight was skipped (clocks jumped over it, or over the whole day as in Samoa on
        // 30 December 2011): the day, or what would have been it, begins at the jump.
        LocalResult::None => first_instant_reaching(midnight, zone),
    }
}

/// The earliest instant (to the second) at which the wall clock in `zone` reads `local` or later,
/// for a `local` that falls in a gap. Found by bisection because chrono-tz does not expose its
/// transition table; 26 hours either side is wider than any UTC offset, so the answer lies
/// inside the window, and the wall clock is monotonic across a gap.
fn first_instant_reaching(local: NaiveDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    let window = TimeDelta::hours(26);
    let pivot = local.and_utc();
    let mut before = pivot.checked_sub_signed(window)?.timestamp();
    let mut reached = pivot.checked_add_signed(window)?.timestamp();
    let has_reached = |secs: i64| -> Option<bool> {
        let instant = DateTime::from_timestamp(secs, 0)?;
        Some(local_naive(instant, zone)? >= local)
    };
    if has_reached(before)? || !has_reached(reached)? {
        return None; // impossible while offsets stay under 24 hours
    }
    while reached - before > 1 {
        let mid = before + (reached - before) / 2;
        if has_reached(mid)? {
            reached = mid;
        } else {
            before = mid;
        }
    }
    DateTime::from_timestamp(reached, 0)
}

/// The `n`-th business day after `date` (`date` itself never counts; `n == 0` gives `date`).
///
/// Whole years are skipped by counting their business days arithmetically, so the cost grows
/// with the number of years spanned rather than the number of days; only the final year is
/// walked day by day.
fn nth_business_day_after(date: NaiveDate, n: u32, calendar: HolidayCalendar) -> Option<NaiveDate> {
    let mut current = date;
    let mut remaining = n;
    loop {
        if remaining == 0 {
            return Some(current);
        }
        let next = current.succ_opt()?;
        let year_end = NaiveDate::from_ymd_opt(next.year(), 12, 31)?;
        let available = business_days_between(next, year_end, calendar);
        if available >= remaining {
            break;
        }
        remaining -= available;
        current = year_end;
    }
    while remaining > 0 {
        current = current.succ_opt()?;
        if is_business_day(current, calendar) {
            remaining -= 1;
        }
    }
    Some(current)
}

/// Business days in `first..=last`, both in the same year with `first <= last`.
fn business_days_between(first: NaiveDate, last: NaiveDate, calendar: HolidayCalendar) -> u32 {
    let span = u32::try_from((last - first).num_days() + 1).unwrap_or(0);
    let first_weekday = first.weekday().num_days_from_monday();
    let trailing_weekdays = (0..span % 7).filter(|i| (first_weekday + i) % 7 < 5).count();
    let weekdays = (span / 7) * 5 + u32::try_from(trailing_weekdays).unwrap_or(0);
    let holidays = holidays(calendar, first.year())
        .iter()
        .filter(|&&(d, _)| first <= d && d <= last && !is_weekend(d.weekday()))
        .count();
    weekdays.saturating_sub(u32::try_from(holidays).unwrap_or(0))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::FixedOffset;
    use chrono_tz::{America, Europe, Pacific};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn offset_in(instant: DateTime<Utc>, zone: Tz) -> FixedOffset {
        instant.with_timezone(&zone).offset().fix()
    }

    fn local(instant: DateTime<Utc>, zone: Tz) -> String {
        instant.with_timezone(&zone).to_rfc3339()
    }

    #[test]
    fn holidays_2026_are_the_eleven_observed_dates() {
        let expected = [
            ("2026-01-01", NEW_YEARS_DAY),
            ("2026-01-19", MLK_BIRTHDAY),
            ("2026-02-16", WASHINGTONS_BIRTHDAY),
            ("2026-05-25", MEMORIAL_DAY),
            ("2026-06-19", JUNETEENTH),
            ("2026-07-03", INDEPENDENCE_DAY), // Saturday 4 July -> Friday
            ("2026-09-07", LABOR_DAY),
            ("2026-10-12", COLUMBUS_DAY),
            ("2026-11-11", VETERANS_DAY),
            ("2026-11-26", THANKSGIVING_DAY),
            ("2026-12-25", CHRISTMAS_DAY),
        ];
        let expected: Vec<(NaiveDate, &str)> = expected.iter().map(|&(d, n)| (date(d), n)).collect();
        assert_eq!(us_federal_holidays(2026), expected);
    }

    #[test]
    fn holidays_are_shifted_to_their_observed_weekday() {
        // (list year, observed date, name, nominal date)
        let cases = [
            (2026, "2026-07-03", INDEPENDENCE_DAY, "2026-07-04"),
            (2027, "2027-12-24", CHRISTMAS_DAY, "2027-12-25"),
            (2021, "2021-12-31", NEW_YEARS_DAY, "2022-01-01"),
            (2023, "2023-01-02", NEW_YEARS_DAY, "2023-01-01"),
            (2021, "2021-06-18", JUNETEENTH, "2021-06-19"),
            (2022, "2022-06-20", JUNETEENTH, "2022-06-19"),
            (2021, "2021-07-05", INDEPENDENCE_DAY, "2021-07-04"),
            (2023, "2023-11-10", VETERANS_DAY, "2023-11-11"),
        ];
        for (year, observed_on, name, nominal) in cases {
            let (observed_on, nominal) = (date(observed_on), date(nominal));
            let list = us_federal_holidays(year);
            assert!(list.contains(&(observed_on, name)), "{year}: {name} on {observed_on} in {list:?}");
            assert!(!list.iter().any(|&(d, _)| d == nominal), "{year}: nothing on the weekend day {nominal}");
            let expected = match nominal.weekday() {
                Weekday::Sat => nominal.pred_opt(),
                Weekday::Sun => nominal.succ_opt(),
                other => panic!("{nominal} is a {other}, not a weekend day"),
            };
            assert_eq!(Some(observed_on), expected, "{name} {year}");
        }
        // New Year's Day 2022 has no weekday of its own in 2022.
        assert!(!us_federal_holidays(2022).iter().any(|&(_, n)| n == NEW_YEARS_DAY));
    }

    #[test]
    fn holiday_lists_per_year_have_the_right_shape() {
        // (year, number of holidays, New Year's entries, Juneteenth present)
        let cases = [
            (2020, 10, 1, false), // before Juneteenth
            (2021, 12, 2, true),  // 1 Jan 2021 and 31 Dec 2021 (for 1 Jan 2022)
            (2022, 10, 0, true),  // 1 Jan 2022 was observed in 2021
            (2026, 11, 1, true),
            (2027, 12, 2, true), // 1 Jan 2028 is a Saturday
            (2028, 10, 0, true),
        ];
        for (year, count, new_years, juneteenth) in cases {
            let list = us_federal_holidays(year);
            assert_eq!(list.len(), count, "{year}: {list:?}");
            assert_eq!(list.iter().filter(|&&(_, n)| n == NEW_YEARS_DAY).count(), new_years, "{year}");
            assert_eq!(list.iter().any(|&(_, n)| n == JUNETEENTH), juneteenth, "{year}");
            assert!(list.windows(2).all(|w| w[0].0 < w[1].0), "{year}: sorted");
            assert!(list.iter().all(|&(d, _)| d.year() == year && !is_weekend(d.weekday())), "{year}");
        }
    }

    #[test]
    fn california_holidays_2026_are_the_weekday_holidays_of_gov_code_6700() {
        // Saturday 4 July 2026 is not moved (6701 moves Sunday holidays, and Veterans Day from
        // a Saturday), so Friday 3 July is a California business day though a federal holiday.
        let expected = [
            ("2026-01-01", NEW_YEARS_DAY),
            ("2026-01-19", "Dr. Martin Luther King, Jr. Day"),
            ("2026-02-12", "Lincoln Day"),
            ("2026-02-16", "Third Monday in February"),
            ("2026-03-31", "Cesar Chavez Day"),
            ("2026-04-24", "Genocide Remembrance Day"),
            ("2026-05-25", "Last Monday in May"),
            ("2026-06-19", "Juneteenth"),
            ("2026-09-07", "First Monday in September"),
            ("2026-09-09", "Admission Day"),
            ("2026-09-25", "Native American Day"),
            ("2026-10-12", COLUMBUS_DAY),
            ("2026-11-11", VETERANS_DAY),
            ("2026-11-26", THANKSGIVING_DAY),
            ("2026-12-25", CHRISTMAS_DAY),
        ];
        let expected: Vec<(NaiveDate, &str)> = expected.iter().map(|&(d, n)| (date(d), n)).collect();
        assert_eq!(california_holidays(2026), expected);
    }

    #[test]
    fn california_moves_the_holidays_gov_code_6701_names_off_a_sunday() {
        // (date, California business day)
        let cases = [
            ("2023-01-02", false), // 1 January 2023 was a Sunday
            ("2023-02-13", false), // Lincoln Day, Sunday 12 February 2023
            ("2027-07-05", false), // Sunday 4 July 2027
            ("2022-12-26", false), // Sunday 25 December 2022
            ("2023-11-10", false), // Veterans Day, Saturday 11 November 2023: the Friday before
            ("2025-09-08", true),  // Admission Day 2025 was a Tuesday: the Monday is not a holiday
            ("2025-09-09", false),
            ("2022-06-20", true),  // Juneteenth, Sunday 19 June 2022: not moved (safe)
            ("2029-04-23", true),  // Genocide Remembrance Day, Tuesday 24 April 2029 ...
            ("2029-04-24", false), // ... is the holiday itself
            ("2026-04-03", true),  // Good Friday: only noon to 3 p.m.
            ("2026-11-27", true),  // the day after Thanksgiving is not in 6700
            ("2026-07-03", true),  // a federal holiday only
        ];
        for (day, business) in cases {
            assert_eq!(is_business_day(date(day), HolidayCalendar::California), business, "{day}");
        }
        assert!(!is_business_day(date("2026-07-03"), HolidayCalendar::UsFederal));
    }

    #[test]
    fn fifteen_california_business_days() {
        let la = America::Los_Angeles;
        // (detected, calendar, due)
        let cases = [
            // Cesar Chavez Day (Tuesday 31 March) is skipped; Good Friday (3 April) is not.
            ("2026-03-23T10:00:00-07:00", HolidayCalendar::California, "2026-04-14T23:59:59-07:00"),
            ("2026-03-23T10:00:00-07:00", HolidayCalendar::UsFederal, "2026-04-13T23:59:59-07:00"),
            // Genocide Remembrance Day (Friday 24 April).
            ("2026-04-03T10:00:00-07:00", HolidayCalendar::California, "2026-04-27T23:59:59-07:00"),
            // Friday 3 July counts in California, not federally.
            ("2026-07-01T10:00:00-07:00", HolidayCalendar::California, "2026-07-22T23:59:59-07:00"),
            ("2026-07-01T10:00:00-07:00", HolidayCalendar::UsFederal, "2026-07-23T23:59:59-07:00"),
            // Veterans Day and Thanksgiving in November.
            ("2026-11-04T10:00:00-08:00", HolidayCalendar::California, "2026-11-27T23:59:59-08:00"),
        ];
        for (start, calendar, expected) in cases {
            let due = due_after(at(start), Period::BusinessDays(15), la, calendar);
            assert_eq!(due, at(expected), "{start} ({calendar:?}): {}", local(due, la));
        }
    }

    #[test]
    fn the_year_after_begins_at_local_midnight_of_1_january() {
        let ny = America::New_York;
        assert_eq!(end_of_year(at("2026-06-01T12:00:00-04:00"), ny), at("2027-01-01T00:00:00-05:00"));
        // Late on 31 December local time is already the next year in UTC; the local year counts.
        assert_eq!(end_of_year(at("2026-12-31T23:30:00-05:00"), ny), at("2027-01-01T00:00:00-05:00"));
        assert_eq!(end_of_year(DateTime::<Utc>::MAX_UTC, ny), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn business_days_are_weekdays_that_are_not_observed_holidays() {
        let cases = [
            ("2026-11-25", HolidayCalendar::UsFederal, true),  // Wednesday
            ("2026-11-26", HolidayCalendar::UsFederal, false), // Thanksgiving
            ("2026-11-26", HolidayCalendar::None, true),
            ("2026-11-28", HolidayCalendar::None, false), // Saturday
            ("2026-07-03", HolidayCalendar::UsFederal, false), // observed Independence Day
            ("2026-07-04", HolidayCalendar::UsFederal, false), // the Saturday itself
            ("2021-12-31", HolidayCalendar::UsFederal, false), // observed New Year's Day 2022
            ("2022-01-03", HolidayCalendar::UsFederal, true),
        ];
        for (day, calendar, expected) in cases {
            assert_eq!(is_business_day(date(day), calendar), expected, "{day} {calendar:?}");
        }
    }

    #[test]
    fn business_days_skip_weekends_and_holidays_and_never_count_the_start_day() {
        let ny = America::New_York;
        let fed = HolidayCalendar::UsFederal;
        let none = HolidayCalendar::None;
        // (start, n, calendar, due in New York)
        let cases = [
            // Thanksgiving is skipped: Fri 27, Mon 30, Tue 1, Wed 2 December.
            ("2026-11-25T14:00:00-05:00", 4, fed, "2026-12-02T23:59:59-05:00"),
            ("2026-11-25T14:00:00-05:00", 4, none, "2026-12-01T23:59:59-05:00"),
            // Across a weekend, from Friday, Saturday and Sunday.
            ("2026-03-13T09:00:00-04:00", 1, fed, "2026-03-16T23:59:59-04:00"),
            ("2026-03-14T09:00:00-04:00", 1, fed, "2026-03-16T23:59:59-04:00"),
            ("2026-03-15T23:30:00-04:00", 1, fed, "2026-03-16T23:59:59-04:00"),
            // A business-day start does not count itself.
            ("2026-03-16T00:00:00-04:00", 1, fed, "2026-03-17T23:59:59-04:00"),
            // The local date governs: 03:00Z on Monday is still Sunday evening in New York.
            ("2026-03-16T03:00:00Z", 1, fed, "2026-03-16T23:59:59-04:00"),
            // Christmas (Fri 25 Dec) then the weekend.
            ("2026-12-24T10:00:00-05:00", 3, fed, "2026-12-30T23:59:59-05:00"),
            // New Year's Day 2022 observed on Friday 31 December 2021, across the year end.
            ("2021-12-30T10:00:00-05:00", 1, fed, "2022-01-03T23:59:59-05:00"),
            // Independence Day 2026 observed on Friday 3 July.
            ("2026-07-02T10:00:00-04:00", 1, fed, "2026-07-06T23:59:59-04:00"),
            // Zero business days: the end of the start day.
            ("2026-03-14T09:00:00-04:00", 0, fed, "2026-03-14T23:59:59-04:00"),
            // A year's worth: 2027 has 249 business days (261 weekdays less 12 observed holidays,
            // the last of them Friday 31 December 2027 for New Year's Day 2028).
            ("2026-12-31T12:00:00-05:00", 249, fed, "2027-12-30T23:59:59-05:00"),
            ("2026-12-31T12:00:00-05:00", 250, fed, "2028-01-03T23:59:59-05:00"),
        ];
        for (start, n, calendar, expected) in cases {
            let due = due_after(at(start), Period::BusinessDays(n), ny, calendar);
            assert_eq!(due, at(expected), "{start} + {n} business days ({calendar:?}): {}", local(due, ny));
        }
    }

    #[test]
    fn skipping_whole_years_agrees_with_walking_day_by_day() {
        fn walk(mut d: NaiveDate, mut n: u32, calendar: HolidayCalendar) -> NaiveDate {
            while n > 0 {
                d = d.succ_opt().unwrap();
                if is_business_day(d, calendar) {
                    n -= 1;
                }
            }
            d
        }
        let counts = [0, 1, 2, 5, 9, 10, 11, 20, 249, 250, 251, 252, 253, 260, 261, 262, 500, 777];
        for calendar in [HolidayCalendar::None, HolidayCalendar::UsFederal, HolidayCalendar::California] {
            let mut start = date("2020-12-20");
            while start <= date("2023-01-10") {
                for n in counts {
                    assert_eq!(
                        nth_business_day_after(start, n, calendar),
                        Some(walk(start, n, calendar)),
                        "{start} + {n} ({calendar:?})"
                    );
                }
                start = start.checked_add_days(Days::new(5)).unwrap();
            }
        }
    }

    #[test]
    fn calendar_days_end_at_local_midnight_across_dst_changes() {
        let ny = America::New_York;
        let berlin = Europe::Berlin;
        // (zone, start, n, due)
        let cases = [
            // New York springs forward on Sunday 8 March 2026.
            (ny, "2026-03-06T10:00:00-05:00", 3, "2026-03-09T23:59:59-04:00"),
            // New York falls back on Sunday 1 November 2026.
            (ny, "2026-10-30T09:00:00-04:00", 2, "2026-11-01T23:59:59-05:00"),
            // Berlin springs forward on Sunday 29 March 2026.
            (berlin, "2026-03-27T10:00:00+01:00", 5, "2026-04-01T23:59:59+02:00"),
            // Berlin falls back on Sunday 25 October 2026.
            (berlin, "2026-10-23T18:00:00+02:00", 3, "2026-10-26T23:59:59+01:00"),
        ];
        for (zone, start, n, expected) in cases {
            let start = at(start);
            let due = due_after(start, Period::CalendarDays(n), zone, HolidayCalendar::UsFederal);
            assert_eq!(due, at(expected), "{start} + {n} days in {zone}: {}", local(due, zone));
            assert_ne!(offset_in(due, zone), offset_in(start, zone), "{zone}: the offset changed");
            assert_eq!(due.with_timezone(&zone).time(), NaiveTime::from_hms_opt(23, 59, 59).unwrap());
        }
    }

    #[test]
    fn calendar_days_use_the_local_date_and_never_roll_forward() {
        let ny = America::New_York;
        let cases = [
            // 03:00Z on 6 March is still 5 March in New York.
            ("2026-03-06T03:00:00Z", 1, "2026-03-06T23:59:59-05:00"),
            ("2026-03-06T03:00:00Z", 0, "2026-03-05T23:59:59-05:00"),
            // Ends on a Saturday and on Thanksgiving: no roll-forward for calendar days.
            ("2026-03-13T12:00:00-04:00", 1, "2026-03-14T23:59:59-04:00"),
            ("2026-11-25T12:00:00-05:00", 1, "2026-11-26T23:59:59-05:00"),
        ];
        for (start, n, expected) in cases {
            let due = due_after(at(start), Period::CalendarDays(n), ny, HolidayCalendar::UsFederal);
            assert_eq!(due, at(expected), "{start} + {n} days: {}", local(due, ny));
        }
    }

    #[test]
    fn sixty_days_in_a_leap_year_and_in_a_common_year() {
        let ny = America::New_York;
        let cases = [
            // 2028 is a leap year: 16 days of January, 29 of February, 15 of March.
            ("2028-01-15T10:00:00-05:00", "2028-03-15T23:59:59-04:00"),
            // 2027 is not: 16 + 28 + 16.
            ("2027-01-15T10:00:00-05:00", "2027-03-16T23:59:59-04:00"),
        ];
        for (start, expected) in cases {
            let due = due_after(at(start), Period::CalendarDays(60), ny, HolidayCalendar::None);
            assert_eq!(due, at(expected), "{start}: {}", local(due, ny));
        }
    }

    #[test]
    fn after_end_of_year_counts_from_the_local_31_december() {
        let ny = America::New_York;
        let cases = [
            // Breaches of 2027 are due 60 days after 31 December 2027: 29 February 2028.
            ("2027-06-01T12:00:00-04:00", 60, "2028-02-29T23:59:59-05:00"),
            ("2026-06-01T12:00:00-04:00", 60, "2027-03-01T23:59:59-05:00"),
            // Late on 31 December local time is already next year in UTC; the local year counts.
            ("2026-12-31T23:30:00-05:00", 60, "2027-03-01T23:59:59-05:00"),
            ("2027-01-01T00:30:00-05:00", 60, "2028-02-29T23:59:59-05:00"),
            ("2026-03-01T12:00:00-05:00", 0, "2026-12-31T23:59:59-05:00"),
        ];
        for (start, days, expected) in cases {
            let due = after_end_of_year(at(start), days, ny);
            assert_eq!(due, at(expected), "{start} + {days}: {}", local(due, ny));
        }
    }

    #[test]
    fn hours_are_elapsed_time_across_dst() {
        let ny = America::New_York;
        let cases = [
            // Spring forward: 72 h later the wall clock reads one hour more.
            ("2026-03-07T12:00:00-05:00", 72, "2026-03-10T13:00:00-04:00"),
            // Fall back: one hour less.
            ("2026-10-31T12:00:00-04:00", 72, "2026-11-03T11:00:00-05:00"),
            ("2026-10-31T12:00:00-04:00", 0, "2026-10-31T12:00:00-04:00"),
        ];
        for (start, hours, expected) in cases {
            let start = at(start);
            for zone in [ny, Europe::Berlin, Pacific::Apia] {
                let due = due_after(start, Period::Hours(hours), zone, HolidayCalendar::UsFederal);
                assert_eq!(due, at(expected), "{start} + {hours} h in {zone}");
                assert_eq!(due - start, TimeDelta::hours(i64::from(hours)));
            }
        }
    }

    #[test]
    fn months_clamp_to_the_end_of_a_shorter_month() {
        let ny = America::New_York;
        let cases = [
            ("2026-01-31T10:00:00-05:00", 1, "2026-02-28T23:59:59-05:00"),
            ("2028-01-31T10:00:00-05:00", 1, "2028-02-29T23:59:59-05:00"),
            ("2026-03-31T10:00:00-04:00", 1, "2026-04-30T23:59:59-04:00"),
            ("2028-02-29T10:00:00-05:00", 12, "2029-02-28T23:59:59-05:00"),
            ("2026-01-15T10:00:00-05:00", 3, "2026-04-15T23:59:59-04:00"),
            ("2026-01-15T10:00:00-05:00", 0, "2026-01-15T23:59:59-05:00"),
        ];
        for (start, n, expected) in cases {
            let due = due_after(at(start), Period::Months(n), ny, HolidayCalendar::None);
            assert_eq!(due, at(expected), "{start} + {n} months: {}", local(due, ny));
        }
    }

    #[test]
    fn day_ends_are_found_where_midnight_is_skipped_or_repeated() {
        // (zone, local day whose end is wanted, how the next day's midnight maps, expected due)
        // The midnight column checks that each case really exercises the branch it is meant to.
        let cases = [
            // São Paulo sprang forward at midnight on 4 November 2018 (00:00 -03 -> 01:00 -02):
            // 3 November ended at the jump.
            (America::Sao_Paulo, "2018-11-03", "gap", "2018-11-03T23:59:59-03:00"),
            // Havana springs forward at midnight on 8 March 2026.
            (America::Havana, "2026-03-07", "gap", "2026-03-07T23:59:59-05:00"),
            // Havana falls back from 01:00 to midnight on 1 November 2026: 31 October ends at
            // the first midnight.
            (America::Havana, "2026-10-31", "twice", "2026-10-31T23:59:59-04:00"),
            // Samoa skipped 30 December 2011 altogether (29 Dec 23:59:59 -10 -> 31 Dec 00:00 +14).
            (Pacific::Apia, "2011-12-29", "gap", "2011-12-29T23:59:59-10:00"),
            (Pacific::Apia, "2011-12-30", "once", "2011-12-29T23:59:59-10:00"),
            (Pacific::Apia, "2011-12-31", "once", "2011-12-31T23:59:59+14:00"),
            (America::New_York, "2026-03-07", "once", "2026-03-07T23:59:59-05:00"),
        ];
        for (zone, day, midnight, expected) in cases {
            let next_midnight = date(day).succ_opt().unwrap().and_time(NaiveTime::MIN);
            let kind = match zone.from_local_datetime(&next_midnight) {
                LocalResult::Single(_) => "once",
                LocalResult::Ambiguous(_, _) => "twice",
                LocalResult::None => "gap",
            };
            assert_eq!(kind, midnight, "{next_midnight} in {zone}");
            assert_eq!(end_of_local_day(date(day), zone), Some(at(expected)), "{day} in {zone}");
        }
        // The same through the public API: one calendar day from noon on 2 November 2018.
        let due = due_after(
            at("2018-11-02T12:00:00-03:00"),
            Period::CalendarDays(1),
            America::Sao_Paulo,
            HolidayCalendar::None,
        );
        assert_eq!(due, at("2018-11-03T23:59:59-03:00"));
    }

    #[test]
    fn suspensions_extend_the_due_by_the_time_suspended() {
        let start = at("2026-01-01T00:00:00Z");
        let due = at("2026-01-31T00:00:00Z");
        let t = |s: &str| at(&format!("2026-{s}Z"));
        type Interval = (DateTime<Utc>, DateTime<Utc>);
        let cases: Vec<(&str, Vec<Interval>, DateTime<Utc>)> = vec![
            ("none", vec![], due),
            ("one inside", vec![(t("01-10T00:00:00"), t("01-12T00:00:00"))], t("02-02T00:00:00")),
            (
                "overlapping the start counts only after it",
                vec![(at("2025-12-30T00:00:00Z"), t("01-02T00:00:00"))],
                t("02-01T00:00:00"),
            ),
            (
                "entirely before the start",
                vec![(at("2025-12-01T00:00:00Z"), at("2025-12-31T00:00:00Z"))],
                due,
            ),
            (
                "two overlapping each other are merged",
                vec![(t("01-13T00:00:00"), t("01-20T00:00:00")), (t("01-10T00:00:00"), t("01-15T00:00:00"))],
                t("02-10T00:00:00"),
            ),
            (
                "one nested in another",
                vec![(t("01-10T00:00:00"), t("01-20T00:00:00")), (t("01-12T00:00:00"), t("01-14T00:00:00"))],
                t("02-10T00:00:00"),
            ),
            ("one after the due", vec![(t("02-05T00:00:00"), t("02-06T00:00:00"))], due),
            (
                "one brought into range by an earlier extension",
                vec![(t("02-05T00:00:00"), t("02-07T00:00:00")), (t("01-10T00:00:00"), t("01-20T00:00:00"))],
                t("02-12T00:00:00"),
            ),
            (
                "a chain of extensions",
                vec![
                    (t("02-11T00:00:00"), t("02-12T00:00:00")),
                    (t("02-05T00:00:00"), t("02-07T00:00:00")),
                    (t("01-10T00:00:00"), t("01-20T00:00:00")),
                    (t("02-20T00:00:00"), t("02-21T00:00:00")),
                ],
                t("02-13T00:00:00"),
            ),
            (
                "straddling the due counts in full",
                vec![(t("01-30T00:00:00"), t("02-03T00:00:00"))],
                t("02-04T00:00:00"),
            ),
            ("starting exactly at the due", vec![(due, t("02-01T00:00:00"))], t("02-01T00:00:00")),
            (
                "empty and reversed intervals are ignored",
                vec![(t("01-10T00:00:00"), t("01-10T00:00:00")), (t("01-12T00:00:00"), t("01-11T00:00:00"))],
                due,
            ),
        ];
        for (name, suspensions, expected) in cases {
            assert_eq!(suspend(start, due, &suspensions), expected, "{name}");
        }
    }

    #[test]
    fn absurd_periods_saturate_instead_of_panicking() {
        let start = at("2026-01-01T00:00:00Z");
        let max = DateTime::<Utc>::MAX_UTC;
        let periods = [
            Period::Hours(u32::MAX),
            Period::CalendarDays(u32::MAX),
            Period::BusinessDays(u32::MAX),
            Period::Months(u32::MAX),
        ];
        for zone in [America::New_York, Pacific::Kiritimati] {
            for period in periods {
                for calendar in [HolidayCalendar::None, HolidayCalendar::UsFederal] {
                    assert_eq!(due_after(start, period, zone, calendar), max, "{period:?} {zone}");
                }
            }
            assert_eq!(after_end_of_year(start, u32::MAX, zone), max);
            assert_eq!(due_after(max, Period::CalendarDays(0), zone, HolidayCalendar::None), max);
            assert_eq!(
                due_after(DateTime::<Utc>::MIN_UTC, Period::Months(1), zone, HolidayCalendar::None),
                max
            );
        }
        assert_eq!(suspend(start, max, &[(start, max)]), max);
        assert!(us_federal_holidays(i32::MAX).is_empty());
    }

    #[test]
    fn holiday_calendar_serialises_in_snake_case() {
        let cases = [
            (HolidayCalendar::None, "\"none\""),
            (HolidayCalendar::UsFederal, "\"us_federal\""),
            (HolidayCalendar::California, "\"california\""),
        ];
        for (calendar, json) in cases {
            assert_eq!(serde_json::to_string(&calendar).unwrap(), json);
            assert_eq!(serde_json::from_str::<HolidayCalendar>(json).unwrap(), calendar);
        }
    }
}
