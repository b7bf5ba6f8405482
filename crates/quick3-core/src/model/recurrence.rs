//! Series: Graph's recurrence read into a checked [`Rule`], expanded into occurrences for a range
//! (DST-exact, never stored forever-forward), and described in one plain sentence.
//!
//! Phases: [`Rule::from_graph`] reads Graph's shape (tolerant, as Outlook sends it);
//! [`Repeat::rule`] reads what a person chose and [`Rule::check`] refuses what Outlook refuses;
//! [`Rule::dates_between`] gives the local dates, jumping straight to the range;
//! [`occurrences`] turns dates into exact instants in the series' zone; [`Rule::describe`] says it.

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, Offset, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::appointment::{Recurrence, RecurrencePattern, RecurrenceRange, When};
use crate::error::{CoreError, Result};

/// Outlook's most occurrences for a numbered range, and the largest interval it offers.
pub const MAX_COUNT: u32 = 999;
pub const MAX_INTERVAL: u32 = 999;

/// How often a series repeats: Graph's pattern types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Daily,
    Weekly,
    AbsoluteMonthly,
    RelativeMonthly,
    AbsoluteYearly,
    RelativeYearly,
}

impl Frequency {
    pub fn graph_name(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::AbsoluteMonthly => "absoluteMonthly",
            Frequency::RelativeMonthly => "relativeMonthly",
            Frequency::AbsoluteYearly => "absoluteYearly",
            Frequency::RelativeYearly => "relativeYearly",
        }
    }

    fn from_graph(name: &str) -> Option<Self> {
        [
            Frequency::Daily,
            Frequency::Weekly,
            Frequency::AbsoluteMonthly,
            Frequency::RelativeMonthly,
            Frequency::AbsoluteYearly,
            Frequency::RelativeYearly,
        ]
        .into_iter()
        .find(|f| f.graph_name().eq_ignore_ascii_case(name.trim()))
    }

    fn is_relative(self) -> bool {
        matches!(self, Frequency::RelativeMonthly | Frequency::RelativeYearly)
    }
}

/// Which of a month's matching days: Graph's `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WeekIndex {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

impl WeekIndex {
    pub fn graph_name(self) -> &'static str {
        match self {
            WeekIndex::First => "first",
            WeekIndex::Second => "second",
            WeekIndex::Third => "third",
            WeekIndex::Fourth => "fourth",
            WeekIndex::Last => "last",
        }
    }

    /// Reads `first`…`last` (any case).
    pub fn parse(text: &str) -> Option<Self> {
        [
            WeekIndex::First,
            WeekIndex::Second,
            WeekIndex::Third,
            WeekIndex::Fourth,
            WeekIndex::Last,
        ]
        .into_iter()
        .find(|w| w.graph_name().eq_ignore_ascii_case(text.trim()))
    }
}

/// Where a series ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Never,
    /// The last date an occurrence may fall on (inclusive).
    Until(NaiveDate),
    /// After this many occurrences.
    Count(u32),
}

/// A recurrence, typed and ready to expand. Built from Graph's shape or from a [`Repeat`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub frequency: Frequency,
    pub interval: u32,
    /// The days of a weekly or relative pattern, ordered from `first_day_of_week`.
    pub days: Vec<Weekday>,
    pub first_day_of_week: Weekday,
    pub day_of_month: u32,
    pub month: u32,
    pub index: WeekIndex,
    /// The range's start date: no occurrence falls before it.
    pub start: NaiveDate,
    pub end: End,
}

fn refuse(reason: impl Into<String>) -> CoreError {
    CoreError::InvalidRepeat {
        reason: reason.into(),
    }
}

