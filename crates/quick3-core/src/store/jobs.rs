//! Scheduled jobs and their runs in the store. A job has at most one run going at a time; a run
//! left "running" by a process that died is closed as interrupted.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use super::{Store, utc_text};
use crate::error::{CoreError, Result};
use crate::ids::{JobId, JobRunId};
use crate::model::{
    ActiveHours, FailureNotice, Frequency, FrequencyUnit, Job, JobKind, JobRun, JobRunResult,
    JobScope, JobSpec,
};

const BACKGROUND_PAUSED: &str = "jobs.background_paused";

/// A run still marked running after this long was left by a process that died.
const STALE_RUN_HOURS: i64 = 6;

/// The error of a run whose process stopped while it ran (crashed, killed, or failed to record
/// its end).
pub const INTERRUPTED_RUN: &str =
    "The run was interrupted: the app or daemon running it stopped before it finished.";

/// What the `settings` column holds.
#[derive(Debug, Serialize, Deserialize)]
struct Settings {
    unit: FrequencyUnit,
    every: u32,
    active_hours: Option<ActiveHours>,
    #[serde(default)]
    scope: JobScope,
    after_failures: u32,
    when_sign_in_needed: bool,
}

fn corrupt(e: impl std::fmt::Display) -> CoreError {
    CoreError::Corrupt(e.to_string())
}

impl Store {
    /// Adds a job; its first run is one interval from `now` (the first sync is made by hand).
    pub fn add_job(
        &mut self,
        spec: JobSpec,
        next_run_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Job> {
        let spec = spec.validate()?;
        let (settings, emails) = encode(&spec)?;
        self.conn.execute(
            "INSERT INTO jobs (name, kind, frequency_minutes, enabled, settings, notify_emails, next_run_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                spec.name,
                spec.kind.as_str(),
                spec.frequency.minutes(),
                spec.enabled,
                settings,
                emails,
                utc_text(next_run_at),
                utc_text(now)
            ],
        )?;
        self.job(JobId(self.conn.last_insert_rowid()))
    }

    /// Replaces a job's spec; `next_run_at` is recomputed by the caller when the schedule changed.
    pub fn edit_job(
        &mut self,
        id: JobId,
        spec: JobSpec,
        next_run_at: Option<DateTime<Utc>>,
    ) -> Result<Job> {
        self.job(id)?;
        let spec = spec.validate()?;
        let (settings, emails) = encode(&spec)?;
        self.conn.execute(
            "UPDATE jobs SET name = ?2, kind = ?3, frequency_minutes = ?4, enabled = ?5, settings = ?6,
                 notify_emails = ?7, next_run_at = coalesce(?8, next_run_at)
             WHERE id = ?1",
            params![
                id,
                spec.name,
                spec.kind.as_str(),
                spec.frequency.minutes(),
                spec.enabled,
                settings,
                emails,
                next_run_at.map(utc_text)
            ],
        )?;
        self.job(id)
    }

    pub fn remove_job(&mut self, id: JobId) -> Result<()> {
        if self.conn.execute("DELETE FROM jobs WHERE id = ?1", [id])? == 0 {
            return Err(CoreError::UnknownJob {
                reference: id.to_string(),
            });
        }
        Ok(())
    }

    /// Moves a job's next run (Run now: `now`).
    pub fn set_job_next_run(&mut self, id: JobId, at: DateTime<Utc>) -> Result<()> {
        if self.conn.execute(
            "UPDATE jobs SET next_run_at = ?2 WHERE id = ?1",
            params![id, utc_text(at)],
        )? == 0
        {
            return Err(CoreError::UnknownJob {
                reference: id.to_string(),
            });
        }
        Ok(())
    }

    pub fn job(&self, id: JobId) -> Result<Job> {
        let row = self
            .conn
            .query_row(
                "SELECT id, name, kind, enabled, settings, notify_emails, next_run_at FROM jobs WHERE id = ?1",
                [id],
                job_row,
            )
            .optional()?
            .ok_or_else(|| CoreError::UnknownJob { reference: id.to_string() })?;
        self.complete_job(row)
    }

