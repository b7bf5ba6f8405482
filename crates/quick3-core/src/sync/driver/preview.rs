//! A dry run's preview: each change the sync would make, built as its journal line would be
//! (`journal`'s hooks) and kept in the summary's `preview`, a private or confidential
//! appointment named by its time only; the deletions the mass-deletion guard holds back are
//! listed too, marked `held_back`, and counted nowhere.

use super::Run;
use super::undo::name_of;
use crate::model::{JournalChange, PreviewChange};

impl Run<'_, '_> {
    /// Adds a change the dry run would make to the preview.
    pub(super) fn preview(&mut self, change: &JournalChange) {
        let private = change.is_private();
        let Some(shown) = change.after.as_ref().or(change.before.as_ref()) else {
            return;
        };
        let fields = change
            .fields
            .iter()
            .filter(|f| !private || f.shown_of_private())
            .cloned()
            .collect();
        self.summary.preview.push(PreviewChange {
            appointment: change.appointment,
            name: name_of(shown),
            side: change.side,
            kind: change.kind,
            fields,
            held_back: self.holding_back,
        });
    }
}