/// Graph's lower-case day name.
pub fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// Reads a day as Graph (`monday`), iCalendar (`MO`) or a person (`Mon`) writes it.
pub fn parse_day(text: &str) -> Option<Weekday> {
    let text = text.trim().to_ascii_lowercase();
    let two = match text.as_str() {
        "mo" => Some(Weekday::Mon),
        "tu" => Some(Weekday::Tue),
        "we" => Some(Weekday::Wed),
        "th" => Some(Weekday::Thu),
        "fr" => Some(Weekday::Fri),
        "sa" => Some(Weekday::Sat),
        "su" => Some(Weekday::Sun),
        _ => None,
    };
    two.or_else(|| text.parse().ok())
}

fn offset_from(first: Weekday, day: Weekday) -> u32 {
    (7 + day.num_days_from_monday() - first.num_days_from_monday()) % 7
}

fn order_days(days: &mut Vec<Weekday>, first: Weekday) {
    days.sort_by_key(|day| offset_from(first, *day));
    days.dedup();
}

impl Rule {
    /// Reads Graph's recurrence as Outlook sends it (missing fields take Graph's defaults: the
    /// start's weekday, day or month). Refuses a type, day or range it cannot read.
    pub fn from_graph(recurrence: &Recurrence) -> Result<Rule> {
        let pattern = &recurrence.pattern;
        let range = &recurrence.range;
        let frequency = Frequency::from_graph(&pattern.kind)
            .ok_or_else(|| refuse(format!("\"{}\" is not a known pattern.", pattern.kind)))?;
        let first_day_of_week = match pattern.first_day_of_week.as_deref() {
            None => Weekday::Sun,
            Some(day) => parse_day(day)
                .ok_or_else(|| refuse(format!("\"{day}\" is not a day of the week.")))?,
        };
        let mut days = pattern
            .days_of_week
            .iter()
            .map(|day| {
                parse_day(day).ok_or_else(|| refuse(format!("\"{day}\" is not a day of the week.")))
            })
            .collect::<Result<Vec<_>>>()?;
        let start = range.start_date;
        if days.is_empty() && frequency == Frequency::Weekly {
            days.push(start.weekday());
        }
        order_days(&mut days, first_day_of_week);
        let index = match pattern.index.as_deref() {
            None => WeekIndex::First,
            Some(text) => WeekIndex::parse(text)
                .ok_or_else(|| refuse(format!("\"{text}\" is not first to last.")))?,
        };
        let end = match range.kind.as_str() {
            "noEnd" => End::Never,
            "endDate" => End::Until(
                range
                    .end_date
                    .ok_or_else(|| refuse("A series that ends on a date needs that date."))?,
            ),
            "numbered" => End::Count(range.number_of_occurrences.unwrap_or(0)),
            other => return Err(refuse(format!("\"{other}\" is not a known range."))),
        };
        Ok(Rule {
            frequency,
            interval: pattern.interval.max(1),
            days,
            first_day_of_week,
            day_of_month: pattern
                .day_of_month
                .filter(|d| *d > 0)
                .unwrap_or(start.day()),
            month: pattern.month.filter(|m| *m > 0).unwrap_or(start.month()),
            index,
            start,
            end,
        })
    }

    /// Graph's shape of the rule, in the zone it recurs in (an IANA name; the Up sync turns it
    /// into a Windows one).
    pub fn to_graph(&self, zone: Option<&str>) -> Recurrence {
        let f = self.frequency;
        let uses_days = matches!(f, Frequency::Weekly) || f.is_relative();
        Recurrence {
            pattern: RecurrencePattern {
                kind: f.graph_name().to_owned(),
                interval: self.interval,
                days_of_week: if uses_days {
                    self.days.iter().map(|d| day_name(*d).to_owned()).collect()
                } else {
                    Vec::new()
                },
                first_day_of_week: (f == Frequency::Weekly)
                    .then(|| day_name(self.first_day_of_week).to_owned()),
                day_of_month: matches!(f, Frequency::AbsoluteMonthly | Frequency::AbsoluteYearly)
                    .then_some(self.day_of_month),
                month: matches!(f, Frequency::AbsoluteYearly | Frequency::RelativeYearly)
                    .then_some(self.month),
                index: f.is_relative().then(|| self.index.graph_name().to_owned()),
            },
            range: RecurrenceRange {
                kind: match self.end {
                    End::Never => "noEnd",
                    End::Until(_) => "endDate",
                    End::Count(_) => "numbered",
                }
                .to_owned(),
                start_date: self.start,
                end_date: match self.end {
                    End::Until(date) => Some(date),
                    _ => None,
                },
                number_of_occurrences: match self.end {
                    End::Count(n) => Some(n),
                    _ => None,
                },
                recurrence_time_zone: zone.map(str::to_owned),
            },
        }
    }

