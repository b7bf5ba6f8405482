//! The boundary every front end calls (the desktop shell and the CLI): transport types in,
//! records out, so neither front end holds logic of its own.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::error::{CoreError, Result};
use crate::ids::{AppointmentId, ResourceId};
use crate::model::appointment::parse_time_zone;
use crate::model::{Account, AppointmentInput, AppointmentPatch, AppointmentRecord};
use crate::store::{AppointmentQuery, Store};

/// Reads an instant given as RFC 3339 text (as the UI and scripts send it).
pub fn parse_instant(text: &str, field: &'static str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| CoreError::InvalidInput {
            field,
            reason: format!("\"{}\" is not an RFC 3339 date and time", text.trim()),
        })
}

/// Reads an appointment id as typed.
pub fn parse_appointment_id(text: &str) -> Result<AppointmentId> {
    text.parse().map_err(|_| CoreError::UnknownAppointment {
        id: text.trim().to_owned(),
    })
}

/// Appointments overlapping `[from, to)`, optionally of one resource.
pub fn appointments_between(
    store: &Store,
    from: Option<&str>,
    to: Option<&str>,
    resource: Option<ResourceId>,
) -> Result<Vec<AppointmentRecord>> {
    let query = AppointmentQuery {
        resource,
        from: from.map(|f| parse_instant(f, "range start")).transpose()?,
        to: to.map(|t| parse_instant(t, "range end")).transpose()?,
    };
    Ok(store
        .list_appointments(query)?
        .iter()
        .map(AppointmentRecord::from)
        .collect())
}

pub fn create_appointment(
    store: &mut Store,
    input: AppointmentInput,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    Ok(AppointmentRecord::from(
        &store.create_appointment(input, now)?,
    ))
}

pub fn edit_appointment(
    store: &mut Store,
    id: &str,
    patch: AppointmentPatch,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    Ok(AppointmentRecord::from(&store.edit_appointment(
        parse_appointment_id(id)?,
        patch,
        now,
    )?))
}

pub fn delete_appointment(store: &mut Store, id: &str, now: DateTime<Utc>) -> Result<()> {
    store.delete_appointment(parse_appointment_id(id)?, now)
}

pub fn restore_appointment(
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    Ok(AppointmentRecord::from(
        &store.restore_appointment(parse_appointment_id(id)?, now)?,
    ))
}

pub fn accounts_of(store: &Store, resource: ResourceId) -> Result<Vec<Account>> {
    store.accounts_of(resource)
}

/// Reads a range bound as typed on the command line: RFC 3339, or a date meaning the start of
/// that day in `zone`.
pub fn parse_range_bound(text: &str, zone: &str, field: &'static str) -> Result<DateTime<Utc>> {
    if let Ok(instant) = parse_instant(text, field) {
        return Ok(instant);
    }
    let invalid = || CoreError::InvalidInput {
        field,
        reason: format!(
            "\"{}\" is not a date (2026-11-25) or an RFC 3339 date and time",
            text.trim()
        ),
    };
    let tz = parse_time_zone(zone)?;
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| invalid())?;
    tz.from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()
        .map(|start| start.with_timezone(&Utc))
        .ok_or_else(invalid)
}
