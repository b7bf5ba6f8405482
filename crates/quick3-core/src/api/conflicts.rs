//! Sync conflicts at the boundary: the open ones with both versions and the fields in which they
//! differ (`quick3 sync conflicts`, the window's conflict dialog), and the planner's choice
//! (`quick3 sync resolve`), with the sentence that says what it did.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::ids::{AppointmentId, ResourceId};
use crate::model::{
    Appointment, ConflictField, ConflictVersion, Content, Keep, PRIVATE_TITLE, Sensitivity,
    same_pattern,
};
use crate::store::Store;
use crate::store::conflicts::{Settled, StoredConflict};
use crate::sync::crash::{self, Step};

/// An open conflict: the appointment (or a Quick3 series' master, with its pattern) changed both
/// in Quick3 and in the account's Outlook since the last sync; neither version is overwritten
/// until the planner chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConflictRecord {
    /// What `quick3 sync resolve` and the window's buttons name it by.
    #[ts(type = "number")]
    pub id: i64,
    pub appointment_id: AppointmentId,
    pub resource_id: ResourceId,
    /// Set on an occurrence of a series made in Quick3 changed on its own.
    pub series_id: Option<AppointmentId>,
    /// The e-mail of the account whose Outlook holds the other version.
    pub account: String,
    pub detected_at: DateTime<Utc>,
    /// The conflict fields in which the versions differ (in the window, only these are marked).
    pub fields: Vec<ConflictField>,
    pub quick3: ConflictVersion,
    pub outlook: ConflictVersion,
}

/// What settling a conflict did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConflictOutcome {
    #[ts(type = "number")]
    pub conflict: i64,
    pub keep: Keep,
    pub appointment_id: AppointmentId,
    /// Keep both: the new appointment holding Quick3's version.
    pub copy_id: Option<AppointmentId>,
    /// It had been settled this way already; nothing was done again.
    pub already: bool,
    /// One plain sentence for the planner.
    pub message: String,
}

/// The open conflicts in full (the CLI, run by whoever holds the data folder).
pub fn sync_conflicts(store: &Store) -> Result<Vec<ConflictRecord>> {
    conflicts_seen_by(store, None)
}

/// The open conflicts as the planner may see them: another resource's private and confidential
/// appointments without their subject, location and notes (as in the Scheduler).
pub fn planner_conflicts(store: &Store) -> Result<Vec<ConflictRecord>> {
    let mine = store.planner()?.my_resource_id;
    conflicts_seen_by(store, Some(mine))
}

/// `viewer`: `None` shows everything; `Some(my resource)` hides what the planner may not see.
fn conflicts_seen_by(
    store: &Store,
    viewer: Option<Option<ResourceId>>,
) -> Result<Vec<ConflictRecord>> {
    let mut records = Vec::new();
    for conflict in store.open_conflicts()? {
        let Ok(appointment) = store.appointment(conflict.appointment) else {
            // Deleted locally meanwhile: the next sync sends the deletion and settles it.
            continue;
        };
        let Ok(outlook) = conflict.outlook.content() else {
            tracing::warn!("conflict {} has an unreadable version", conflict.id);
            continue;
        };
        let record = record_of(&conflict, &appointment, &outlook);
        records.push(match viewer {
            Some(mine) if hidden_from(&appointment, mine) => hide(record),
            _ => record,
        });
    }
    Ok(records)
}

fn record_of(
    conflict: &StoredConflict,
    appointment: &Appointment,
    outlook: &Content,
) -> ConflictRecord {
    let quick3 = Content::of(appointment);
    // A series master's pattern is weighed beside its content.
    let series = appointment
        .recurrence
        .as_ref()
        .filter(|_| appointment.series_id.is_none());
    let mut fields = quick3.conflicting_fields(outlook);
    if series.is_some() && !same_pattern(series, conflict.outlook.recurrence.as_ref()) {
        fields.push(ConflictField::Pattern);
    }
    ConflictRecord {
        id: conflict.id,
        appointment_id: appointment.id,
        resource_id: appointment.resource_id,
        series_id: appointment.series_id,
        account: conflict.email.clone(),
        detected_at: conflict.detected_at,
        fields,
        quick3: ConflictVersion::of_series(&quick3, series),
        outlook: ConflictVersion::of_series(outlook, conflict.outlook.recurrence.as_ref()),
    }
}

fn hidden_from(appointment: &Appointment, mine: Option<ResourceId>) -> bool {
    matches!(
        appointment.sensitivity,
        Sensitivity::Private | Sensitivity::Confidential
    ) && Some(appointment.resource_id) != mine
}

fn hide(mut record: ConflictRecord) -> ConflictRecord {
    for version in [&mut record.quick3, &mut record.outlook] {
        version.title = PRIVATE_TITLE.into();
        version.location.clear();
        version.notes.clear();
        version.categories.clear();
    }
    record
}