    /// Refuses what Outlook refuses, each in one plain sentence: a bad interval, day, month or
    /// count, an end before the start, and a pattern with no occurrence.
    pub fn check(&self) -> Result<()> {
        if !(1..=MAX_INTERVAL).contains(&self.interval) {
            return Err(refuse(format!(
                "The interval must be a whole number from 1 to {MAX_INTERVAL}."
            )));
        }
        if (self.frequency == Frequency::Weekly || self.frequency.is_relative())
            && self.days.is_empty()
        {
            return Err(refuse("Choose at least one day of the week."));
        }
        if !(1..=31).contains(&self.day_of_month) {
            return Err(refuse("The day of the month must be from 1 to 31."));
        }
        if !(1..=12).contains(&self.month) {
            return Err(refuse("The month must be from 1 to 12."));
        }
        match self.end {
            End::Until(until) if until < self.start => {
                return Err(refuse(format!(
                    "The series ends on {} before it starts on {}.",
                    long_date(until),
                    long_date(self.start)
                )));
            }
            End::Count(n) if !(1..=MAX_COUNT).contains(&n) => {
                return Err(refuse(format!(
                    "The number of occurrences must be from 1 to {MAX_COUNT}."
                )));
            }
            _ => {}
        }
        if self.first_date().is_none() {
            return Err(refuse(match self.end {
                End::Until(until) => format!(
                    "This pattern has no occurrence between {} and {}.",
                    long_date(self.start),
                    long_date(until)
                ),
                _ => "This pattern has no occurrence.".to_owned(),
            }));
        }
        Ok(())
    }

    /// The first occurrence's date.
    pub fn first_date(&self) -> Option<NaiveDate> {
        self.dates_between(self.start, self.horizon(self.start, 2))
            .into_iter()
            .next()
    }

    /// The last occurrence's date; `None` for a series without end (or without occurrence).
    pub fn last_date(&self) -> Option<NaiveDate> {
        match self.end {
            End::Never => None,
            End::Count(_) => self.dates_between(self.start, NaiveDate::MAX).pop(),
            End::Until(until) => {
                // Look back two periods from the end, not forward from the start.
                let back = self.horizon(NaiveDate::MIN, 2) - NaiveDate::MIN;
                let from = until
                    .checked_sub_signed(back)
                    .unwrap_or(self.start)
                    .max(self.start);
                self.dates_between(from, until).pop().or_else(|| {
                    (from > self.start)
                        .then(|| self.dates_between(self.start, until).pop())
                        .flatten()
                })
            }
        }
    }

    /// `from` plus `periods` of the pattern's periods (and a day), clamped to the calendar.
    fn horizon(&self, from: NaiveDate, periods: u64) -> NaiveDate {
        let days_per_period: u64 = match self.frequency {
            Frequency::Daily => 1,
            Frequency::Weekly => 7,
            Frequency::AbsoluteMonthly | Frequency::RelativeMonthly => 31,
            Frequency::AbsoluteYearly | Frequency::RelativeYearly => 366,
        };
        let days = days_per_period * u64::from(self.interval) * (periods + 1) + 1;
        from.checked_add_days(Days::new(days))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The local dates of the occurrences in `[from, to]` (both inclusive), in order. A numbered
    /// series is counted from its start (at most 999 occurrences); any other starts at the
    /// period that holds `from`.
    pub fn dates_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        let last = match self.end {
            End::Until(until) => until.min(to),
            _ => to,
        };
        let limit = match self.end {
            End::Count(n) => Some(n as usize),
            _ => None,
        };
        self.scan(self.anchor(), self.interval, from, last, limit)
    }

