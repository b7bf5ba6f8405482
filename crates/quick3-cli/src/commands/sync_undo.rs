//! `quick3 sync preview` and `quick3 sync undo RUN`: what a sync would change now, grouped by
//! side and kind; and the undo of a run (or with `--dry-run`, what it would do and what it
//! cannot undo), as plain text or `--json`.

use quick3_core::api::undo::{AccountPreview, preview_groups, preview_sync, undo_run};
use quick3_core::ids::SyncRunId;
use quick3_core::model::{ChangeKind, ChangeSide, FieldChange, UndoAction};
use quick3_core::sync::SyncSummary;

use super::Session;
use crate::args::{SyncPreviewArgs, SyncUndoArgs};
use crate::output;

pub fn preview(session: &mut Session, args: SyncPreviewArgs) -> anyhow::Result<()> {
    let scope = super::sync::scope(session, args.account.as_deref(), args.resource.as_deref())?;
    let credentials = session.credentials()?;
    let clock = chrono::Utc::now;
    let summaries = session.runtime.block_on(preview_sync(
        &mut session.store,
        &credentials,
        scope,
        &clock,
    ))?;
    if args.json {
        let grouped: Vec<AccountPreview> = summaries.iter().map(AccountPreview::from).collect();
        return output::json(&grouped);
    }
    for summary in &summaries {
        print_preview(summary);
    }
    if summaries.iter().any(|s| !s.errors.is_empty()) {
        anyhow::bail!("Some changes could not be previewed; see the errors above.");
    }
    Ok(())
}

/// A summary's preview, group by group, with the deletions the guard holds back marked.
pub(super) fn print_preview(summary: &SyncSummary) {
    let groups = preview_groups(&summary.preview);
    if groups.is_empty() {
        out!("{}: nothing to change.", output::plain(&summary.email));
    }
    for group in groups {
        out!(
            "{}: {} {} ({})",
            output::plain(&summary.email),
            side_word(group.side),
            kind_word(group.kind),
            group.changes.len()
        );
        for change in &group.changes {
            let held = if change.held_back {
                " [held back by the mass-deletion guard]"
            } else {
                ""
            };
            out!(
                "  {}{held}{}",
                output::plain(&change.name),
                fields_text(group.kind, &change.fields)
            );
        }
    }
    for error in &summary.errors {
        eprintln!("Error: {}", output::plain(error));
    }
}

fn side_word(side: ChangeSide) -> &'static str {
    match side {
        ChangeSide::Quick3 => "in Quick3 Planner,",
        ChangeSide::Outlook => "in Outlook,",
    }
}

fn kind_word(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Deleted => "deleted",
    }
}

/// ": subject A → B; start …" for an update; nothing for a creation or deletion.
fn fields_text(kind: ChangeKind, fields: &[FieldChange]) -> String {
    if kind != ChangeKind::Updated || fields.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = fields
        .iter()
        .map(|f| output::plain(&format!("{} {} → {}", f.field, f.before, f.after)).into_owned())
        .collect();
    format!(": {}", parts.join("; "))
}

pub fn undo(session: &mut Session, args: SyncUndoArgs) -> anyhow::Result<()> {
    let credentials = session.credentials()?;
    let clock = chrono::Utc::now;
    let run = SyncRunId(args.run);
    let summary = session.runtime.block_on(undo_run(
        &mut session.store,
        &credentials,
        run,
        args.dry_run,
        &clock,
    ))?;
    if args.json {
        output::json(&summary)?;
    } else {
        print_undo(run, &summary);
    }
    if !summary.errors.is_empty() {
        anyhow::bail!(
            "The undo could not finish; see the errors above. Run it again to finish it."
        );
    }
    Ok(())
}

fn print_undo(run: SyncRunId, summary: &SyncSummary) {
    let (done, skipped): (Vec<_>, Vec<_>) = summary
        .undo
        .iter()
        .partition(|i| i.action != UndoAction::Skip);
    let verb = if summary.dry_run {
        "would put back"
    } else {
        "put back"
    };
    out!(
        "Undo of run {run} ({}): {verb} {} appointment(s), {} cannot be undone.",
        output::plain(&summary.email),
        done.len(),
        skipped.len()
    );
    for item in &done {
        out!(
            "  {}: {}",
            output::plain(&item.name),
            output::plain(&item.sentence)
        );
    }
    if !skipped.is_empty() {
        out!("Not undone:");
        for item in &skipped {
            out!(
                "  {}: {}",
                output::plain(&item.name),
                output::plain(item.reason.as_deref().unwrap_or(""))
            );
        }
    }
    if !summary.dry_run {
        out!(
            "Its sync: {} added, {} updated, {} deleted (both sides).",
            summary.added,
            summary.updated,
            summary.deleted
        );
    } else {
        out!("Dry run: nothing was changed.");
    }
    for error in &summary.errors {
        eprintln!("Error: {}", output::plain(error));
    }
}
