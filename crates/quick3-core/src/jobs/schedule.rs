//! When jobs run: pure functions of the clock passed in (no job ever reads the clock itself).

use chrono::{DateTime, Days, Duration, Timelike, Utc};
use chrono_tz::Tz;

use crate::model::{ActiveHours, Frequency, Job};

/// The next start after `from` (the last start, or when the job was saved): one interval later,
/// plus `jitter` (so that many installations do not call Microsoft in the same second), moved
/// into the active hours when the job has them.
pub fn next_run(
    from: DateTime<Utc>,
    frequency: Frequency,
    active: Option<ActiveHours>,
    zone: Tz,
    jitter: Duration,
) -> DateTime<Utc> {
    let candidate = from + Duration::minutes(frequency.minutes()) + jitter;
    match active {
        None => candidate,
        Some(hours) => first_active(candidate, hours, zone),
    }
}

/// Whether `job` should start at `now`. A job whose time passed while the machine slept is due
/// once; its next time is then counted from the run, so missed slots are never replayed.
pub fn is_due(job: &Job, now: DateTime<Utc>) -> bool {
    job.spec.enabled && job.next_run_at.is_some_and(|at| at <= now)
}

/// The largest jitter [`super::jitter`] adds.
pub const MAX_JITTER: Duration = Duration::seconds(60);

/// A new next run for `job` when its stored one is further ahead than the schedule can put it
/// from `now` (one interval, the largest jitter, then the active hours): the clock was set back
/// after it was computed, and the job would wait until the old time. The new one is counted from
/// `now`, as after a run now. `None`: the stored next run is one the schedule can give.
pub fn recomputed(
    job: &Job,
    now: DateTime<Utc>,
    zone: Tz,
    jitter: Duration,
) -> Option<DateTime<Utc>> {
    let (frequency, active) = (job.spec.frequency, job.spec.active_hours);
    let latest = next_run(now, frequency, active, zone, MAX_JITTER);
    job.next_run_at
        .filter(|at| *at > latest)
        .map(|_| next_run(now, frequency, active, zone, jitter))
}

fn within(hour: u32, hours: ActiveHours) -> bool {
    let (from, to) = (u32::from(hours.from_hour), u32::from(hours.to_hour));
    if from < to {
        (from..to).contains(&hour)
    } else {
        hour >= from || hour < to
    }
}