    /// The dates in `[from, last]` of the periods `interval` apart from `anchor`, the first
    /// `limit` of the series counted from its start.
    fn scan(
        &self,
        anchor: NaiveDate,
        interval: u32,
        from: NaiveDate,
        last: NaiveDate,
        limit: Option<usize>,
    ) -> Vec<NaiveDate> {
        let first = from.max(self.start);
        let mut found = Vec::new();
        if first > last {
            return found;
        }
        let mut period = if limit.is_some() {
            0
        } else {
            self.period_of(anchor, interval, first)
        };
        let mut counted = 0usize;
        let mut candidates = Vec::with_capacity(7);
        // A pattern that matches nothing (refused by `check`, possible in a pulled series) ends
        // after this many empty periods instead of looping.
        let mut empty = 0u32;
        loop {
            candidates.clear();
            let Some(period_start) =
                self.period_candidates(anchor, interval, period, &mut candidates)
            else {
                break;
            };
            if period_start > last {
                break;
            }
            let mut any = false;
            for &date in &candidates {
                if date < self.start {
                    continue;
                }
                if date > last || limit.is_some_and(|n| counted >= n) {
                    return found;
                }
                any = true;
                counted += 1;
                if date >= first {
                    found.push(date);
                }
            }
            if limit.is_some_and(|n| counted >= n) {
                break;
            }
            empty = if any { 0 } else { empty + 1 };
            if empty > 1_000 {
                break;
            }
            period += 1;
        }
        found
    }

