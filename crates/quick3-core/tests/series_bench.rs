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
