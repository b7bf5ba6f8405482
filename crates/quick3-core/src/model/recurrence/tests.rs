//! Table tests of series expansion against Microsoft's documented recurrence examples, DST,
//! validation and the sentence describer.

use super::*;
use crate::ErrorCode;

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn rule(pattern: serde_json::Value, range: serde_json::Value) -> Rule {
    let recurrence = Recurrence {
        pattern: serde_json::from_value(pattern).unwrap(),
        range: serde_json::from_value(range).unwrap(),
    };
    Rule::from_graph(&recurrence).unwrap()
}

fn texts(dates: Vec<NaiveDate>) -> Vec<String> {
    dates.into_iter().map(|d| d.to_string()).collect()
}

fn dates_until(rule: &Rule, until: &str) -> Vec<String> {
    texts(rule.dates_between(rule.start, date(until)))
}

/// Every pattern and range example of Graph's "Schedule repeating appointments as recurring
/// events in Outlook" (concepts/outlook-schedule-recurring-events.md), with a range around it.
#[test]
fn microsofts_documented_examples() {
    use serde_json::json;
    let no_end = |start: &str| json!({"type": "noEnd", "startDate": start});
    let cases: Vec<(&str, Rule, &str, Vec<&str>)> = vec![
        (
            "every day",
            rule(
                json!({"type": "daily", "interval": 1}),
                no_end("2017-04-02"),
            ),
            "2017-04-05",
            vec!["2017-04-02", "2017-04-03", "2017-04-04", "2017-04-05"],
        ),
        (
            "every three days",
            rule(
                json!({"type": "daily", "interval": 3}),
                no_end("2017-04-02"),
            ),
            "2017-04-12",
            vec!["2017-04-02", "2017-04-05", "2017-04-08", "2017-04-11"],
        ),
        (
            "every Thursday",
            rule(
                json!({"type": "weekly", "interval": 1, "daysOfWeek": ["Thursday"]}),
                no_end("2017-04-06"),
            ),
            "2017-04-27",
            vec!["2017-04-06", "2017-04-13", "2017-04-20", "2017-04-27"],
        ),
        (
            "every other Monday and Tuesday",
            rule(
                json!({"type": "weekly", "interval": 2, "daysOfWeek": ["Monday", "Tuesday"]}),
                no_end("2017-04-03"),
            ),
            "2017-04-30",
            vec!["2017-04-03", "2017-04-04", "2017-04-17", "2017-04-18"],
        ),
        (
            "the 15th of every month",
            rule(
                json!({"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 15}),
                no_end("2017-04-15"),
            ),
            "2017-07-14",
            vec!["2017-04-15", "2017-05-15", "2017-06-15"],
        ),
        (
            "quarterly on the 7th",
            rule(
                json!({"type": "absoluteMonthly", "interval": 3, "dayOfMonth": 7}),
                no_end("2017-04-07"),
            ),
            "2018-01-31",
            vec!["2017-04-07", "2017-07-07", "2017-10-07", "2018-01-07"],
        ),
        (
            "the second Wednesday of every month",
            rule(
                json!({"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["Wednesday"], "index": "second"}),
                no_end("2017-04-01"),
            ),
            "2017-06-30",
            vec!["2017-04-12", "2017-05-10", "2017-06-14"],
        ),
        (
            "the first Thursday or Friday of every month (whichever comes first)",
            rule(
                json!({"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["Thursday", "Friday"], "index": "first"}),
                no_end("2017-04-01"),
            ),
            "2017-06-30",
            vec!["2017-04-06", "2017-05-04", "2017-06-01"],
        ),
        (
            "April 15 every year",
            rule(
                json!({"type": "absoluteYearly", "interval": 1, "dayOfMonth": 15, "month": 4}),
                no_end("2017-04-15"),
            ),
            "2019-12-31",
            vec!["2017-04-15", "2018-04-15", "2019-04-15"],
        ),
        (
            "the last Wednesday of November every year",
            rule(
                json!({"type": "relativeYearly", "interval": 1, "daysOfWeek": ["Wednesday"], "index": "last", "month": 11}),
                no_end("2017-01-01"),
            ),
            "2019-12-31",
            vec!["2017-11-29", "2018-11-28", "2019-11-27"],
        ),
        (
            "10 times (numbered)",
            rule(
                json!({"type": "daily", "interval": 1}),
                json!({"type": "numbered", "startDate": "2017-04-02", "numberOfOccurrences": 10}),
            ),
            "2018-01-01",
            vec![
                "2017-04-02",
                "2017-04-03",
                "2017-04-04",
                "2017-04-05",
                "2017-04-06",
                "2017-04-07",
                "2017-04-08",
                "2017-04-09",
                "2017-04-10",
                "2017-04-11",
            ],
        ),
        (
            "every Monday from 4 September 2017 to the end of the year: the last is 25 December",
            rule(
                json!({"type": "weekly", "interval": 1, "daysOfWeek": ["Monday"]}),
                json!({"type": "endDate", "startDate": "2017-09-04", "endDate": "2017-12-31"}),
            ),
            "2030-01-01",
            vec![
                "2017-09-04",
                "2017-09-11",
                "2017-09-18",
                "2017-09-25",
                "2017-10-02",
                "2017-10-09",
                "2017-10-16",
                "2017-10-23",
                "2017-10-30",
                "2017-11-06",
                "2017-11-13",
                "2017-11-20",
                "2017-11-27",
                "2017-12-04",
                "2017-12-11",
                "2017-12-18",
                "2017-12-25",
            ],
        ),
        (
            "the first Thursday of every other month from 29 August 2017: first in September",
            rule(
                json!({"type": "relativeMonthly", "interval": 2, "daysOfWeek": ["Thursday"], "index": "first"}),
                no_end("2017-08-29"),
            ),
            "2018-01-31",
            vec!["2017-09-07", "2017-11-02", "2018-01-04"],
        ),
    ];
    for (name, rule, until, expected) in cases {
        assert_eq!(dates_until(&rule, until), expected, "{name}");
    }
    let july = rule(
        json!({"type": "daily", "interval": 1}),
        json!({"type": "endDate", "startDate": "2017-07-01", "endDate": "2017-07-31"}),
    );
    let all = july.dates_between(july.start, date("2030-01-01"));
    assert_eq!(
        (all.len(), all.first(), all.last()),
        (31, Some(&date("2017-07-01")), Some(&date("2017-07-31"))),
        "July 1 to July 31, 2017: every day of July and no more"
    );
    assert_eq!(july.last_date(), Some(date("2017-07-31")));
}

#[test]
fn day_31_falls_on_a_shorter_months_last_day() {
    let r = rule(
        serde_json::json!({"type": "absoluteMonthly", "interval": 1, "dayOfMonth": 31}),
        serde_json::json!({"type": "numbered", "startDate": "2027-01-31", "numberOfOccurrences": 3}),
    );
    assert_eq!(
        dates_until(&r, "2030-01-01"),
        ["2027-01-31", "2027-02-28", "2027-03-31"]
    );
}

#[test]
fn a_range_far_from_the_start_jumps_there_and_agrees_with_the_whole_expansion() {
    let cases = [
        serde_json::json!({"type": "daily", "interval": 3}),
        serde_json::json!({"type": "weekly", "interval": 2, "daysOfWeek": ["monday", "thursday"], "firstDayOfWeek": "monday"}),
        serde_json::json!({"type": "relativeMonthly", "interval": 2, "daysOfWeek": ["friday"], "index": "last"}),
        serde_json::json!({"type": "absoluteYearly", "interval": 3, "dayOfMonth": 29, "month": 2}),
    ];
    for pattern in cases {
        let r = rule(
            pattern.clone(),
            serde_json::json!({"type": "noEnd", "startDate": "2020-02-05"}),
        );
        let whole = r.dates_between(r.start, date("2040-12-31"));
        let window: Vec<_> = whole
            .iter()
            .copied()
            .filter(|d| *d >= date("2033-03-10") && *d <= date("2040-12-31"))
            .collect();
        assert_eq!(
            r.dates_between(date("2033-03-10"), date("2040-12-31")),
            window,
            "{pattern}: a range found by jumping holds what expanding from the start finds"
        );
    }
}

fn timed(start: &str, end: &str, zone: &str) -> When {
    When::parse(false, start, Some(end), zone).unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

#[test]
fn nine_in_oslo_stays_nine_across_both_dst_changes() {
    let first = timed("2027-03-22T09:00", "2027-03-22T10:00", "Europe/Oslo");
    let weekly = Repeat {
        every: RepeatUnit::Weekly,
        ..Repeat::default()
    }
    .rule(date("2027-03-22"))
    .unwrap();
    let spring = occurrences(
        &weekly,
        &first,
        utc("2027-03-20T00:00:00Z"),
        utc("2027-04-06T00:00:00Z"),
    );
    let shown: Vec<(String, String)> = spring
        .iter()
        .map(|o| (o.when.start_text(), o.when.end_text()))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "2027-03-22T09:00:00+01:00".into(),
                "2027-03-22T10:00:00+01:00".into()
            ),
            (
                "2027-03-29T09:00:00+02:00".into(),
                "2027-03-29T10:00:00+02:00".into()
            ),
            (
                "2027-04-05T09:00:00+02:00".into(),
                "2027-04-05T10:00:00+02:00".into()
            ),
        ],
        "summer time starts on 28 March 2027: the instant moves an hour, the wall clock does not"
    );
    let autumn = occurrences(
        &weekly,
        &first,
        utc("2027-10-25T00:00:00Z"),
        utc("2027-11-02T00:00:00Z"),
    );
    assert_eq!(
        autumn
            .iter()
            .map(|o| o.when.start_text())
            .collect::<Vec<_>>(),
        ["2027-10-25T09:00:00+02:00", "2027-11-01T09:00:00+01:00"],
        "after summer time ends on 31 October 2027 it is 09:00 CET again"
    );
    assert_eq!(
        autumn[0].original_start,
        utc("2027-10-25T07:00:00Z"),
        "an occurrence is known by its pattern start as an instant"
    );
}

#[test]
fn an_hour_the_clocks_skip_moves_one_hour_on_as_exchange_does() {
    let first = timed("2027-03-27T02:30", "2027-03-27T03:00", "Europe/Berlin");
    let daily = Repeat::default().rule(date("2027-03-27")).unwrap();
    let found = occurrences(
        &daily,
        &first,
        utc("2027-03-28T00:00:00Z"),
        utc("2027-03-29T00:00:00Z"),
    );
    assert_eq!(
        found
            .iter()
            .map(|o| o.when.start_text())
            .collect::<Vec<_>>(),
        ["2027-03-28T03:30:00+02:00"]
    );
}

#[test]
fn a_skipped_time_moves_on_by_the_gap_and_a_repeated_time_takes_the_earlier_instant() {
    let at = |text: &str| text.parse::<NaiveDateTime>().unwrap();
    let zone = |name: &str| name.parse::<Tz>().unwrap();
    // (zone, wall time, the instant it denotes, why)
    let cases = [
        (
            "Europe/Oslo",
            "2025-03-30T02:30:00",
            "2025-03-30T01:30:00Z",
            "Oslo skips 02:00-03:00: 02:30 is read as 03:30 CEST",
        ),
        (
            "America/New_York",
            "2025-03-09T02:30:00",
            "2025-03-09T07:30:00Z",
            "New York skips 02:00-03:00: 02:30 is read as 03:30 EDT",
        ),
        (
            "Australia/Lord_Howe",
            "2025-10-05T02:15:00",
            "2025-10-04T15:45:00Z",
            "Lord Howe skips only 02:00-02:30: 02:15 moves 30 minutes, to 02:45, not an hour",
        ),
        (
            "Europe/Oslo",
            "2025-10-26T02:30:00",
            "2025-10-26T00:30:00Z",
            "Oslo's 02:30 happens twice: the first, still CEST",
        ),
        (
            "America/New_York",
            "2025-11-02T01:30:00",
            "2025-11-02T05:30:00Z",
            "New York's 01:30 happens twice: the first, still EDT",
        ),
        (
            "America/New_York",
            "2025-03-09T01:30:00",
            "2025-03-09T06:30:00Z",
            "01:30 on the spring night exists: EST as it is",
        ),
    ];
    for (name, wall, instant, why) in cases {
        assert_eq!(local_instant(at(wall), zone(name)), utc(instant), "{why}");
    }
}

#[test]
fn an_occurrence_the_clocks_skip_moves_whole_and_keeps_its_length() {
    for (zone, day_before, gap_day, shown) in [
        (
            "Europe/Oslo",
            "2025-03-29",
            "2025-03-30",
            ("2025-03-30T03:30:00+02:00", "2025-03-30T04:15:00+02:00"),
        ),
        (
            "America/New_York",
            "2025-03-08",
            "2025-03-09",
            ("2025-03-09T03:30:00-04:00", "2025-03-09T04:15:00-04:00"),
        ),
    ] {
        let first = timed(
            &format!("{day_before}T02:30"),
            &format!("{day_before}T03:15"),
            zone,
        );
        let daily = Repeat::default().rule(date(day_before)).unwrap();
        let found = occurrences(
            &daily,
            &first,
            utc(&format!("{day_before}T12:00:00Z")),
            utc(&format!("{gap_day}T23:00:00Z")),
        );
        let got: Vec<(String, String)> = found
            .iter()
            .map(|o| (o.when.start_text(), o.when.end_text()))
            .collect();
        assert_eq!(
            got,
            [(shown.0.to_owned(), shown.1.to_owned())],
            "{zone}: 02:30-03:15 on the night 02:00 jumps to 03:00 takes place an hour on, \
             45 minutes long, never ending before it starts"
        );
        assert_eq!(
            found[0].original_start,
            found[0].when.covering_span().0,
            "{zone}: the occurrence is known by the instant it starts"
        );
    }
}

#[test]
fn an_occurrence_in_the_repeated_hour_takes_the_first_one() {
    for (zone, day_before, shown) in [
        (
            "Europe/Oslo",
            "2025-10-25",
            ("2025-10-26T02:30:00+02:00", "2025-10-26T03:15:00+01:00"),
        ),
        (
            "America/New_York",
            "2025-11-01",
            ("2025-11-02T01:30:00-04:00", "2025-11-02T01:45:00-04:00"),
        ),
    ] {
        let (start, end) = if zone == "Europe/Oslo" {
            ("02:30", "03:15")
        } else {
            ("01:30", "01:45")
        };
        let first = timed(
            &format!("{day_before}T{start}"),
            &format!("{day_before}T{end}"),
            zone,
        );
        let daily = Repeat::default().rule(date(day_before)).unwrap();
        let found = occurrences(
            &daily,
            &first,
            utc(&format!("{day_before}T12:00:00Z")),
            utc(&format!("{day_before}T12:00:00Z")) + TimeDelta::days(1),
        );
        let got: Vec<(String, String)> = found
            .iter()
            .map(|o| (o.when.start_text(), o.when.end_text()))
            .collect();
        assert_eq!(
            got,
            [(shown.0.to_owned(), shown.1.to_owned())],
            "{zone}: the wall times on the night the clocks go back are read at their first \
             instant (an end past the repeated hour is in standard time)"
        );
    }
}

#[test]
fn an_end_the_clocks_skip_moves_on_and_later_occurrences_keep_the_length_it_took() {
    // 23:00-02:00 (three hours typed) on the night Oslo's 02:00 becomes 03:00, as Graph may send
    // it: the end is read as 03:00 CEST, so the series' first occurrence runs 23:00-03:00 on the
    // wall clock, and later ones keep those four wall-clock hours (the regression case the
    // property test found: the emulator kept 02:00 as its end, the core 03:00).
    let zone: Tz = "Europe/Oslo".parse().unwrap();
    let at = |text: &str| text.parse::<NaiveDateTime>().unwrap();
    let (start, end) = local_span(at("2028-03-25T23:00:00"), at("2028-03-26T02:00:00"), zone);
    assert_eq!(
        (start, end),
        (utc("2028-03-25T22:00:00Z"), utc("2028-03-26T01:00:00Z"))
    );
    let first = When::Timed {
        start,
        end,
        time_zone: zone,
    };
    let daily = Repeat::default().rule(date("2028-03-25")).unwrap();
    let found: Vec<(String, String)> = occurrences(
        &daily,
        &first,
        utc("2028-03-25T00:00:00Z"),
        utc("2028-03-27T00:00:00Z"),
    )
    .iter()
    .map(|o| (o.when.start_text(), o.when.end_text()))
    .collect();
    assert_eq!(
        found,
        [
            (
                "2028-03-25T23:00:00+01:00".to_owned(),
                "2028-03-26T03:00:00+02:00".to_owned()
            ),
            (
                "2028-03-26T23:00:00+02:00".to_owned(),
                "2028-03-27T03:00:00+02:00".to_owned()
            ),
        ],
        "the first occurrence's times are instants; its wall-clock length carries on"
    );
}

#[test]
fn an_occurrence_still_running_at_the_range_start_is_found_and_all_day_ones_keep_their_length() {
    let night = timed("2027-01-04T22:00", "2027-01-05T06:00", "UTC");
    let daily = Repeat::default().rule(date("2027-01-04")).unwrap();
    let found = occurrences(
        &daily,
        &night,
        utc("2027-01-10T00:00:00Z"),
        utc("2027-01-10T01:00:00Z"),
    );
    assert_eq!(
        found
            .iter()
            .map(|o| o.when.start_text())
            .collect::<Vec<_>>(),
        ["2027-01-09T22:00:00+00:00"],
        "the night shift that started the evening before is in the range"
    );
    let fair = When::parse(true, "2027-05-03", Some("2027-05-05"), "UTC").unwrap();
    let weekly = Repeat {
        every: RepeatUnit::Weekly,
        ..Repeat::default()
    }
    .rule(date("2027-05-03"))
    .unwrap();
    let found = occurrences(
        &weekly,
        &fair,
        utc("2027-05-10T00:00:00Z"),
        utc("2027-05-11T00:00:00Z"),
    );
    assert_eq!(
        found
            .iter()
            .map(|o| (o.when.start_text(), o.when.end_text()))
            .collect::<Vec<_>>(),
        [("2027-05-10".to_owned(), "2027-05-12".to_owned())]
    );
}

#[test]
fn what_outlook_refuses_is_one_plain_sentence() {
    let start = date("2027-01-04");
    let cases: Vec<(Repeat, &str)> = vec![
        (
            Repeat {
                interval: Some(0),
                ..Repeat::default()
            },
            "The interval must be a whole number from 1 to 999.",
        ),
        (
            Repeat {
                until: Some("2027-01-01".into()),
                ..Repeat::default()
            },
            "The series ends on 1 January 2027 before it starts on 4 January 2027.",
        ),
        (
            Repeat {
                every: RepeatUnit::Weekly,
                days: vec!["FR".into()],
                until: Some("2027-01-07".into()),
                ..Repeat::default()
            },
            "This pattern has no occurrence between 4 January 2027 and 7 January 2027.",
        ),
        (
            Repeat {
                count: Some(0),
                ..Repeat::default()
            },
            "The number of occurrences must be from 1 to 999.",
        ),
        (
            Repeat {
                count: Some(3),
                until: Some("2027-02-01".into()),
                ..Repeat::default()
            },
            "A series ends on a date or after a number of occurrences, not both.",
        ),
        (
            Repeat {
                every: RepeatUnit::Weekly,
                days: vec!["XX".into()],
                ..Repeat::default()
            },
            "\"XX\" is not a day of the week such as MO or TH.",
        ),
        (
            Repeat {
                every: RepeatUnit::Monthly,
                day_of_month: Some(32),
                ..Repeat::default()
            },
            "The day of the month must be from 1 to 31.",
        ),
        (
            Repeat {
                every: RepeatUnit::Weekly,
                week: Some(WeekIndex::Last),
                ..Repeat::default()
            },
            "A week of the month goes with a monthly or yearly series.",
        ),
    ];
    for (repeat, sentence) in cases {
        let err = repeat.rule(start).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidRepeat, "{repeat:?}");
        assert_eq!(err.to_string(), sentence, "{repeat:?}");
    }
    let three_days = When::parse(true, "2027-01-04", Some("2027-01-07"), "UTC").unwrap();
    let daily = Repeat::default().rule(start).unwrap();
    assert_eq!(
        check_length(&daily, &three_days).unwrap_err().to_string(),
        "An occurrence cannot be longer than the time between two occurrences.",
        "Outlook refuses a 3-day appointment repeating daily"
    );
}

#[test]
fn a_repeat_becomes_graphs_pattern_and_reads_back() {
    let start = date("2027-01-04"); // a Monday
    let cases: Vec<(Repeat, serde_json::Value)> = vec![
        (
            Repeat {
                every: RepeatUnit::Weekly,
                interval: Some(2),
                days: vec!["MO,TH".into()],
                until: Some("2027-06-30".into()),
                ..Repeat::default()
            },
            serde_json::json!({
                "pattern": {"type": "weekly", "interval": 2, "daysOfWeek": ["monday", "thursday"], "firstDayOfWeek": "sunday"},
                "range": {"type": "endDate", "startDate": "2027-01-04", "endDate": "2027-06-30", "recurrenceTimeZone": "Europe/Oslo"}
            }),
        ),
        (
            Repeat {
                every: RepeatUnit::Monthly,
                week: Some(WeekIndex::First),
                count: Some(12),
                ..Repeat::default()
            },
            serde_json::json!({
                "pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["monday"], "index": "first"},
                "range": {"type": "numbered", "startDate": "2027-01-04", "numberOfOccurrences": 12, "recurrenceTimeZone": "Europe/Oslo"}
            }),
        ),
        (
            Repeat {
                every: RepeatUnit::Yearly,
                ..Repeat::default()
            },
            serde_json::json!({
                "pattern": {"type": "absoluteYearly", "interval": 1, "dayOfMonth": 4, "month": 1},
                "range": {"type": "noEnd", "startDate": "2027-01-04", "recurrenceTimeZone": "Europe/Oslo"}
            }),
        ),
    ];
    for (repeat, graph) in cases {
        let rule = repeat.rule(start).unwrap();
        let recurrence = rule.to_graph(Some("Europe/Oslo"));
        assert_eq!(
            serde_json::to_value(&recurrence).unwrap(),
            graph,
            "{repeat:?}"
        );
        assert_eq!(
            Rule::from_graph(&recurrence).unwrap(),
            rule,
            "reads back the same"
        );
    }
}

#[test]
fn the_describer_says_the_rule_as_outlook_would() {
    let start = date("2027-01-04");
    let said = |repeat: Repeat| repeat.rule(start).unwrap().describe();
    let cases: Vec<(Repeat, &str)> = vec![
        (Repeat::default(), "Every day"),
        (
            Repeat {
                interval: Some(3),
                count: Some(10),
                ..Repeat::default()
            },
            "Every 3 days, 10 times",
        ),
        (
            Repeat {
                days: vec![
                    "MO".into(),
                    "TU".into(),
                    "WE".into(),
                    "TH".into(),
                    "FR".into(),
                ],
                ..Repeat::default()
            },
            "Every weekday",
        ),
        (
            Repeat {
                every: RepeatUnit::Weekly,
                interval: Some(2),
                days: vec!["TH".into(), "MO".into()],
                until: Some("2027-06-30".into()),
                ..Repeat::default()
            },
            "Every 2 weeks on Monday and Thursday, until 30 June 2027",
        ),
        (
            Repeat {
                every: RepeatUnit::Monthly,
                day_of_month: Some(15),
                ..Repeat::default()
            },
            "Every month on day 15",
        ),
        (
            Repeat {
                every: RepeatUnit::Monthly,
                interval: Some(2),
                week: Some(WeekIndex::Last),
                days: vec!["MO,TU,WE,TH,FR".into()],
                ..Repeat::default()
            },
            "Every 2 months on the last weekday",
        ),
        (
            Repeat {
                every: RepeatUnit::Yearly,
                day_of_month: Some(25),
                month: Some(12),
                count: Some(1),
                ..Repeat::default()
            },
            "Every year on 25 December, once",
        ),
        (
            Repeat {
                every: RepeatUnit::Yearly,
                week: Some(WeekIndex::Fourth),
                days: vec!["TH".into()],
                month: Some(11),
                ..Repeat::default()
            },
            "Every year on the fourth Thursday of November",
        ),
    ];
    for (repeat, sentence) in cases {
        assert_eq!(said(repeat.clone()), sentence, "{repeat:?}");
    }
}