    /// The start of the week, month or year that holds `date` (the date itself for daily).
    fn period_start_of(&self, date: NaiveDate) -> NaiveDate {
        match self.frequency {
            Frequency::Daily => date,
            Frequency::Weekly => {
                date - Days::new(u64::from(offset_from(
                    self.first_day_of_week,
                    date.weekday(),
                )))
            }
            Frequency::AbsoluteMonthly | Frequency::RelativeMonthly => {
                date.with_day(1).unwrap_or(date)
            }
            Frequency::AbsoluteYearly | Frequency::RelativeYearly => {
                NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date)
            }
        }
    }

    /// The series' first period: the one of the first date on or after the start that fits the
    /// pattern. Graph's own example: the first Thursday of every other month from 29 August 2017
    /// first falls in September, and every other month counts from there.
    fn anchor(&self) -> NaiveDate {
        let base = self.period_start_of(self.start);
        let probe_end = self.horizon(self.start, 2);
        let first = self.scan(base, 1, self.start, probe_end, Some(1));
        self.period_start_of(first.first().copied().unwrap_or(self.start))
    }

    /// The index of the period that holds `date` (0 when it is before the series).
    fn period_of(&self, anchor: NaiveDate, interval: u32, date: NaiveDate) -> u64 {
        if date <= anchor {
            return 0;
        }
        let interval = i64::from(interval);
        let steps = match self.frequency {
            Frequency::Daily => (date - anchor).num_days() / interval,
            Frequency::Weekly => (date - anchor).num_days() / (7 * interval),
            Frequency::AbsoluteMonthly | Frequency::RelativeMonthly => {
                let months = i64::from(date.year() - anchor.year()) * 12 + i64::from(date.month())
                    - i64::from(anchor.month());
                months / interval
            }
            Frequency::AbsoluteYearly | Frequency::RelativeYearly => {
                i64::from(date.year() - anchor.year()) / interval
            }
        };
        u64::try_from(steps).unwrap_or(0)
    }

    /// The candidate dates of period `period`, in order; returns the period's first day, or
    /// `None` past the calendar's end.
    fn period_candidates(
        &self,
        anchor: NaiveDate,
        interval: u32,
        period: u64,
        out: &mut Vec<NaiveDate>,
    ) -> Option<NaiveDate> {
        let interval = u64::from(interval);
        match self.frequency {
            Frequency::Daily => {
                let date = anchor.checked_add_days(Days::new(period.checked_mul(interval)?))?;
                out.push(date);
                Some(date)
            }
            Frequency::Weekly => {
                let week = anchor.checked_add_days(Days::new(period.checked_mul(7 * interval)?))?;
                for day in &self.days {
                    let offset = u64::from(offset_from(self.first_day_of_week, *day));
                    if let Some(date) = week.checked_add_days(Days::new(offset)) {
                        out.push(date);
                    }
                }
                Some(week)
            }
            Frequency::AbsoluteMonthly | Frequency::RelativeMonthly => {
                let months = u32::try_from(period.checked_mul(interval)?).ok()?;
                let month_start = anchor.checked_add_months(Months::new(months))?;
                out.extend(self.day_in(month_start));
                Some(month_start)
            }
            Frequency::AbsoluteYearly | Frequency::RelativeYearly => {
                let year = i64::from(anchor.year())
                    .checked_add(i64::try_from(period.checked_mul(interval)?).ok()?)?;
                let year = i32::try_from(year).ok()?;
                out.extend(
                    NaiveDate::from_ymd_opt(year, self.month, 1)
                        .and_then(|month_start| self.day_in(month_start)),
                );
                NaiveDate::from_ymd_opt(year, 1, 1)
            }
        }
    }

    /// The day of the month starting `month_start` that the pattern picks.
    fn day_in(&self, month_start: NaiveDate) -> Option<NaiveDate> {
        let next_month = month_start.checked_add_months(Months::new(1))?;
        if !self.frequency.is_relative() {
            // Day 29–31 in a shorter month: its last day, as Outlook does.
            let last_day = next_month.pred_opt()?.day();
            return month_start.with_day(self.day_of_month.clamp(1, last_day));
        }
        let matches =
            |date: &NaiveDate| self.days.is_empty() || self.days.contains(&date.weekday());
        let mut days = month_start.iter_days().take_while(|d| *d < next_month);
        match self.index {
            WeekIndex::Last => days.filter(matches).last(),
            WeekIndex::First => days.find(matches),
            WeekIndex::Second => days.filter(matches).nth(1),
            WeekIndex::Third => days.filter(matches).nth(2),
            WeekIndex::Fourth => days.filter(matches).nth(3),
        }
    }

    /// The rule in one plain sentence: "Every 2 weeks on Monday and Thursday, until 30 June 2027".
    pub fn describe(&self) -> String {
        let n = self.interval;
        let every = |one: &str, many: &str| {
            if n == 1 {
                format!("Every {one}")
            } else {
                format!("Every {n} {many}")
            }
        };
        let mut text = match self.frequency {
            Frequency::Daily => every("day", "days"),
            Frequency::Weekly if n == 1 && is_weekdays(&self.days) => "Every weekday".to_owned(),
            Frequency::Weekly => format!("{} on {}", every("week", "weeks"), day_list(&self.days)),
            Frequency::AbsoluteMonthly => {
                format!("{} on day {}", every("month", "months"), self.day_of_month)
            }
            Frequency::RelativeMonthly => format!(
                "{} on the {} {}",
                every("month", "months"),
                self.index.graph_name(),
                relative_days(&self.days)
            ),
            Frequency::AbsoluteYearly => format!(
                "{} on {} {}",
                every("year", "years"),
                self.day_of_month,
                month_name(self.month)
            ),
            Frequency::RelativeYearly => format!(
                "{} on the {} {} of {}",
                every("year", "years"),
                self.index.graph_name(),
                relative_days(&self.days),
                month_name(self.month)
            ),
        };
        match self.end {
            End::Never => {}
            End::Until(date) => text.push_str(&format!(", until {}", long_date(date))),
            End::Count(1) => text.push_str(", once"),
            End::Count(count) => text.push_str(&format!(", {count} times")),
        }
        text
    }
}

