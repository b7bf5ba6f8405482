//! Scheduled jobs (such as "Synchronize Office365 Calendars") and the record of their runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::ids::{JobId, JobRunId, ResourceId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum JobKind {
    SynchronizeOffice365Calendars,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::SynchronizeOffice365Calendars => "synchronize_office365_calendars",
        }
    }

    /// The name people see.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::SynchronizeOffice365Calendars => "Synchronize Office365 Calendars",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "synchronize_office365_calendars" | "sync" | "office365_sync" => {
                Ok(JobKind::SynchronizeOffice365Calendars)
            }
            other => Err(CoreError::InvalidInput {
                field: "job kind",
                reason: format!(
                    "\"{other}\" is not a job kind; the kind is synchronize_office365_calendars"
                ),
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FrequencyUnit {
    Minutes,
    Hours,
    Days,
}

/// How often a job runs: every `every` `unit`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Frequency {
    pub every: u32,
    pub unit: FrequencyUnit,
}

/// Microsoft may treat calls more often than this as an attack.
pub const ADVISED_MINIMUM_MINUTES: u32 = 30;

impl Frequency {
    pub fn minutes(self) -> i64 {
        let factor = match self.unit {
            FrequencyUnit::Minutes => 1,
            FrequencyUnit::Hours => 60,
            FrequencyUnit::Days => 24 * 60,
        };
        i64::from(self.every) * factor
    }

    pub fn validate(self) -> Result<Frequency> {
        let minutes = self.minutes();
        if minutes < 1 {
            return Err(CoreError::InvalidInput {
                field: "frequency",
                reason: "it must be at least one minute".into(),
            });
        }
        if minutes > 31 * 24 * 60 {
            return Err(CoreError::InvalidInput {
                field: "frequency",
                reason: "it must be at most 31 days".into(),
            });
        }
        Ok(self)
    }

    /// The advice shown below 30 minutes.
    pub fn warning(self) -> Option<String> {
        (self.minutes() < i64::from(ADVISED_MINIMUM_MINUTES)).then(|| {
            "Microsoft may treat calls more often than every 30 minutes as an attack and throttle them; \
             run this job every 30 minutes or less often."
                .to_owned()
        })
    }

    /// Reads `90m`, `2h`, `1d` or a number of minutes.
    pub fn parse(text: &str) -> Result<Frequency> {
        let text = text.trim().to_ascii_lowercase();
        let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((i, _)) => (&text[..i], text[i..].trim()),
            None => (text.as_str(), "m"),
        };
        let unit = match unit {
            "m" | "min" | "mins" | "minute" | "minutes" => FrequencyUnit::Minutes,
            "h" | "hour" | "hours" => FrequencyUnit::Hours,
            "d" | "day" | "days" => FrequencyUnit::Days,
            _ => {
                return Err(CoreError::InvalidInput {
                    field: "frequency",
                    reason: format!("\"{text}\" is not like 60m, 2h or 1d"),
                });
            }
        };
        let every = number.parse().map_err(|_| CoreError::InvalidInput {
            field: "frequency",
            reason: format!("\"{text}\" is not like 60m, 2h or 1d"),
        })?;
        Frequency { every, unit }.validate()
    }
}

/// Hours of the day (in the planner's zone) within which a job may start: `from` inclusive, `to`
/// exclusive; `from > to` spans midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActiveHours {
    pub from_hour: u8,
    pub to_hour: u8,
}

/// Which resources' accounts a sync job covers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "resources", rename_all = "snake_case")]
#[ts(export)]
pub enum JobScope {
    #[default]
    AllResources,
    Resources(Vec<ResourceId>),
}

/// Who hears about failures, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FailureNotice {
    /// No addresses: no mail.
    pub emails: Vec<String>,
    /// Mail after this many failed runs in a row (1 = every failure).
    pub after_failures: u32,
    /// Also mail when an account needs its owner to sign in again.
    pub when_sign_in_needed: bool,
}

impl Default for FailureNotice {
    fn default() -> Self {
        FailureNotice {
            emails: Vec::new(),
            after_failures: 1,
            when_sign_in_needed: true,
        }
    }
}

/// What a job is, as the planner edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JobSpec {
    pub name: String,
    pub kind: JobKind,
    pub frequency: Frequency,
    pub enabled: bool,
    pub active_hours: Option<ActiveHours>,
    #[serde(default)]
    pub scope: JobScope,
    #[serde(default)]
    pub notify: FailureNotice,
}

