//! What the window may send, fed anything (the fuzz target `window_inputs` and its stable twin in
//! `tests/it/parsers_never_panic.rs`): an appointment, a job's spec and the organisation's settings
//! as JSON. Nothing panics, and whatever the core accepts it reads back whole — a value stored
//! that a listing or a sync could not read would break them for good. And what the store reads
//! back from the database (settings, a job's JSON, a run's summary), fed anything as a damaged
//! or older database may hold it (`stored_values`): never a panic. Not part of the API.

// A panic here is the finding the fuzzer reports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};

use crate::Store;
use crate::model::{AppointmentInput, JobSpec, NewResource, OrgSettings, ResourceKind};
use crate::store::AppointmentQuery;

/// Reads `data` as each of the window's inputs and checks the invariants above; panics (a
/// finding) when one does not hold.
pub fn window_inputs(data: &[u8]) {
    let now = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap();
    let mut store = Store::open_in_memory().expect("a store in memory");
    let resource = store
        .add_resource(
            NewResource {
                name: "Ada".into(),
                email: None,
                kind: ResourceKind::Person,
                colour: None,
                hours: None,
            },
            now,
        )
        .expect("a resource");
    if let Ok(mut input) = serde_json::from_slice::<AppointmentInput>(data) {
        input.resource_id = resource.id;
        if let Ok(created) = store.create_appointment(input, now) {
            let read = store
                .appointment(created.id)
                .expect("an accepted appointment reads back");
            assert_eq!(read.when, created.when, "its time reads back as stored");
            let listed = store
                .list_appointments(AppointmentQuery {
                    resource: Some(resource.id),
                    ..Default::default()
                })
                .expect("the listing reads every accepted appointment");
            assert!(listed.iter().any(|a| a.id == created.id), "it is listed");
        }
    }
    if let Ok(spec) = serde_json::from_slice::<JobSpec>(data)
        && crate::api::add_job(&mut store, spec, now).is_ok()
    {
        store.list_jobs().expect("an accepted job reads back");
    }
    if let Ok(settings) = serde_json::from_slice::<OrgSettings>(data)
        && let Ok(settings) = settings.validate()
    {
        let _ = settings.allows(crate::model::Direction::UpAndDown);
    }
}

/// Every setting the store reads, a job's settings and notice addresses, and a run's summary,
/// holding `data` as text: each reader answers (an error is fine), none panics.
pub fn stored_values(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap();
    let mut store = Store::open_in_memory().expect("a store in memory");
    let job = crate::api::add_job(
        &mut store,
        JobSpec {
            name: "Synchronize Office365 Calendars".into(),
            kind: crate::model::JobKind::SynchronizeOffice365Calendars,
            frequency: crate::model::Frequency {
                every: 15,
                unit: crate::model::FrequencyUnit::Minutes,
            },
            enabled: true,
            active_hours: None,
            scope: Default::default(),
            notify: Default::default(),
        },
        now,
    )
    .expect("a job");
    let conn = store.connection();
    for key in [
        "identity.authority",
        "identity.browser_authority",
        "identity.tenant",
        "identity.client_id",
        "graph.url",
        "identity.ca_cert",
        "installation.id",
        "scheduler.display_time_zone",
        "display.locale",
        "display.hour_cycle",
        "org.tenant",
        "org.client_id",
        "org.secret_expires",
        "org.directions",
        "org.credential",
        "org.certificate",
        "planner.administrator",
        "jobs.background_paused",
        "mail.smtp",
    ] {
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, text),
        )
        .expect("a setting is written");
    }
    conn.execute(
        "UPDATE jobs SET settings = ?1, notify_emails = ?1 WHERE id = ?2",
        (text, job.id),
    )
    .expect("the job's JSON is written");
    conn.execute(
        "INSERT INTO job_runs (job_id, started_at, finished_at, result, summary)
         VALUES (?1, ?2, ?2, 'failed', ?3)",
        (job.id, "2026-03-29T01:00:00Z", text),
    )
    .expect("a run is written");
    let _ = store.endpoint_settings();
    let _ = store.display_time_zone();
    let _ = store.date_format();
    let _ = store.org_settings();
    let _ = store.org_certificate_pem();
    let _ = store.planner();
    let _ = store.is_administrator();
    let _ = store.background_paused();
    let _ = store.smtp_settings();
    let _ = store.installation_id();
    let _ = store.list_jobs();
    let _ = store.job_runs(job.id, 10);
    let _ = crate::identity::organisation::org_expiry_warning(&store, now.date_naive());
}
