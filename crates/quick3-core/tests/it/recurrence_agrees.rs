//! The core's series expansion and the emulator's (our stand-in for Outlook) agree, occurrence
//! for occurrence and to the second, on random patterns, ranges, zones and query windows.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use quick3_core::model::When;
use quick3_core::model::recurrence::{Rule, local_instant, occurrences};
use serde_json::{Value, json};

const DAYS: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];
const KINDS: [&str; 6] = [
    "daily",
    "weekly",
    "absoluteMonthly",
    "relativeMonthly",
    "absoluteYearly",
    "relativeYearly",
];
const INDEXES: [&str; 5] = ["first", "second", "third", "fourth", "last"];
const ZONES: [&str; 5] = [
    "UTC",
    "Europe/Oslo",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
];

#[derive(Debug, Clone)]
struct Case {
    recurrence: Value,
    start: NaiveDate,
    time: NaiveTime,
    minutes: i64,
    zone: &'static str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            0..6usize,
            1..4u32,
            1..128u8,
            0..7usize,
            1..32u32,
            1..13u32,
            0..5usize,
        ),
        (0..3usize, 0..1400u64, 0..400u64, 1..40u32),
        (
            0..24u32,
            prop_oneof![Just(0u32), Just(30)],
            15..480i64,
            0..5usize,
        ),
        (0..900u64, 1..62u64),
    )
        .prop_map(
            |(
                (kind, interval, day_bits, first_day, day_of_month, month, index),
                (range, start_offset, end_offset, count),
                (hour, minute, minutes, zone),
                (query_offset, query_days),
            )| {
                let days: Vec<&str> = (0..7)
                    .filter(|bit| day_bits & (1 << bit) != 0)
                    .map(|bit| DAYS[bit])
                    .collect();
                let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Days::new(start_offset);
                let zone = ZONES[zone];
                let mut range_json =
                    json!({"startDate": start.to_string(), "recurrenceTimeZone": zone});
                match range {
                    0 => range_json["type"] = json!("noEnd"),
                    1 => {
                        range_json["type"] = json!("endDate");
                        range_json["endDate"] = json!((start + Days::new(end_offset)).to_string());
                    }
                    _ => {
                        range_json["type"] = json!("numbered");
                        range_json["numberOfOccurrences"] = json!(count);
                    }
                }
                let recurrence = json!({
                    "pattern": {
                        "type": KINDS[kind],
                        "interval": interval,
                        "daysOfWeek": days,
                        "firstDayOfWeek": DAYS[first_day],
                        "dayOfMonth": day_of_month,
                        "month": month,
                        "index": INDEXES[index],
                    },
                    "range": range_json,
                });
                let from = (start + Days::new(query_offset))
                    .and_time(NaiveTime::MIN)
                    .and_utc()
                    - TimeDelta::days(10);
                Case {
                    recurrence,
                    start,
                    time: NaiveTime::from_hms_opt(hour, minute, 0).unwrap(),
                    minutes,
                    zone,
                    from,
                    to: from + TimeDelta::days(query_days as i64),
                }
            },
        )
}

fn graph_time(at: chrono::NaiveDateTime, zone: &str) -> Value {
    json!({"dateTime": at.format("%Y-%m-%dT%H:%M:%S").to_string(), "timeZone": zone})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_core_and_the_emulator_expand_a_series_alike(case in case()) {
        let local_start = case.start.and_time(case.time);
        let local_end = local_start + TimeDelta::minutes(case.minutes);
        let body = json!({
            "subject": "Series",
            "start": graph_time(local_start, case.zone),
            "end": graph_time(local_end, case.zone),
            "recurrence": case.recurrence,
        });
        let now = "2025-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let served = m365_emulator::fuzzing::create_and_expand(&body, now, case.from, case.to)
            .expect("the emulator takes every generated series");
        let mut theirs: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            served.iter().map(|s| (s.start_utc, s.end_utc)).collect();
        theirs.sort();

        let recurrence = serde_json::from_value(case.recurrence.clone()).unwrap();
        let rule = Rule::from_graph(&recurrence).unwrap();
        let zone: Tz = case.zone.parse().unwrap();
        let first = When::Timed {
            start: local_instant(local_start, zone),
            end: local_instant(local_end, zone),
            time_zone: zone,
        };
        let ours: Vec<(DateTime<Utc>, DateTime<Utc>)> = occurrences(&rule, &first, case.from, case.to)
            .into_iter()
            .map(|o| match o.when {
                When::Timed { start, end, .. } => (start, end),
                When::AllDay { .. } => unreachable!("a timed series has timed occurrences"),
            })
            .collect();
        prop_assert_eq!(ours, theirs, "the same occurrences as the emulator serves for {:?}", case);
    }
}
