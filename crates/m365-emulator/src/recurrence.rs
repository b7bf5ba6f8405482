//! Expansion of Graph recurrence patterns into occurrence dates.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use crate::store::model::{PatternType, RangeType, Recurrence, RecurrencePattern, WeekIndex};

/// No series is expanded past this many occurrences (a guard against runaway patterns).
const MAX_OCCURRENCES: usize = 20_000;

/// The local dates on which the series occurs, from its start up to and including `until`
/// (or the end of its range, whichever comes first), in order.
pub fn occurrence_dates(recurrence: &Recurrence, until: NaiveDate) -> Vec<NaiveDate> {
    let pattern = &recurrence.pattern;
    let range = &recurrence.range;
    let start = range.start_date;
    let last = match range.kind {
        RangeType::EndDate => range.end_date.min(until),
        RangeType::NoEnd | RangeType::Numbered => until,
    };
    let limit = match range.kind {
        RangeType::Numbered => (range.number_of_occurrences as usize).min(MAX_OCCURRENCES),
        _ => MAX_OCCURRENCES,
    };
    let interval = pattern.interval.max(1);
    let anchor = anchor(recurrence, interval);
    let mut dates = Vec::new();
    let mut push = |date: NaiveDate| -> bool {
        if date < start {
            return true;
        }
        if date > last || dates.len() >= limit {
            return false;
        }
        dates.push(date);
        true
    };
    match pattern.kind {
        PatternType::Daily => daily(start, interval, &mut push),
        PatternType::Weekly => weekly(pattern, anchor, interval, &mut push),
        PatternType::AbsoluteMonthly | PatternType::RelativeMonthly => {
            monthly(pattern, anchor, last, interval, &mut push);
        }
        PatternType::AbsoluteYearly | PatternType::RelativeYearly => {
            yearly(pattern, anchor, last, interval, &mut push);
        }
    }
    dates
}

/// Each `interval` days from `start`, while `push` takes them.
fn daily(start: NaiveDate, interval: u32, push: &mut dyn FnMut(NaiveDate) -> bool) {
    let mut date = start;
    while push(date) {
        let Some(next) = date.checked_add_days(Days::new(u64::from(interval))) else {
            break;
        };
        date = next;
    }
}

/// The pattern's weekdays (the start's when none), each `interval` weeks counted from the
/// pattern's first day of the week, while `push` takes them.
fn weekly(
    pattern: &RecurrencePattern,
    start: NaiveDate,
    interval: u32,
    push: &mut dyn FnMut(NaiveDate) -> bool,
) {
    let mut days = pattern.days_of_week.clone();
    if days.is_empty() {
        days.push(start.weekday());
    }
    let first_day = pattern.first_day_of_week;
    let offset =
        |day: Weekday| (7 + day.num_days_from_monday() - first_day.num_days_from_monday()) % 7;
    days.sort_by_key(|day| offset(*day));
    let week_start = start - Days::new(u64::from(offset(start.weekday())));
    let mut week = week_start;
    'weeks: loop {
        for day in &days {
            let date = week + Days::new(u64::from(offset(*day)));
            if !push(date) {
                break 'weeks;
            }
        }
        let Some(next) = week.checked_add_days(Days::new(7 * u64::from(interval))) else {
            break;
        };
        week = next;
    }
}

/// A day of each `interval`-th month (a day of the month, or the nth weekday), from the start's
/// month until past `last` or `push` stops.
fn monthly(
    pattern: &RecurrencePattern,
    start: NaiveDate,
    last: NaiveDate,
    interval: u32,
    push: &mut dyn FnMut(NaiveDate) -> bool,
) {
    let mut month_start = first_of_month(start);
    loop {
        let date = match pattern.kind {
            PatternType::AbsoluteMonthly => day_in_month(month_start, pattern.day_of_month),
            _ => relative_day(month_start, pattern.index, &pattern.days_of_week),
        };
        if let Some(date) = date
            && !push(date)
        {
            break;
        }
        if month_start > last {
            break;
        }
        let Some(next) = month_start.checked_add_months(Months::new(interval)) else {
            break;
        };
        month_start = next;
    }
}

