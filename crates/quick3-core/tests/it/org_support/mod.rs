//! Set-up shared by the organisation-mode tests (organisation.rs, organisation_certificate.rs):
//! a resource linked Down to an organisation mailbox, and the "Linked calendars" sync job run at
//! a chosen time through a second connection to the database, as the scheduler runs it.

// Not every test file uses every helper; helpers unwrap: a failure is the test failing.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use quick3_core::Store;
use quick3_core::api::organisation::link_mailbox;
use quick3_core::identity::Credentials;
use quick3_core::ids::{JobId, ResourceId};
use quick3_core::jobs::{RunReport, run_job, work};
use quick3_core::model::{
    Direction, FailureNotice, Frequency, FrequencyUnit, JobKind, JobScope, JobSpec, NewOrgLink,
};

use crate::sync_support::World;

/// Links `room` Down to the organisation mailbox `mailbox` (an Object ID or an e-mail).
pub async fn link_down(world: &mut World, room: ResourceId, mailbox: &str, at: DateTime<Utc>) {
    link_mailbox(
        &mut world.store,
        &world.credentials,
        NewOrgLink {
            resource_id: room,
            mailbox: mailbox.into(),
            direction: Direction::Down,
            calendars: vec![],
        },
        at,
    )
    .await
    .unwrap();
}

/// The calendar sync job of every resource, every 15 minutes, failures mailed to
/// it@contoso.example.
pub struct SyncJob {
    path: PathBuf,
    jobs: Mutex<Store>,
    job: JobId,
}

impl SyncJob {
    pub fn add(world: &mut World, name: &str, at: DateTime<Utc>) -> SyncJob {
        let job = quick3_core::api::add_job(
            &mut world.store,
            JobSpec {
                name: name.into(),
                kind: JobKind::SynchronizeOffice365Calendars,
                frequency: Frequency {
                    every: 15,
                    unit: FrequencyUnit::Minutes,
                },
                enabled: true,
                active_hours: None,
                scope: JobScope::AllResources,
                notify: FailureNotice {
                    emails: vec!["it@contoso.example".into()],
                    ..FailureNotice::default()
                },
            },
            at,
        )
        .unwrap();
        let path = world.store.path().unwrap().to_path_buf();
        let jobs = Mutex::new(Store::open(&path).unwrap());
        SyncJob {
            path,
            jobs,
            job: job.id,
        }
    }

    /// Runs the job with the clock at `at` (UTC), as the scheduler would.
    pub async fn run_at(&self, credentials: &Credentials, at: DateTime<Utc>) -> RunReport {
        let clock = move || at;
        let path = &self.path;
        run_job(
            &self.jobs,
            self.job,
            clock,
            chrono_tz::UTC,
            |job| async move { work::run(path, credentials, &job, &clock).await },
        )
        .await
        .unwrap()
        .unwrap()
    }
}
