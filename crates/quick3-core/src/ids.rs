//! Newtype identifiers, so that a resource id can never be passed where an account id is meant.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        #[ts(export, type = "number")]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.0))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                i64::column_result(value).map($name)
            }
        }
    };
}

row_id!(
    /// A resource: a person, a room or a piece of equipment.
    ResourceId
);
row_id!(
    /// A Microsoft 365 account connected to a resource.
    AccountId
);
row_id!(
    /// A scheduled job.
    JobId
);
row_id!(
    /// One run of a scheduled job.
    JobRunId
);
row_id!(
    /// One account's sync run in the sync journal.
    SyncRunId
);

/// An appointment. A UUID, made locally, so that it can tag the copy pushed to Microsoft 365.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(export, type = "string")]
pub struct AppointmentId(pub Uuid);

impl AppointmentId {
    pub fn new() -> Self {
        AppointmentId(Uuid::new_v4())
    }

    /// A new id that sorts by when it was made (UUID version 7 from `now`; the clock is passed
    /// in): rows written together land side by side in the primary-key index, so a pulled page
    /// touches a few index pages instead of one per appointment.
    pub fn at(now: chrono::DateTime<chrono::Utc>) -> Self {
        let seconds = u64::try_from(now.timestamp()).unwrap_or(0);
        let timestamp =
            uuid::Timestamp::from_unix(uuid::NoContext, seconds, now.timestamp_subsec_nanos());
        AppointmentId(Uuid::new_v7(timestamp))
    }
}

impl AppointmentId {
    /// The id of the occurrence of `series` originally starting at `original_start`: the same
    /// whenever it is computed, so an occurrence keeps its id when it becomes an exception.
    pub fn occurrence(
        series: AppointmentId,
        original_start: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        use sha2::{Digest, Sha256};
        let digest = Sha256::new()
            .chain_update(series.0.as_bytes())
            .chain_update(original_start.timestamp().to_be_bytes())
            .finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        AppointmentId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
    }
}

impl Default for AppointmentId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for AppointmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for AppointmentId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(AppointmentId)
    }
}

impl ToSql for AppointmentId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.to_string()))
    }
}

impl FromSql for AppointmentId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Uuid::parse_str(text)
            .map(AppointmentId)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appointment_ids_made_later_sort_later_as_stored() {
        let t = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        let first = AppointmentId::at(t("2026-11-25T08:00:00.001Z"));
        let second = AppointmentId::at(t("2026-11-25T08:00:00.002Z"));
        let next_day = AppointmentId::at(t("2026-11-26T08:00:00Z"));
        assert_eq!(first.0.get_version_num(), 7);
        assert!(first.to_string() < second.to_string());
        assert!(second.to_string() < next_day.to_string());
        assert_ne!(
            AppointmentId::at(t("2026-11-25T08:00:00Z")),
            AppointmentId::at(t("2026-11-25T08:00:00Z")),
            "unique within the same instant"
        );
    }
}