/// `at` if it is inside the active hours, else the next start of them.
pub fn first_active(at: DateTime<Utc>, hours: ActiveHours, zone: Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&zone);
    if within(local.hour(), hours) {
        return at;
    }
    let mut day = local.date_naive();
    for _ in 0..3 {
        let opening = day
            .and_hms_opt(u32::from(hours.from_hour), 0, 0)
            .map(|naive| crate::model::recurrence::local_instant(naive, zone));
        if let Some(opening) = opening
            && opening > at
        {
            return opening;
        }
        day = day + Days::new(1);
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FrequencyUnit;
    use chrono::{NaiveDate, TimeZone};

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    const HOURLY: Frequency = Frequency {
        every: 1,
        unit: FrequencyUnit::Hours,
    };

    #[test]
    fn next_run_is_one_interval_later_plus_jitter() {
        let next = next_run(
            utc("2026-11-24T10:00:00Z"),
            HOURLY,
            None,
            chrono_tz::UTC,
            Duration::seconds(17),
        );
        assert_eq!(next, utc("2026-11-24T11:00:17Z"));
    }

    #[test]
    fn active_hours_opening_at_a_midnight_the_clocks_skip_open_at_the_days_first_instant() {
        // Santiago's clocks go from 00:00 to 01:00 on Sunday 6 September 2026: that day has no
        // midnight, and its opening is its first instant (01:00 -03 = 04:00 UTC), not a day later.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        let midnight = NaiveDate::from_ymd_opt(2026, 9, 6)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert!(
            santiago.from_local_datetime(&midnight).earliest().is_none(),
            "the zone data has the gap this test is about"
        );
        let small_hours = ActiveHours {
            from_hour: 0,
            to_hour: 6,
        };
        let next = first_active(utc("2026-09-06T03:30:00Z"), small_hours, santiago);
        assert_eq!(next, utc("2026-09-06T04:00:00Z"));
    }

    #[test]
    fn outside_active_hours_waits_for_the_next_opening_in_the_planners_zone() {
        let office = ActiveHours {
            from_hour: 7,
            to_hour: 19,
        };
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 18:30 Berlin + 1 h = 19:30: closed; opens 07:00 Berlin the next day (06:00 UTC in winter).
        let next = next_run(
            utc("2026-11-24T17:30:00Z"),
            HOURLY,
            Some(office),
            berlin,
            Duration::zero(),
        );
        assert_eq!(next, utc("2026-11-25T06:00:00Z"));
        // Inside the hours nothing moves.
        let next = next_run(
            utc("2026-11-24T08:00:00Z"),
            HOURLY,
            Some(office),
            berlin,
            Duration::zero(),
        );
        assert_eq!(next, utc("2026-11-24T09:00:00Z"));
    }

    fn hourly_job(next_run_at: &str, active_hours: Option<ActiveHours>) -> Job {
        use crate::model::{FailureNotice, JobKind, JobScope, JobSpec};
        Job {
            id: crate::ids::JobId(1),
            spec: JobSpec {
                name: "Sync".into(),
                kind: JobKind::SynchronizeOffice365Calendars,
                frequency: HOURLY,
                enabled: true,
                active_hours,
                scope: JobScope::AllResources,
                notify: FailureNotice::default(),
            },
            next_run_at: Some(utc(next_run_at)),
            last_run: None,
            consecutive_failures: 0,
            frequency_warning: None,
        }
    }

    #[test]
    fn a_next_run_more_than_an_interval_ahead_is_recomputed_from_now() {
        let office = Some(ActiveHours {
            from_hour: 7,
            to_hour: 19,
        });
        let now = utc("2026-11-24T10:00:00Z");
        for (next_run_at, active, expected, why) in [
            (
                "2026-11-25T10:00:00Z",
                None,
                Some("2026-11-24T11:00:00Z"),
                "the clock was set back a day: one interval from now",
            ),
            (
                "2026-11-24T11:01:00Z",
                None,
                None,
                "one interval and the largest jitter ahead is what a run now gives",
            ),
            (
                "2026-11-24T11:01:01Z",
                None,
                Some("2026-11-24T11:00:00Z"),
                "a second more is not",
            ),
            (
                "2026-11-24T09:00:00Z",
                None,
                None,
                "a next run in the past is due, not moved",
            ),
            (
                "2026-11-25T07:00:00Z",
                office,
                Some("2026-11-24T11:00:00Z"),
                "inside the active hours the next opening is no excuse",
            ),
        ] {
            let job = hourly_job(next_run_at, active);
            assert_eq!(
                recomputed(&job, now, chrono_tz::UTC, Duration::zero()),
                expected.map(utc),
                "{why}"
            );
        }
        // At 18:30 the active hours put an hourly job's next run at 07:00 the next day.
        let evening = utc("2026-11-24T18:30:00Z");
        let job = hourly_job("2026-11-25T07:00:00Z", office);
        assert_eq!(
            recomputed(&job, evening, chrono_tz::UTC, Duration::zero()),
            None,
            "the next opening of the active hours is a next run the schedule gives"
        );
    }

    #[test]
    fn active_hours_may_span_midnight() {
        let night = ActiveHours {
            from_hour: 22,
            to_hour: 6,
        };
        assert!(within(23, night) && within(2, night) && !within(12, night));
        let next = next_run(
            utc("2026-11-24T09:00:00Z"),
            HOURLY,
            Some(night),
            chrono_tz::UTC,
            Duration::zero(),
        );
        assert_eq!(next, utc("2026-11-24T22:00:00Z"));
    }
}