const WEEKDAYS: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

fn is_weekdays(days: &[Weekday]) -> bool {
    days.len() == 5 && WEEKDAYS.iter().all(|d| days.contains(d))
}

fn english_day(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn day_list(days: &[Weekday]) -> String {
    let names: Vec<&str> = days.iter().map(|d| english_day(*d)).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "Monday", "weekday", "weekend day" or "day", as Outlook names a relative pattern's days.
fn relative_days(days: &[Weekday]) -> String {
    if days.len() == 7 || days.is_empty() {
        "day".to_owned()
    } else if is_weekdays(days) {
        "weekday".to_owned()
    } else if days.len() == 2 && days.contains(&Weekday::Sat) && days.contains(&Weekday::Sun) {
        "weekend day".to_owned()
    } else {
        day_list(days)
    }
}

fn month_name(month: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

/// "30 June 2027".
pub fn long_date(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(date.month()),
        date.year()
    )
}

/// The instant a wall-clock time in `zone` denotes, by RFC 5545's rule (3.3.5) as Outlook reads
/// an event's times: a time the clocks repeat (autumn) takes the earlier instant; a time they skip
/// (spring) is read with the offset in force before the change, so it moves forward by the gap's
/// length (02:30 becomes 03:30 where 02:00 jumps to 03:00; 02:15 becomes 02:45 in a 30-minute gap).
pub fn local_instant(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        LocalResult::None => {
            // A day before, read as UTC, is at least ten hours before the gap on any zone's wall
            // clock (offsets are within ±14 h), and no zone changes its clocks twice in a day.
            let before = local
                .checked_sub_signed(TimeDelta::days(1))
                .map_or(0, |earlier| {
                    zone.offset_from_utc_datetime(&earlier)
                        .fix()
                        .local_minus_utc()
                });
            let at = local
                .checked_sub_signed(TimeDelta::seconds(i64::from(before)))
                .unwrap_or(local);
            Utc.from_utc_datetime(&at)
        }
    }
}

/// The instants of an appointment from `start` to `end` on the wall clock of `zone`: the start as
/// [`local_instant`] reads it, and the end moved on as far as the start was, so an appointment
/// whose start the clocks skip moves whole and keeps its length on the wall clock (a 02:30–03:15
/// occurrence on the night 02:00 jumps to 03:00 takes place 03:30–04:15, never ending before it
/// starts). An end alone in a gap moves forward by the gap's length, as any time does.
pub fn local_span(
    start: NaiveDateTime,
    end: NaiveDateTime,
    zone: Tz,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let at = local_instant(start, zone);
    let moved = at.with_timezone(&zone).naive_local() - start;
    (at, local_instant(end + moved, zone))
}

/// One occurrence of a series: when it was due by the pattern (its identity within the series)
/// and when it takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// The pattern's start of this occurrence (an all-day one's date at 00:00 UTC).
    pub original_start: DateTime<Utc>,
    pub when: When,
}

/// The occurrence of the series whose first occurrence is `first` on local date `date`.
pub fn occurrence_on(first: &When, date: NaiveDate) -> Occurrence {
    match *first {
        When::Timed {
            start,
            end,
            time_zone,
        } => {
            let local_start = start.with_timezone(&time_zone).naive_local();
            // The length on the wall clock: 09:00–10:00 stays 09:00–10:00 across DST.
            let length = end.with_timezone(&time_zone).naive_local() - local_start;
            let at = date.and_time(local_start.time());
            let (start, end) = local_span(at, at + length, time_zone);
            Occurrence {
                original_start: start,
                when: When::Timed {
                    start,
                    end,
                    time_zone,
                },
            }
        }
        When::AllDay { start, end } => {
            let days = Days::new(u64::try_from((end - start).num_days()).unwrap_or(1));
            Occurrence {
                original_start: date.and_time(chrono::NaiveTime::MIN).and_utc(),
                when: When::AllDay {
                    start: date,
                    end: date.checked_add_days(days).unwrap_or(date),
                },
            }
        }
    }
}