/// A day of the pattern's month (the start's when none) each `interval` years, until past
/// `last` or `push` stops.
fn yearly(
    pattern: &RecurrencePattern,
    start: NaiveDate,
    last: NaiveDate,
    interval: u32,
    push: &mut dyn FnMut(NaiveDate) -> bool,
) {
    let month = if pattern.month == 0 {
        start.month()
    } else {
        pattern.month
    };
    let mut year = start.year();
    while let Some(month_start) = NaiveDate::from_ymd_opt(year, month, 1) {
        let date = match pattern.kind {
            PatternType::AbsoluteYearly => day_in_month(month_start, pattern.day_of_month),
            _ => relative_day(month_start, pattern.index, &pattern.days_of_week),
        };
        if let Some(date) = date
            && !push(date)
        {
            break;
        }
        if month_start > last {
            break;
        }
        year += interval as i32;
    }
}

/// The date the periods are counted from: the first date on or after the start that fits the
/// pattern (Graph's example: the first Thursday of every other month from 29 August 2017 first
/// falls in September, and every other month counts from there).
fn anchor(recurrence: &Recurrence, interval: u32) -> NaiveDate {
    let start = recurrence.range.start_date;
    if interval == 1 {
        return start;
    }
    let mut probe = recurrence.clone();
    probe.pattern.interval = 1;
    probe.range.kind = RangeType::Numbered;
    probe.range.number_of_occurrences = 1;
    let horizon = start.checked_add_days(Days::new(3 * 366)).unwrap_or(start);
    occurrence_dates(&probe, horizon)
        .first()
        .copied()
        .unwrap_or(start)
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// Day `day` of the month, clamped to its last day as Outlook does for 29–31.
fn day_in_month(month_start: NaiveDate, day: u32) -> Option<NaiveDate> {
    let day = day.max(1);
    let next_month = month_start.checked_add_months(Months::new(1))?;
    let last_day = next_month.pred_opt()?.day();
    month_start.with_day(day.min(last_day))
}

/// The `index`-th day of the month that falls on one of `days` ("the last weekday").
fn relative_day(month_start: NaiveDate, index: WeekIndex, days: &[Weekday]) -> Option<NaiveDate> {
    let next_month = month_start.checked_add_months(Months::new(1))?;
    let matching: Vec<NaiveDate> = month_start
        .iter_days()
        .take_while(|date| *date < next_month)
        .filter(|date| days.is_empty() || days.contains(&date.weekday()))
        .collect();
    match index {
        WeekIndex::First => matching.first().copied(),
        WeekIndex::Second => matching.get(1).copied(),
        WeekIndex::Third => matching.get(2).copied(),
        WeekIndex::Fourth => matching.get(3).copied(),
        WeekIndex::Last => matching.last().copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::model::{RecurrencePattern, RecurrenceRange, no_date};

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn series(pattern: serde_json::Value, range: serde_json::Value) -> Recurrence {
        Recurrence {
            pattern: serde_json::from_value::<RecurrencePattern>(pattern).unwrap(),
            range: serde_json::from_value::<RecurrenceRange>(range).unwrap(),
        }
    }

    fn texts(dates: Vec<NaiveDate>) -> Vec<String> {
        dates.into_iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn daily_every_second_day_stops_at_end_date() {
        let rec = series(
            serde_json::json!({"type": "daily", "interval": 2}),
            serde_json::json!({"type": "endDate", "startDate": "2025-01-01", "endDate": "2025-01-07"}),
        );
        assert_eq!(
            texts(occurrence_dates(&rec, date("2030-01-01"))),
            ["2025-01-01", "2025-01-03", "2025-01-05", "2025-01-07"]
        );
    }

    #[test]
    fn weekly_on_two_days_numbered() {
        let rec = series(
            serde_json::json!({"type": "weekly", "interval": 1, "daysOfWeek": ["monday", "thursday"], "firstDayOfWeek": "sunday"}),
            serde_json::json!({"type": "numbered", "startDate": "2025-01-02", "numberOfOccurrences": 4}),
        );
        assert_eq!(
            texts(occurrence_dates(&rec, date("2030-01-01"))),
            ["2025-01-02", "2025-01-06", "2025-01-09", "2025-01-13"],
            "a numbered range counts occurrences from the start date, which is a Thursday"
        );
    }

    #[test]
    fn biweekly_skips_alternate_weeks() {
        let rec = series(
            serde_json::json!({"type": "weekly", "interval": 2, "daysOfWeek": ["friday"]}),
            serde_json::json!({"type": "noEnd", "startDate": "2025-01-03"}),
        );
        assert_eq!(
            texts(occurrence_dates(&rec, date("2025-02-01"))),
            ["2025-01-03", "2025-01-17", "2025-01-31"]
        );
    }

    #[test]
    fn absolute_monthly_clamps_to_month_end() {
        let rec = series(
            serde_json::json!({"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31}),
            serde_json::json!({"type": "numbered", "startDate": "2025-01-31", "numberOfOccurrences": 3}),
        );
        assert_eq!(
            texts(occurrence_dates(&rec, date("2030-01-01"))),
            ["2025-01-31", "2025-02-28", "2025-03-31"]
        );
    }

    #[test]
    fn relative_monthly_last_friday_and_second_tuesday() {
        let last_friday = series(
            serde_json::json!({"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last"}),
            serde_json::json!({"type": "numbered", "startDate": "2025-01-01", "numberOfOccurrences": 3}),
        );
        assert_eq!(
            texts(occurrence_dates(&last_friday, date("2030-01-01"))),
            ["2025-01-31", "2025-02-28", "2025-03-28"]
        );
        let second_tuesday = series(
            serde_json::json!({"type": "relativeMonthly", "interval": 2, "daysOfWeek": ["tuesday"], "index": "second"}),
            serde_json::json!({"type": "endDate", "startDate": "2025-01-01", "endDate": "2025-06-30"}),
        );
        assert_eq!(
            texts(occurrence_dates(&second_tuesday, date("2030-01-01"))),
            ["2025-01-14", "2025-03-11", "2025-05-13"]
        );
    }

    #[test]
    fn yearly_patterns() {
        let absolute = series(
            serde_json::json!({"type": "absoluteYearly", "interval": 1, "month": 2, "dayOfMonth": 29}),
            serde_json::json!({"type": "numbered", "startDate": "2024-02-29", "numberOfOccurrences": 2}),
        );
        assert_eq!(
            texts(occurrence_dates(&absolute, date("2030-01-01"))),
            ["2024-02-29", "2025-02-28"]
        );
        let relative = series(
            serde_json::json!({"type": "relativeYearly", "interval": 1, "month": 11, "daysOfWeek": ["thursday"], "index": "fourth"}),
            serde_json::json!({"type": "numbered", "startDate": "2025-01-01", "numberOfOccurrences": 2}),
        );
        assert_eq!(
            texts(occurrence_dates(&relative, date("2030-01-01"))),
            ["2025-11-27", "2026-11-26"]
        );
    }

    #[test]
    fn every_other_month_counts_from_the_first_fitting_month() {
        // Graph's documented example: the first Thursday of every other month, from
        // 29 August 2017 (after August's first Thursday), first falls in September.
        let rec = series(
            serde_json::json!({"type": "relativeMonthly", "interval": 2, "daysOfWeek": ["thursday"], "index": "first"}),
            serde_json::json!({"type": "noEnd", "startDate": "2017-08-29"}),
        );
        assert_eq!(
            texts(occurrence_dates(&rec, date("2018-01-31"))),
            ["2017-09-07", "2017-11-02", "2018-01-04"]
        );
    }

    #[test]
    fn no_end_series_is_cut_at_until() {
        let rec = series(
            serde_json::json!({"type": "daily", "interval": 1}),
            serde_json::json!({"type": "noEnd", "startDate": "2025-01-01", "endDate": "0001-01-01"}),
        );
        assert_eq!(rec.range.end_date, no_date());
        assert_eq!(occurrence_dates(&rec, date("2025-01-10")).len(), 10);
    }
}