/// Settles conflict `id` the planner's way, once: the store's one transaction (with the crash
/// point `conflict-resolving` inside it); a repeat of the same choice does nothing again. What
/// goes to Outlook goes through the outbox at the next sync.
pub fn resolve_conflict(
    store: &mut Store,
    id: i64,
    keep: Keep,
    now: DateTime<Utc>,
) -> Result<ConflictOutcome> {
    let appointment = store
        .conflict(id)
        .and_then(|c| store.appointment(c.appointment));
    let series = appointment
        .as_ref()
        .is_ok_and(|a| a.recurrence.is_some() && a.series_id.is_none());
    let name = appointment.map(|a| a.message_name());
    let Settled { conflict, already } =
        store.resolve_conflict(id, keep, now, || crash::point(Step::ConflictResolving))?;
    let name = name.unwrap_or_else(|_| "The appointment".into());
    Ok(ConflictOutcome {
        conflict: conflict.id,
        keep,
        appointment_id: conflict.appointment,
        copy_id: conflict.copy,
        already,
        message: outcome_message(&name, &conflict.email, (keep, series), already),
    })
}

/// What settling did, in one sentence.
fn outcome_message(name: &str, email: &str, (keep, series): (Keep, bool), already: bool) -> String {
    let done = match keep {
        Keep::Both if series => format!(
            "{name} now holds Outlook's version ({email}); a second series holds Quick3 \
             Planner's and goes to Outlook as a new series at the next sync."
        ),
        Keep::Quick3 => format!(
            "{name} keeps Quick3 Planner's version; Outlook ({email}) gets it at the next sync."
        ),
        Keep::Outlook => format!("{name} now holds Outlook's version ({email})."),
        Keep::Both => format!(
            "{name} now holds Outlook's version ({email}); a second appointment holds Quick3 \
             Planner's and goes to Outlook as a new event at the next sync."
        ),
    };
    if already {
        format!("This conflict was settled so already: {done}")
    } else {
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppointmentInput, Direction, NewAccount};
    use crate::store::conflicts::ConflictHold;
    use crate::store::fixtures::store_with_ada;

    #[test]
    fn another_resources_private_conflict_shows_no_details_to_the_planner() {
        let (mut store, ada) = store_with_ada();
        let now = Utc::now();
        // The planner's own resource is another person.
        let me = store
            .add_resource(
                crate::model::NewResource {
                    name: "Grace".into(),
                    email: None,
                    kind: crate::model::ResourceKind::Person,
                    colour: None,
                    hours: None,
                },
                now,
            )
            .unwrap()
            .id;
        store.set_my_resource(me).unwrap();
        let account = store
            .add_account(
                NewAccount {
                    resource_id: ada,
                    email: "ada@contoso.example".into(),
                    direction: Direction::UpAndDown,
                    scopes: vec![],
                },
                now,
            )
            .unwrap();
        let private = store
            .create_appointment(
                AppointmentInput {
                    resource_id: ada,
                    title: "Salary talk".into(),
                    all_day: false,
                    start: "2026-12-14T09:00".into(),
                    end: Some("2026-12-14T10:00".into()),
                    time_zone: None,
                    location: Some("HR".into()),
                    notes: None,
                    categories: vec![],
                    show_as: None,
                    sensitivity: Some(Sensitivity::Private),
                },
                now,
            )
            .unwrap();
        let outlook = Content {
            title: "Salary talk (moved)".into(),
            ..Content::of(&private)
        };
        store
            .hold_conflict(
                &ConflictHold {
                    appointment: private.id,
                    account: account.id,
                    remote_key: "e1".into(),
                    remote_id: "e1".into(),
                    change_key: None,
                    remote_hash: outlook.hash(),
                    outlook,
                    recurrence: None,
                },
                now,
            )
            .unwrap();
        let full = sync_conflicts(&store).unwrap();
        assert_eq!(
            full[0].outlook.title, "Salary talk (moved)",
            "the CLI sees all"
        );
        let seen = planner_conflicts(&store).unwrap();
        assert_eq!(
            seen[0].fields,
            [ConflictField::Subject],
            "what differs is still said"
        );
        for version in [&seen[0].quick3, &seen[0].outlook] {
            assert_eq!(
                (version.title.as_str(), version.location.as_str()),
                (PRIVATE_TITLE, ""),
                "another resource's private appointment keeps its details to itself"
            );
        }
    }

    #[test]
    fn each_choice_says_what_it_did() {
        let cases = [
            (
                Keep::Quick3,
                false,
                "“Visit” keeps Quick3 Planner's version; Outlook (ann@example.com) gets it at \
                 the next sync.",
            ),
            (
                Keep::Outlook,
                false,
                "“Visit” now holds Outlook's version (ann@example.com).",
            ),
            (
                Keep::Both,
                false,
                "“Visit” now holds Outlook's version (ann@example.com); a second appointment \
                 holds Quick3 Planner's and goes to Outlook as a new event at the next sync.",
            ),
            (
                Keep::Outlook,
                true,
                "This conflict was settled so already: “Visit” now holds Outlook's version \
                 (ann@example.com).",
            ),
        ];
        for (keep, already, expected) in cases {
            assert_eq!(
                outcome_message("“Visit”", "ann@example.com", (keep, false), already),
                expected,
                "{keep:?}"
            );
        }
    }
}
