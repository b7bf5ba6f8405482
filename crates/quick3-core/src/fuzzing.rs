//! What the window may send, fed anything (the fuzz target `window_inputs` and its stable twin in
//! `tests/parsers_never_panic.rs`): an appointment, a job's spec and the organisation's settings
//! as JSON. Nothing panics, and whatever the core accepts it reads back whole — a value stored
//! that a listing or a sync could not read would break them for good. Not part of the API.

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