/// The local date of an occurrence's original start.
pub fn original_date(first: &When, original_start: DateTime<Utc>) -> NaiveDate {
    match first {
        When::Timed { time_zone, .. } => original_start.with_timezone(time_zone).date_naive(),
        When::AllDay { .. } => original_start.date_naive(),
    }
}

/// The occurrences of the series (rule `rule`, first occurrence `first`) that overlap
/// `[from, to)`, in order. Pure: exceptions and cancellations are the store's to apply.
pub fn occurrences(
    rule: &Rule,
    first: &When,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Occurrence> {
    let (local_from, local_to, length_days) = match *first {
        When::Timed {
            start,
            end,
            time_zone,
        } => (
            from.with_timezone(&time_zone).date_naive(),
            to.with_timezone(&time_zone).date_naive(),
            (end - start).num_days(),
        ),
        When::AllDay { start, end } => {
            (from.date_naive(), to.date_naive(), (end - start).num_days())
        }
    };
    // Widened by a day each side (zones, all-day spans) and by the occurrence's length, so one
    // that started before the range and still runs is found; the exact cut follows.
    let lead = Days::new(u64::try_from(length_days.max(0)).unwrap_or(0) + 1);
    let from_date = local_from.checked_sub_days(lead).unwrap_or(NaiveDate::MIN);
    let to_date = local_to
        .checked_add_days(Days::new(1))
        .unwrap_or(NaiveDate::MAX);
    rule.dates_between(from_date, to_date)
        .into_iter()
        .map(|date| occurrence_on(first, date))
        .filter(|o| {
            let (start, end) = match o.when {
                When::Timed { start, end, .. } => (start, end),
                When::AllDay { .. } => o.when.covering_span(),
            };
            start < to && end > from
        })
        .collect()
}

/// How a series repeats, as a person or the window chooses it (`--repeat weekly --days MO,TH`).
/// [`Repeat::rule`] turns it into Graph's pattern for a series starting on a given date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Repeat {
    /// daily, weekly, monthly or yearly.
    pub every: RepeatUnit,
    /// Every N days, weeks, months or years (default 1).
    #[serde(default)]
    pub interval: Option<u32>,
    /// Weekly: the days (default the start's). Daily with days: those days every week
    /// ("every weekday"). Monthly or yearly with `week`: the day(s) counted.
    #[serde(default)]
    pub days: Vec<String>,
    /// Monthly or yearly: the first…last of `days` in the month instead of a day number.
    #[serde(default)]
    pub week: Option<WeekIndex>,
    /// Monthly or yearly: the day of the month (default the start's).
    #[serde(default)]
    pub day_of_month: Option<u32>,
    /// Yearly: the month, 1–12 (default the start's).
    #[serde(default)]
    pub month: Option<u32>,
    /// The last date an occurrence may fall on (`2027-06-30`); without it and `count`, no end.
    #[serde(default)]
    pub until: Option<String>,
    /// Ends after this many occurrences.
    #[serde(default)]
    pub count: Option<u32>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RepeatUnit {
    #[default]
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl RepeatUnit {
    /// Reads daily, weekly, monthly or yearly.
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "daily" => Ok(RepeatUnit::Daily),
            "weekly" => Ok(RepeatUnit::Weekly),
            "monthly" => Ok(RepeatUnit::Monthly),
            "yearly" => Ok(RepeatUnit::Yearly),
            other => Err(refuse(format!(
                "\"{other}\" is not daily, weekly, monthly or yearly."
            ))),
        }
    }
}

