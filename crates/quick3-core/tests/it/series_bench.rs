//! Benchmark: expanding the occurrences of 500 series over a visible month (goal < 10 ms).
//! `cargo test --release -p quick3-core --test series_bench -- --ignored --nocapture`.

#![allow(clippy::unwrap_used)]

use std::time::Instant;

use chrono::{DateTime, Days, NaiveDate, Utc};
use quick3_core::model::When;
use quick3_core::model::recurrence::{Repeat, RepeatUnit, WeekIndex, occurrences};

/// 500 series of every kind, started over the two years before the month, in three zones.
fn series() -> Vec<(quick3_core::model::Rule, When)> {
    let zones = ["Europe/Oslo", "America/New_York", "Asia/Tokyo"];
    let first = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    (0..500u64)
        .map(|n| {
            let start = first + Days::new(n * 37 % 700);
            let repeat = match n % 6 {
                0 => Repeat::default(),
                1 => Repeat {
                    days: vec!["MO,TU,WE,TH,FR".into()],
                    ..Repeat::default()
                },
                2 => Repeat {
                    every: RepeatUnit::Weekly,
                    interval: Some(1 + (n % 3) as u32),
                    days: vec!["MO,TH".into()],
                    ..Repeat::default()
                },
                3 => Repeat {
                    every: RepeatUnit::Monthly,
                    week: Some(WeekIndex::Last),
                    ..Repeat::default()
                },
                4 => Repeat {
                    every: RepeatUnit::Monthly,
                    count: Some(999),
                    ..Repeat::default()
                },
                _ => Repeat {
                    every: RepeatUnit::Yearly,
                    ..Repeat::default()
                },
            };
            let rule = repeat.rule(start).unwrap();
            let day = rule.first_date().unwrap();
            let when = When::parse(
                false,
                &format!("{day}T09:00"),
                Some(&format!("{day}T10:30")),
                zones[(n % 3) as usize],
            )
            .unwrap();
            (rule, when)
        })
        .collect()
}

#[test]
#[ignore = "a benchmark: run with --release --ignored --nocapture"]
fn expanding_500_series_over_a_month() {
    let all = series();
    let from: DateTime<Utc> = "2026-11-30T00:00:00Z".parse().unwrap();
    let to: DateTime<Utc> = "2027-01-04T00:00:00Z".parse().unwrap();
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..50 {
        let began = Instant::now();
        found = all
            .iter()
            .map(|(rule, when)| occurrences(rule, when, from, to).len())
            .sum::<usize>();
        times.push(began.elapsed());
    }
    times.sort();
    println!(
        "500 series over 5 weeks: {found} occurrences; median {:?}, slowest {:?} (50 runs)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
    assert!(found > 2_000, "the month is busy: {found}");
}

/// The same 500 series made through the store (50 resources, 10 each), listed for the month
/// as the Scheduler asks: SQL, expansion, exceptions looked up, sorted.
#[test]
#[ignore = "a benchmark: run with --release --ignored --nocapture"]
fn listing_a_month_of_500_series_from_the_store() {
    use quick3_core::Store;
    use quick3_core::model::{AppointmentInput, NewResource, ResourceKind};
    use quick3_core::store::AppointmentQuery;

    let mut store = Store::open_in_memory().unwrap();
    let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    let resources: Vec<_> = (0..50)
        .map(|n| {
            store
                .add_resource(
                    NewResource {
                        name: format!("Crew {n}"),
                        email: None,
                        kind: ResourceKind::Person,
                        colour: None,
                        hours: None,
                    },
                    now,
                )
                .unwrap()
                .id
        })
        .collect();
    for (n, (rule, when)) in series().into_iter().enumerate() {
        let zone = when.time_zone().map(|tz| tz.name().to_owned());
        let repeat = describe_back(&rule);
        store
            .create_series(
                AppointmentInput {
                    resource_id: resources[n % 50],
                    title: format!("Series {n}"),
                    all_day: false,
                    start: when.start_text(),
                    end: Some(when.end_text()),
                    time_zone: zone,
                    location: None,
                    notes: None,
                    categories: vec![],
                    show_as: None,
                    sensitivity: None,
                },
                &repeat,
                now,
            )
            .unwrap();
    }
    let query = AppointmentQuery {
        resource: None,
        from: Some("2026-11-30T00:00:00Z".parse().unwrap()),
        to: Some("2027-01-04T00:00:00Z".parse().unwrap()),
    };
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..20 {
        let began = Instant::now();
        found = store.list_appointments(query).unwrap().len();
        times.push(began.elapsed());
    }
    times.sort();
    println!(
        "store listing of 500 series over 5 weeks: {found} occurrences; median {:?}, slowest {:?} (20 runs)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
}

/// The `Repeat` that makes `rule` again (the bench's series as a person would type them).
fn describe_back(rule: &quick3_core::model::Rule) -> Repeat {
    use quick3_core::model::recurrence::{End, Frequency, day_name};
    Repeat {
        every: match rule.frequency {
            Frequency::Daily => RepeatUnit::Daily,
            Frequency::Weekly => RepeatUnit::Weekly,
            Frequency::AbsoluteMonthly | Frequency::RelativeMonthly => RepeatUnit::Monthly,
            Frequency::AbsoluteYearly | Frequency::RelativeYearly => RepeatUnit::Yearly,
        },
        interval: Some(rule.interval),
        days: if matches!(
            rule.frequency,
            Frequency::Weekly | Frequency::RelativeMonthly | Frequency::RelativeYearly
        ) {
            rule.days.iter().map(|d| day_name(*d).to_owned()).collect()
        } else {
            vec![]
        },
        week: matches!(
            rule.frequency,
            Frequency::RelativeMonthly | Frequency::RelativeYearly
        )
        .then_some(rule.index),
        day_of_month: None,
        month: None,
        until: None,
        count: match rule.end {
            End::Count(n) => Some(n),
            _ => None,
        },
    }
}
