//! Series expansion: the concrete instances (single, occurrence, exception) an event has in a window.

use chrono::{DateTime, Days, NaiveDateTime, TimeDelta, Utc};

use crate::ids;
use crate::recurrence;
use crate::store::model::{Event, Exception, ZonedTime};
use crate::timezone;

/// Graph's `type` of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceKind {
    SingleInstance,
    Occurrence,
    Exception,
    SeriesMaster,
}

impl InstanceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SingleInstance => "singleInstance",
            Self::Occurrence => "occurrence",
            Self::Exception => "exception",
            Self::SeriesMaster => "seriesMaster",
        }
    }
}

/// One thing a calendar shows: a stored item, or an occurrence of a series.
#[derive(Debug, Clone)]
pub struct Instance<'a> {
    pub event: &'a Event,
    pub kind: InstanceKind,
    pub id: String,
    pub start: ZonedTime,
    pub end: ZonedTime,
    pub start_utc: DateTime<Utc>,
    pub end_utc: DateTime<Utc>,
    /// Original local start of an occurrence or exception (series zone).
    pub original_start: Option<NaiveDateTime>,
    pub exception: Option<&'a Exception>,
}

impl Instance<'_> {
    /// The change key clients see for this instance.
    pub fn change_key(&self) -> &str {
        self.exception
            .map_or(self.event.change_key.as_str(), |exception| {
                exception.change_key.as_str()
            })
    }
}

/// The UTC instant of a zoned time.
pub fn zoned_utc(time: &ZonedTime) -> DateTime<Utc> {
    timezone::local_to_utc(time.date_time, timezone::resolve_or_utc(&time.time_zone))
}

/// The wall-clock times an appointment from `start` to `end` takes place at, each in its zone: an
/// appointment whose start the clocks skip moves whole by the gap (`timezone::resolve_span`).
pub fn resolved_span(start: &ZonedTime, end: &ZonedTime) -> (ZonedTime, ZonedTime) {
    let (start_at, end_at) = timezone::resolve_span(
        start.date_time,
        timezone::resolve_or_utc(&start.time_zone),
        end.date_time,
        timezone::resolve_or_utc(&end.time_zone),
    );
    (
        ZonedTime {
            date_time: start_at,
            time_zone: start.time_zone.clone(),
        },
        ZonedTime {
            date_time: end_at,
            time_zone: end.time_zone.clone(),
        },
    )
}

/// The zone a series recurs in.
pub fn series_zone(event: &Event) -> String {
    event
        .recurrence
        .as_ref()
        .map(|rec| rec.range.recurrence_time_zone.clone())
        .filter(|zone| !zone.is_empty())
        .unwrap_or_else(|| event.start.time_zone.clone())
}

/// The stored item itself (single instance or series master).
pub fn item(event: &Event) -> Instance<'_> {
    Instance {
        event,
        kind: if event.recurrence.is_some() {
            InstanceKind::SeriesMaster
        } else {
            InstanceKind::SingleInstance
        },
        id: event.id.clone(),
        start: event.start.clone(),
        end: event.end.clone(),
        start_utc: zoned_utc(&event.start),
        end_utc: zoned_utc(&event.end),
        original_start: None,
        exception: None,
    }
}

fn overlaps(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> bool {
    if start == end {
        start >= from && start < to
    } else {
        start < to && end > from
    }
}

/// The occurrence of a series originally starting at `original_start` (local, series zone),
/// with its exception applied; `None` if the series has no such occurrence or it was cancelled.
pub fn occurrence(event: &Event, original_start: NaiveDateTime) -> Option<Instance<'_>> {
    let recurrence = event.recurrence.as_ref()?;
    if event.cancelled_occurrences.contains(&original_start) {
        return None;
    }
    let is_occurrence = recurrence::occurrence_dates(recurrence, original_start.date())
        .last()
        .is_some_and(|date| *date == original_start.date())
        && original_start.time() == event.start.date_time.time();
    if !is_occurrence {
        return None;
    }
    Some(build_occurrence(event, original_start))
}

fn build_occurrence(event: &Event, original_start: NaiveDateTime) -> Instance<'_> {
    let id = ids::occurrence_id(&event.id, original_start);
    if let Some(exception) = event.exceptions.get(&original_start) {
        return Instance {
            event,
            kind: InstanceKind::Exception,
            id,
            start: exception.start.clone(),
            end: exception.end.clone(),
            start_utc: zoned_utc(&exception.start),
            end_utc: zoned_utc(&exception.end),
            original_start: Some(original_start),
            exception: Some(exception),
        };
    }
    let zone = series_zone(event);
    // The master's times are stored as they take place (`fields::validate`), so this is the
    // length on the wall clock; an occurrence the clocks skip moves whole and keeps it.
    let length: TimeDelta = event.end.date_time - event.start.date_time;
    let (start, end) = resolved_span(
        &ZonedTime {
            date_time: original_start,
            time_zone: zone.clone(),
        },
        &ZonedTime {
            date_time: original_start + length,
            time_zone: zone,
        },
    );
    Instance {
        event,
        kind: InstanceKind::Occurrence,
        id,
        start_utc: zoned_utc(&start),
        end_utc: zoned_utc(&end),
        start,
        end,
        original_start: Some(original_start),
        exception: None,
    }
}

/// The instances of `event` overlapping `[from, to)`: the item itself when single, else its
/// occurrences and exceptions (cancelled occurrences are absent).
pub fn in_window(event: &Event, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Instance<'_>> {
    let Some(recurrence) = event.recurrence.as_ref() else {
        let single = item(event);
        return if overlaps(single.start_utc, single.end_utc, from, to) {
            vec![single]
        } else {
            Vec::new()
        };
    };
    let zone = timezone::resolve_or_utc(&series_zone(event));
    let until = timezone::utc_to_local(to, zone).date() + Days::new(1);
    let time_of_day = event.start.date_time.time();
    let mut found = Vec::new();
    for date in recurrence::occurrence_dates(recurrence, until) {
        let original_start = date.and_time(time_of_day);
        if event.cancelled_occurrences.contains(&original_start) {
            continue;
        }
        let instance = build_occurrence(event, original_start);
        if overlaps(instance.start_utc, instance.end_utc, from, to) {
            found.push(instance);
        }
    }
    // Exceptions moved into the window from an original date past the expanded range.
    for original_start in event.exceptions.keys().filter(|start| start.date() > until) {
        let instance = build_occurrence(event, *original_start);
        if overlaps(instance.start_utc, instance.end_utc, from, to) {
            found.push(instance);
        }
    }
    found
}
