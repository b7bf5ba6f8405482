//! When jobs run: pure functions of the clock passed in (no job ever reads the clock itself).

use chrono::{DateTime, Days, Duration, TimeZone, Timelike, Utc};
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
            .and_then(|naive| zone.from_local_datetime(&naive).earliest())
            .map(|start| start.with_timezone(&Utc));
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