    pub fn list_jobs(&self) -> Result<Vec<Job>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, kind, enabled, settings, notify_emails, next_run_at FROM jobs ORDER BY name COLLATE NOCASE, id",
        )?;
        let rows = stmt
            .query_map([], job_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|row| self.complete_job(row)).collect()
    }

    /// Finds a job by id or name.
    pub fn find_job(&self, reference: &str) -> Result<Job> {
        if let Ok(id) = reference.trim().parse::<i64>()
            && let Ok(job) = self.job(JobId(id))
        {
            return Ok(job);
        }
        self.list_jobs()?
            .into_iter()
            .find(|j| j.spec.name.eq_ignore_ascii_case(reference.trim()))
            .ok_or_else(|| CoreError::UnknownJob {
                reference: reference.trim().to_owned(),
            })
    }

    fn complete_job(&self, row: JobRow) -> Result<Job> {
        let (id, spec, next_run_at) = row?;
        let runs = self.job_runs(id, 50)?;
        let consecutive_failures = runs
            .iter()
            .filter(|r| r.result != JobRunResult::Running)
            .take_while(|r| r.result == JobRunResult::Failed)
            .count() as u32;
        Ok(Job {
            id,
            frequency_warning: spec.frequency.warning(),
            spec,
            next_run_at,
            last_run: runs.into_iter().next(),
            consecutive_failures,
        })
    }

    /// The newest runs of a job first.
    pub fn job_runs(&self, job: JobId, limit: usize) -> Result<Vec<JobRun>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, job_id, started_at, finished_at, result, summary, error FROM job_runs
             WHERE job_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![job, limit as i64], run_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .collect()
    }

    /// Whether the planner paused background runs (the tray's "Pause background sync"); kept
    /// across restarts.
    pub fn background_paused(&self) -> Result<bool> {
        Ok(self.setting(BACKGROUND_PAUSED)?.as_deref() == Some("true"))
    }

    pub fn set_background_paused(&mut self, paused: bool) -> Result<()> {
        self.set_setting(BACKGROUND_PAUSED, paused.then_some("true"))
    }

    /// Closes every run of the job still marked running as failed: interrupted. Called by a
    /// process that holds the job's run lock, so no live process owns those runs any more.
    /// Answers how many were closed.
    pub fn close_interrupted_job_runs(&mut self, job: JobId, now: DateTime<Utc>) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE job_runs SET result = 'failed', finished_at = ?2, error = ?3
             WHERE job_id = ?1 AND result = 'running'",
            params![job, utc_text(now), INTERRUPTED_RUN],
        )?)
    }

    /// Starts a run unless one is going (no overlapping runs of a job). A run left running by a
    /// process that died long ago is closed as interrupted first (stores without a file, which
    /// have no run lock; see [`Store::close_interrupted_job_runs`]).
    pub fn start_job_run(&mut self, job: JobId, now: DateTime<Utc>) -> Result<Option<JobRunId>> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE job_runs SET result = 'failed', finished_at = ?2, error = ?4
             WHERE job_id = ?1 AND result = 'running' AND started_at < ?3",
            params![
                job,
                utc_text(now),
                utc_text(now - Duration::hours(STALE_RUN_HOURS)),
                INTERRUPTED_RUN
            ],
        )?;
        let running: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM job_runs WHERE job_id = ?1 AND result = 'running')",
            [job],
            |row| row.get(0),
        )?;
        if running {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO job_runs (job_id, started_at, result) VALUES (?1, ?2, 'running')",
            params![job, utc_text(now)],
        )?;
        let id = JobRunId(tx.last_insert_rowid());
        tx.commit()?;
        Ok(Some(id))
    }

    /// Ends a run and sets the job's next run, in one transaction.
    pub fn finish_job_run(
        &mut self,
        run: JobRunId,
        succeeded: bool,
        counts: &BTreeMap<String, i64>,
        error: Option<&str>,
        now: DateTime<Utc>,
        next_run_at: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        let summary = serde_json::to_string(counts).map_err(corrupt)?;
        let result = if succeeded {
            JobRunResult::Succeeded
        } else {
            JobRunResult::Failed
        };
        tx.execute(
            "UPDATE job_runs SET finished_at = ?2, result = ?3, summary = ?4, error = ?5 WHERE id = ?1",
            params![run, utc_text(now), result.as_str(), summary, error],
        )?;
        tx.execute(
            "UPDATE jobs SET next_run_at = ?2 WHERE id = (SELECT job_id FROM job_runs WHERE id = ?1)",
            params![run, utc_text(next_run_at)],
        )?;
        tx.commit()?;
        Ok(())
    }
}

type JobRow = Result<(JobId, JobSpec, Option<DateTime<Utc>>)>;

fn encode(spec: &JobSpec) -> Result<(String, String)> {
    let settings = Settings {
        unit: spec.frequency.unit,
        every: spec.frequency.every,
        active_hours: spec.active_hours,
        scope: spec.scope.clone(),
        after_failures: spec.notify.after_failures,
        when_sign_in_needed: spec.notify.when_sign_in_needed,
    };
    Ok((
        serde_json::to_string(&settings).map_err(corrupt)?,
        serde_json::to_string(&spec.notify.emails).map_err(corrupt)?,
    ))
}

fn job_row(row: &Row<'_>) -> rusqlite::Result<JobRow> {
    let id: JobId = row.get(0)?;
    let name: String = row.get(1)?;
    let kind: String = row.get(2)?;
    let enabled: bool = row.get(3)?;
    let settings: String = row.get(4)?;
    let emails: String = row.get(5)?;
    let next_run_at: Option<DateTime<Utc>> = row.get(6)?;
    Ok((|| {
        let settings: Settings = serde_json::from_str(&settings).map_err(corrupt)?;
        let spec = JobSpec {
            name,
            kind: JobKind::parse(&kind)?,
            frequency: Frequency {
                every: settings.every,
                unit: settings.unit,
            },
            enabled,
            active_hours: settings.active_hours,
            scope: settings.scope,
            notify: FailureNotice {
                emails: serde_json::from_str(&emails).map_err(corrupt)?,
                after_failures: settings.after_failures,
                when_sign_in_needed: settings.when_sign_in_needed,
            },
        };
        Ok((id, spec, next_run_at))
    })())
}