impl Repeat {
    /// The checked rule of a series whose first occurrence is planned on `start` (its local date).
    pub fn rule(&self, start: NaiveDate) -> Result<Rule> {
        let mut days = self
            .days
            .iter()
            .flat_map(|d| d.split(','))
            .filter(|d| !d.trim().is_empty())
            .map(|d| {
                parse_day(d).ok_or_else(|| {
                    refuse(format!(
                        "\"{}\" is not a day of the week such as MO or TH.",
                        d.trim()
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let first_day_of_week = Weekday::Sun;
        let frequency = match (self.every, self.week.is_some()) {
            (RepeatUnit::Daily, _) if !days.is_empty() => Frequency::Weekly,
            (RepeatUnit::Daily, _) => Frequency::Daily,
            (RepeatUnit::Weekly, _) => Frequency::Weekly,
            (RepeatUnit::Monthly, false) => Frequency::AbsoluteMonthly,
            (RepeatUnit::Monthly, true) => Frequency::RelativeMonthly,
            (RepeatUnit::Yearly, false) => Frequency::AbsoluteYearly,
            (RepeatUnit::Yearly, true) => Frequency::RelativeYearly,
        };
        if self.week.is_some() && matches!(self.every, RepeatUnit::Daily | RepeatUnit::Weekly) {
            return Err(refuse(
                "A week of the month goes with a monthly or yearly series.",
            ));
        }
        if !days.is_empty()
            && matches!(
                frequency,
                Frequency::AbsoluteMonthly | Frequency::AbsoluteYearly
            )
        {
            return Err(refuse(
                "Days of the week go with a monthly or yearly series only together with a week (first to last).",
            ));
        }
        if days.is_empty() && (frequency == Frequency::Weekly || frequency.is_relative()) {
            days.push(start.weekday());
        }
        if self.every == RepeatUnit::Daily && !days.is_empty() && self.interval.unwrap_or(1) != 1 {
            return Err(refuse(
                "A daily series on chosen days repeats every week; use --repeat weekly with an interval.",
            ));
        }
        order_days(&mut days, first_day_of_week);
        let end = match (self.until.as_deref().map(str::trim), self.count) {
            (Some(_), Some(_)) => {
                return Err(refuse(
                    "A series ends on a date or after a number of occurrences, not both.",
                ));
            }
            (Some(until), None) => End::Until(
                NaiveDate::parse_from_str(until, "%Y-%m-%d")
                    .map_err(|_| refuse(format!("\"{until}\" is not a date like 2027-06-30.")))?,
            ),
            (None, Some(count)) => End::Count(count),
            (None, None) => End::Never,
        };
        let rule = Rule {
            frequency,
            interval: self.interval.unwrap_or(1),
            days,
            first_day_of_week,
            day_of_month: self.day_of_month.unwrap_or(start.day()),
            month: self.month.unwrap_or(start.month()),
            index: self.week.unwrap_or(WeekIndex::First),
            start,
            end,
        };
        rule.check()?;
        Ok(rule)
    }
}

/// Refuses an occurrence longer than the shortest gap between two occurrences (Outlook refuses a
/// 3-day appointment repeating daily), looking at the first occurrences.
pub fn check_length(rule: &Rule, first: &When) -> Result<()> {
    let dates = rule.dates_between(rule.start, rule.start + Days::new(800));
    let length = match *first {
        When::Timed { start, end, .. } => end - start,
        When::AllDay { start, end } => TimeDelta::days((end - start).num_days()),
    };
    let shortest = dates
        .windows(2)
        .take(60)
        .map(|pair| pair[1] - pair[0])
        .min();
    match shortest {
        Some(gap) if length > gap => Err(refuse(
            "An occurrence cannot be longer than the time between two occurrences.",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
