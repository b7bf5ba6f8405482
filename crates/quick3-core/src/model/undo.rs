//! Undo of a sync run and a sync's preview, as the planner sees them: what an undo does (or
//! skips, and why) to each appointment the run changed, and what a sync would change now.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::journal::{ChangeKind, ChangeSide, FieldChange};
use crate::ids::AppointmentId;

/// What an undo does to one appointment the run changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UndoAction {
    /// Changed by the run: put back as it was, in Quick3 and (for Quick3's own appointment)
    /// in Outlook.
    PutBack,
    /// Created by the run: deleted again (in Outlook too, for one the run uploaded).
    Remove,
    /// Deleted by the run: back in Quick3 and, through the upload, in Outlook as a new event.
    Recreate,
    /// Not undone; `reason` says why.
    Skip,
}

/// One appointment of an undo: the run's change, what the undo does, in one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UndoItem {
    pub appointment: AppointmentId,
    /// "“Visit” (2026-03-02T09:00:00+01:00)", or "A private appointment (…)".
    pub name: String,
    /// The side and kind of the run's (first) change to it.
    pub side: ChangeSide,
    pub kind: ChangeKind,
    pub action: UndoAction,
    /// Why it is skipped (only with [`UndoAction::Skip`]).
    pub reason: Option<String>,
    /// What the undo does, in plain words.
    pub sentence: String,
}

/// One change a sync would make now (its preview).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviewChange {
    pub appointment: AppointmentId,
    pub name: String,
    pub side: ChangeSide,
    pub kind: ChangeKind,
    /// The synced fields it would change, before and after (of a private one, as the journal
    /// shows it).
    pub fields: Vec<FieldChange>,
    /// A deletion the mass-deletion guard would hold back (the question lists these).
    pub held_back: bool,
}