impl JobSpec {
    pub fn validate(self) -> Result<JobSpec> {
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            return Err(CoreError::InvalidInput {
                field: "name",
                reason: "it must not be empty".into(),
            });
        }
        if name.chars().count() > 200 {
            return Err(CoreError::InvalidInput {
                field: "name",
                reason: "it is longer than 200 characters".into(),
            });
        }
        if let Some(hours) = self.active_hours
            && (hours.from_hour > 23 || hours.to_hour > 24 || hours.from_hour == hours.to_hour)
        {
            return Err(CoreError::InvalidInput {
                field: "active hours",
                reason: "they must be two different hours between 0 and 24".into(),
            });
        }
        let mut emails = Vec::new();
        for email in &self.notify.emails {
            let email = crate::validate::email(email)?;
            if !emails.contains(&email) {
                emails.push(email);
            }
        }
        Ok(JobSpec {
            name,
            frequency: self.frequency.validate()?,
            notify: FailureNotice {
                emails,
                after_failures: self.notify.after_failures.max(1),
                ..self.notify
            },
            ..self
        })
    }
}

/// A stored job with its schedule and last run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Job {
    pub id: JobId,
    #[serde(flatten)]
    pub spec: JobSpec,
    pub next_run_at: Option<DateTime<Utc>>,
    pub last_run: Option<JobRun>,
    /// Failed runs in a row, up to the last one.
    pub consecutive_failures: u32,
    /// The advice when the frequency is below 30 minutes.
    pub frequency_warning: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum JobRunResult {
    Running,
    Succeeded,
    Failed,
}

impl JobRunResult {
    pub fn as_str(self) -> &'static str {
        match self {
            JobRunResult::Running => "running",
            JobRunResult::Succeeded => "succeeded",
            JobRunResult::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "running" => JobRunResult::Running,
            "succeeded" => JobRunResult::Succeeded,
            "failed" => JobRunResult::Failed,
            other => {
                return Err(CoreError::Corrupt(format!(
                    "unknown job run result {other}"
                )));
            }
        })
    }
}

/// One run of a job: when, how it ended, its counts, and the error in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JobRun {
    pub id: JobRunId,
    pub job_id: JobId,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub result: JobRunResult,
    /// Counts as the job reports them (added, updated, deleted, conflicts …).
    #[ts(type = "Record<string, number>")]
    pub counts: std::collections::BTreeMap<String, i64>,
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn frequencies_are_read_and_warned_about_below_thirty_minutes() {
        assert_eq!(Frequency::parse("90m").unwrap().minutes(), 90);
        assert_eq!(Frequency::parse("2h").unwrap().minutes(), 120);
        assert_eq!(Frequency::parse("1 day").unwrap().minutes(), 1440);
        assert_eq!(Frequency::parse("45").unwrap().minutes(), 45);
        assert!(Frequency::parse("0m").is_err());
        assert!(Frequency::parse("often").is_err());
        assert!(
            Frequency::parse("15m")
                .unwrap()
                .warning()
                .unwrap()
                .contains("30 minutes")
        );
        assert_eq!(
            Frequency::parse("30m").unwrap().warning(),
            None,
            "30 minutes is fine"
        );
    }

    #[test]
    fn a_spec_is_checked_before_it_is_stored() {
        let spec = JobSpec {
            name: "  Sync  ".into(),
            kind: JobKind::SynchronizeOffice365Calendars,
            frequency: Frequency {
                every: 1,
                unit: FrequencyUnit::Hours,
            },
            enabled: true,
            active_hours: None,
            scope: JobScope::AllResources,
            notify: FailureNotice {
                emails: vec!["it@contoso.example".into(), "it@contoso.example".into()],
                ..Default::default()
            },
        };
        let checked = spec.clone().validate().unwrap();
        assert_eq!(checked.name, "Sync");
        assert_eq!(checked.notify.emails.len(), 1);
        let bad = JobSpec {
            notify: FailureNotice {
                emails: vec!["nope".into()],
                ..Default::default()
            },
            ..spec.clone()
        };
        assert_eq!(bad.validate().unwrap_err().code(), ErrorCode::InvalidEmail);
        let bad = JobSpec {
            active_hours: Some(ActiveHours {
                from_hour: 8,
                to_hour: 8,
            }),
            ..spec
        };
        assert!(bad.validate().is_err());
    }
}
