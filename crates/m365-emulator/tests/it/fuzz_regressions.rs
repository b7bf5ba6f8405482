//! Inputs the fuzz targets in `fuzz/` found, kept as tests: each must be answered quickly and
//! without a panic.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use m365_emulator::fuzzing::create_and_expand;
use serde_json::json;

/// fuzz target `recurrence`, 2026-11-25: an occurrence lasting 7,288 years in a fortnightly
/// series from the year 1013 made each of 20,000 occurrences overlap a 120-day window (14 s and
/// more). Outlook refuses an occurrence longer than the series' period; so does the emulator now.
#[test]
fn a_series_whose_occurrence_outlasts_its_period_is_refused_at_once() {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let body = json!({
        "subject": "weekly_two_days",
        "start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "9314-03-02T09:30:00", "timeZone": "Pacific Standard Time"},
        "isAllDay": false,
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 2, "daysOfWeek": ["monday", "wednesday"], "firstDayOfWeek": "sunday"},
            "range": {"type": "endDate", "startDate": "1013-03-02", "endDate": "2026-06-30", "recurrenceTimeZone": "Pacific Standard iemT"}
        }
    });
    let started = Instant::now();
    let answer = create_and_expand(
        &body,
        now,
        now - chrono::Duration::days(10),
        now + chrono::Duration::days(110),
    );
    let err = answer.unwrap_err();
    assert!(err.contains("ErrorCalendarDurationIsTooLong"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));

    // A series whose occurrences fit their period is still expanded.
    let mut fits = body.clone();
    fits["end"]["dateTime"] = json!("2026-03-02T09:30:00");
    fits["recurrence"]["range"]["startDate"] = json!("2026-03-02");
    let instances = create_and_expand(
        &fits,
        now,
        now - chrono::Duration::days(10),
        now + chrono::Duration::days(110),
    )
    .unwrap();
    assert!(!instances.is_empty());
}

/// fuzz target `recurrence`, 2026-11-25: a start of "09:00:60" was taken as a leap second and
/// served a second early, so a client read another instant than the emulator expanded. Graph
/// takes no leap seconds: the event is refused.
#[test]
fn a_leap_second_is_not_a_valid_date_time() {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let body = json!({
        "subject": "leap",
        "start": {"dateTime": "2026-03-02T09:00:60", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-03-02T09:30:00", "timeZone": "W. Europe Standard Time"},
    });
    let err = create_and_expand(&body, now, now, now + chrono::Duration::days(30)).unwrap_err();
    assert!(err.contains("'start'"), "{err}");
}
