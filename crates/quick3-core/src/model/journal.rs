//! The sync journal's domain: a run of one account's sync (its trigger, outcome and counts) and
//! each change it made on either side, with the fields that changed and whole snapshots.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::appointment::{AppointmentRecord, Sensitivity};
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, AppointmentId, ResourceId, SyncRunId};

/// How a change to another resource's private appointment is named wherever the journal is
/// shown: the window, `quick3 sync log`, a failed job's mail.
pub const PRIVATE_IN_JOURNAL: &str = "A private appointment";

macro_rules! word_enum {
    ($(#[$doc:meta])* $ty:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export)]
        pub enum $ty {
            $($(#[$vdoc])* $variant),*
        }

        impl $ty {
            /// The word the store keeps.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),* }
            }

            /// Reads the word the store keeps.
            pub fn parse(text: &str) -> Result<Self> {
                match text {
                    $($text => Ok($ty::$variant),)*
                    other => Err(CoreError::Corrupt(format!(
                        "\"{other}\" is not a {} ({})", stringify!($ty), [$($text),*].join(", ")
                    ))),
                }
            }
        }
    };
}

word_enum!(
    /// What started a sync run.
    SyncTrigger {
        /// Sync Calendar in the window, `quick3 sync`, the tray's Sync now.
        Manual => "manual",
        /// An edit in the Scheduler, uploaded at once.
        AfterEdit => "after_edit",
        /// A scheduled job.
        Scheduled => "scheduled",
        /// A job of the organisation's linked mailboxes.
        Organisation => "organisation",
        /// Undo of an earlier run.
        Undo => "undo",
        /// The planner settled a sync conflict (Keep Quick3's, Outlook's or both): a run of its
        /// own, at once, with what the decision changed in Quick3.
        ConflictDecision => "conflict_decision",
    }
);

word_enum!(
    /// How a run ended. A run without an outcome never finished (it is under way, or the process
    /// stopped during it).
    RunOutcome {
        Succeeded => "succeeded",
        /// Something failed (the run's `error` says what); what it did before is journalled.
        Failed => "failed",
        /// The mass-deletion guard held the deletions back.
        MassDeleteBlocked => "mass_delete_blocked",
    }
);

word_enum!(
    /// The side a change was made on.
    ChangeSide {
        /// The appointment in Quick3 Planner (a pulled change).
        Quick3 => "quick3",
        /// The event in Outlook (an upload).
        Outlook => "outlook",
    }
);

word_enum!(
    ChangeKind {
        Created => "created",
        Updated => "updated",
        Deleted => "deleted",
    }
);

word_enum!(
    /// Why a sync made a change.
    ChangeCause {
        /// The event was changed (created, deleted) in Outlook; the sync brought it to Quick3.
        OutlookChanged => "outlook_changed",
        /// The appointment was changed in Quick3; the sync uploaded it.
        Quick3Changed => "quick3_changed",
        /// A deletion the mass-deletion guard held back until the planner allowed it.
        MassDeletionAllowed => "mass_deletion_allowed",
        /// Both sides changed, and the planner (or the policy) decided which version stays.
        ConflictDecided => "conflict_decided",
        /// An undo of an earlier run put it back.
        Undo => "undo",
    }
);

/// A synced field a change changed, with its values before and after in the record's words (an
/// empty text when the field was empty or the appointment did not exist on that side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldChange {
    /// `subject`, `start`, `end`, `all_day`, `time_zone`, `location`, `notes`, `categories`,
    /// `show_as`, `sensitivity`, `repeat` or `resource`.
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The fields of a private or confidential appointment's change that the journal and the
/// preview show the planner: what the Scheduler shows of another resource's (its time, show-as
/// and resource).
const SHOWN_OF_PRIVATE: &[&str] = &[
    "start",
    "end",
    "all_day",
    "time_zone",
    "show_as",
    "resource",
];

impl FieldChange {
    /// Whether this field is shown of a private or confidential appointment's change.
    pub fn shown_of_private(&self) -> bool {
        SHOWN_OF_PRIVATE.contains(&self.field.as_str())
    }
}

/// One change a sync made: what the store keeps (whole snapshots included, for Undo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalChange {
    pub appointment: AppointmentId,
    pub series_id: Option<AppointmentId>,
    pub original_start: Option<DateTime<Utc>>,
    pub resource_id: Option<ResourceId>,
    pub side: ChangeSide,
    pub kind: ChangeKind,
    pub cause: ChangeCause,
    pub account: AccountId,
    pub calendar_id: Option<String>,
    pub remote_id: Option<String>,
    pub change_key_before: Option<String>,
    pub change_key_after: Option<String>,
    pub fields: Vec<FieldChange>,
    /// The appointment before the change (`None` for one created).
    pub before: Option<AppointmentRecord>,
    /// …and after it (`None` for one deleted).
    pub after: Option<AppointmentRecord>,
}

impl JournalChange {
    /// The change from `before` to `after` (either may be missing: created, deleted), its
    /// changed fields computed here; `None` when both are missing.
    pub fn between(
        before: Option<AppointmentRecord>,
        after: Option<AppointmentRecord>,
        (side, kind, cause): (ChangeSide, ChangeKind, ChangeCause),
        account: AccountId,
    ) -> Option<JournalChange> {
        let any = after.as_ref().or(before.as_ref())?;
        Some(JournalChange {
            appointment: any.id,
            series_id: any.series_id,
            original_start: any.original_start,
            resource_id: Some(any.resource_id),
            side,
            kind,
            cause,
            account,
            calendar_id: None,
            remote_id: None,
            change_key_before: None,
            change_key_after: None,
            fields: changed_fields(before.as_ref(), after.as_ref()),
            before,
            after,
        })
    }

    /// Private or confidential on either side.
    pub fn is_private(&self) -> bool {
        [&self.before, &self.after].into_iter().flatten().any(|r| {
            matches!(
                r.sensitivity,
                Sensitivity::Private | Sensitivity::Confidential
            )
        })
    }
}

/// The synced fields that differ between two snapshots of an appointment (every field with a
/// value, for one created or deleted).
pub fn changed_fields(
    before: Option<&AppointmentRecord>,
    after: Option<&AppointmentRecord>,
) -> Vec<FieldChange> {
    let words = |r: Option<&AppointmentRecord>| -> Vec<(&'static str, String)> {
        let Some(r) = r else {
            return vec![];
        };
        vec![
            ("subject", r.title.clone()),
            ("start", r.start.clone()),
            ("end", r.end.clone()),
            ("all_day", if r.all_day { "yes" } else { "" }.to_owned()),
            ("time_zone", r.time_zone.clone().unwrap_or_default()),
            ("location", r.location.clone()),
            ("notes", r.notes.clone()),
            ("categories", r.categories.join(", ")),
            ("show_as", r.show_as.as_str().to_owned()),
            ("sensitivity", r.sensitivity.as_str().to_owned()),
            (
                "repeat",
                r.repeat_text.clone().unwrap_or_else(|| {
                    r.recurrence
                        .as_ref()
                        .map(|rec| rec.pattern.kind.clone())
                        .unwrap_or_default()
                }),
            ),
            ("resource", r.resource_id.to_string()),
        ]
    };
    let (b, a) = (words(before), words(after));
    let names = if b.is_empty() { &a } else { &b };
    names
        .iter()
        .enumerate()
        .filter_map(|(i, (field, _))| {
            let before = b.get(i).map(|(_, v)| v.clone()).unwrap_or_default();
            let after = a.get(i).map(|(_, v)| v.clone()).unwrap_or_default();
            (before != after).then(|| FieldChange {
                field: (*field).to_owned(),
                before,
                after,
            })
        })
        .collect()
}

/// A run as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct JournalRun {
    pub id: SyncRunId,
    pub account_id: AccountId,
    pub email: String,
    pub trigger: SyncTrigger,
    pub started_at: DateTime<Utc>,
    /// `None`: under way, or the process stopped during it.
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<RunOutcome>,
    pub error: Option<String>,
    pub created: u32,
    pub updated: u32,
    pub deleted: u32,
    pub conflicts: u32,
    /// The run this one undid, for an undo.
    pub undoes_run: Option<SyncRunId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Appointment, ShowAs, When};

    fn visit(start: &str, end: &str) -> Appointment {
        let now = Utc::now();
        Appointment {
            id: AppointmentId::new(),
            resource_id: ResourceId(1),
            title: "Visit".into(),
            when: When::parse(false, start, Some(end), "Europe/Amsterdam").unwrap(),
            location: "Room 1".into(),
            notes: String::new(),
            categories: vec![],
            show_as: Default::default(),
            sensitivity: Default::default(),
            origin: crate::model::Origin::Quick3,
            recurrence: None,
            series_id: None,
            original_start: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_move_changes_start_and_end_only_and_a_creation_every_field_with_a_value() {
        let before = visit("2026-03-02T09:00", "2026-03-02T10:00");
        let mut after = before.clone();
        after.when = When::parse(
            false,
            "2026-03-02T10:00",
            Some("2026-03-02T11:00"),
            "Europe/Amsterdam",
        )
        .unwrap();
        let moved = JournalChange::between(
            Some(AppointmentRecord::from(&before)),
            Some(AppointmentRecord::from(&after)),
            (
                ChangeSide::Quick3,
                ChangeKind::Updated,
                ChangeCause::OutlookChanged,
            ),
            AccountId(1),
        )
        .unwrap();
        let fields: Vec<(&str, &str, &str)> = moved
            .fields
            .iter()
            .map(|f| (f.field.as_str(), f.before.as_str(), f.after.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                (
                    "start",
                    "2026-03-02T09:00:00+01:00",
                    "2026-03-02T10:00:00+01:00"
                ),
                (
                    "end",
                    "2026-03-02T10:00:00+01:00",
                    "2026-03-02T11:00:00+01:00"
                ),
            ],
            "a move names the times before and after, nothing else"
        );
        let created = changed_fields(None, Some(&AppointmentRecord::from(&before)));
        let names: Vec<&str> = created.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "subject",
                "start",
                "end",
                "time_zone",
                "location",
                "show_as",
                "sensitivity",
                "resource"
            ],
            "a creation lists the fields that have a value, each from empty"
        );
    }

    #[test]
    fn a_private_change_shows_its_time_show_as_and_resource_only() {
        let before = visit("2026-03-02T09:00", "2026-03-02T10:00");
        let mut after = visit("2026-03-02T10:00", "2026-03-02T11:00");
        after.title = "Doctor".into();
        after.location = "Clinic".into();
        after.notes = "Bring the letter".into();
        after.show_as = ShowAs::Oof;
        after.resource_id = ResourceId(2);
        let fields = changed_fields(
            Some(&AppointmentRecord::from(&before)),
            Some(&AppointmentRecord::from(&after)),
        );
        let shown: Vec<&str> = fields
            .iter()
            .filter(|f| f.shown_of_private())
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(
            shown,
            ["start", "end", "show_as", "resource"],
            "of another resource's private appointment the planner sees what the Scheduler \
             shows: never its subject, location or notes"
        );
    }

    #[test]
    fn every_word_reads_back() {
        for cause in [
            ChangeCause::OutlookChanged,
            ChangeCause::Quick3Changed,
            ChangeCause::MassDeletionAllowed,
            ChangeCause::ConflictDecided,
            ChangeCause::Undo,
        ] {
            assert_eq!(ChangeCause::parse(cause.as_str()).unwrap(), cause);
        }
        assert!(
            SyncTrigger::parse("sometimes").is_err(),
            "an unknown word is an error"
        );
    }
}