fn run_row(row: &Row<'_>) -> rusqlite::Result<Result<JobRun>> {
    let id: JobRunId = row.get(0)?;
    let job_id: JobId = row.get(1)?;
    let started_at: DateTime<Utc> = row.get(2)?;
    let finished_at: Option<DateTime<Utc>> = row.get(3)?;
    let result: String = row.get(4)?;
    let summary: String = row.get(5)?;
    let error: Option<String> = row.get(6)?;
    Ok((|| {
        Ok(JobRun {
            id,
            job_id,
            started_at,
            finished_at,
            result: JobRunResult::parse(&result)?,
            counts: serde_json::from_str(&summary).unwrap_or_default(),
            error,
        })
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> JobSpec {
        JobSpec {
            name: "Sync calendars".into(),
            kind: JobKind::SynchronizeOffice365Calendars,
            frequency: Frequency {
                every: 1,
                unit: FrequencyUnit::Hours,
            },
            enabled: true,
            active_hours: None,
            scope: JobScope::AllResources,
            notify: FailureNotice {
                emails: vec!["it@contoso.example".into()],
                after_failures: 2,
                when_sign_in_needed: true,
            },
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn jobs_round_trip_with_their_settings() {
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-11-24T10:00:00Z");
        let job = store
            .add_job(spec(), at("2026-11-24T11:00:00Z"), now)
            .unwrap();
        assert_eq!(job.spec, spec());
        assert_eq!(job.next_run_at, Some(at("2026-11-24T11:00:00Z")));
        assert_eq!(store.find_job("sync calendars").unwrap().id, job.id);
        let quick = JobSpec {
            frequency: Frequency {
                every: 10,
                unit: FrequencyUnit::Minutes,
            },
            ..spec()
        };
        let edited = store.edit_job(job.id, quick, None).unwrap();
        assert!(
            edited.frequency_warning.is_some(),
            "below 30 minutes the job carries the warning"
        );
    }

    #[test]
    fn runs_never_overlap_and_failures_are_counted_in_a_row() {
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-11-24T10:00:00Z");
        let job = store.add_job(spec(), now, now).unwrap();
        let run = store
            .start_job_run(job.id, now)
            .unwrap()
            .expect("the first run starts");
        assert_eq!(
            store.start_job_run(job.id, now).unwrap(),
            None,
            "a second run waits for the first"
        );
        store
            .finish_job_run(
                run,
                false,
                &BTreeMap::new(),
                Some("Microsoft could not be reached."),
                now,
                at("2026-11-24T11:00:00Z"),
            )
            .unwrap();
        let run = store
            .start_job_run(job.id, at("2026-11-24T11:00:00Z"))
            .unwrap()
            .unwrap();
        store
            .finish_job_run(
                run,
                false,
                &BTreeMap::new(),
                Some("again"),
                at("2026-11-24T11:00:05Z"),
                at("2026-11-24T12:00:00Z"),
            )
            .unwrap();
        let job = store.job(job.id).unwrap();
        assert_eq!(job.consecutive_failures, 2);
        assert_eq!(
            job.last_run.as_ref().unwrap().error.as_deref(),
            Some("again")
        );
        assert_eq!(job.next_run_at, Some(at("2026-11-24T12:00:00Z")));
        let run = store
            .start_job_run(job.id, at("2026-11-24T12:00:00Z"))
            .unwrap()
            .unwrap();
        let counts = BTreeMap::from([("added".to_owned(), 3)]);
        store
            .finish_job_run(
                run,
                true,
                &counts,
                None,
                at("2026-11-24T12:00:09Z"),
                at("2026-11-24T13:00:00Z"),
            )
            .unwrap();
        let job = store.job(job.id).unwrap();
        assert_eq!(job.consecutive_failures, 0, "a success ends the streak");
        assert_eq!(job.last_run.unwrap().counts["added"], 3);
    }

    #[test]
    fn the_background_pause_is_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let mut store = Store::open(&path).unwrap();
        assert!(!store.background_paused().unwrap());
        store.set_background_paused(true).unwrap();
        assert!(
            Store::open(&path).unwrap().background_paused().unwrap(),
            "kept across restarts"
        );
        store.set_background_paused(false).unwrap();
        assert!(!store.background_paused().unwrap());
    }

    #[test]
    fn a_run_left_by_a_dead_process_is_closed_as_interrupted() {
        let mut store = Store::open_in_memory().unwrap();
        let now = at("2026-11-24T10:00:00Z");
        let job = store.add_job(spec(), now, now).unwrap();
        store.start_job_run(job.id, now).unwrap().unwrap();
        let later = now + Duration::hours(STALE_RUN_HOURS + 1);
        assert!(store.start_job_run(job.id, later).unwrap().is_some());
        let runs = store.job_runs(job.id, 10).unwrap();
        assert_eq!(runs[1].result, JobRunResult::Failed);
        assert!(runs[1].error.as_deref().unwrap().contains("interrupted"));
    }
}
