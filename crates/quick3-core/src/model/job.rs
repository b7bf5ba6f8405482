//! Scheduled jobs (such as "Synchronize Office365 Calendars") and the record of their runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{JobId, JobRunId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum JobKind {
    SynchronizeOffice365Calendars,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Job {
    pub id: JobId,
    pub name: String,
    pub kind: JobKind,
    #[ts(type = "number")]
    pub frequency_minutes: i64,
    pub enabled: bool,
    pub next_run_at: Option<DateTime<Utc>>,
    pub notify_emails: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum JobRunResult {
    Running,
    Succeeded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JobRun {
    pub id: JobRunId,
    pub job_id: JobId,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub result: JobRunResult,
    pub error: Option<String>,
}
