//! `quick3 sync log`: the sync journal on the command line, the recent runs (of one account) or
//! one run's changes, as plain text or `--json`.

use chrono::{DateTime, Utc};
use quick3_core::Store;
use quick3_core::api::journal::{self, ChangeRecord};
use quick3_core::ids::SyncRunId;
use quick3_core::model::{ChangeCause, ChangeKind, ChangeSide, FieldChange, JournalRun};

use crate::args::SyncLogArgs;
use crate::output;

pub fn run(store: &Store, args: SyncLogArgs) -> anyhow::Result<()> {
    let zone: chrono_tz::Tz = store.default_zone().parse().unwrap_or(chrono_tz::UTC);
    if let Some(run) = args.run {
        let found = journal::run_changes(store, SyncRunId(run))?;
        if args.json {
            return output::json(&found);
        }
        out!("{}", run_line(&found.run, zone));
        if found.changes.is_empty() {
            out!("No changes.");
            return Ok(());
        }
        let rows: Vec<Vec<String>> = found.changes.iter().map(|c| change_row(c, zone)).collect();
        output::table(
            &["WHEN", "SIDE", "CHANGE", "APPOINTMENT", "CAUSE", "FIELDS"],
            &rows,
        );
        return Ok(());
    }
    let account = match &args.account {
        Some(reference) => Some(store.find_account(reference, None)?.id),
        None => None,
    };
    let runs = journal::recent_runs(store, account, Some(args.limit))?;
    if args.json {
        return output::json(&runs);
    }
    if runs.is_empty() {
        out!("No sync has run yet.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.email.clone(),
                local(r.started_at, zone),
                took(r),
                r.trigger.as_str().replace('_', " "),
                outcome(r),
                r.created.to_string(),
                r.updated.to_string(),
                r.deleted.to_string(),
                r.conflicts.to_string(),
            ]
        })
        .collect();
    output::table(
        &[
            "RUN",
            "ACCOUNT",
            "STARTED",
            "TOOK",
            "TRIGGER",
            "RESULT",
            "CREATED",
            "UPDATED",
            "DELETED",
            "CONFLICTS",
        ],
        &rows,
    );
    Ok(())
}

fn local(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn took(run: &JournalRun) -> String {
    match run.finished_at {
        Some(end) => {
            let ms = (end - run.started_at).num_milliseconds().max(0);
            if ms < 10_000 {
                format!("{:.1} s", ms as f64 / 1000.0)
            } else {
                format!("{} s", ms / 1000)
            }
        }
        None => "-".into(),
    }
}

fn outcome(run: &JournalRun) -> String {
    match run.outcome {
        Some(outcome) => outcome.as_str().replace('_', " "),
        None => "did not finish".into(),
    }
}

fn run_line(run: &JournalRun, zone: chrono_tz::Tz) -> String {
    format!(
        "Run {} of {}: {}, started {}, took {}, {} ({} created, {} updated, {} deleted, {} conflicts){}",
        run.id,
        run.email,
        run.trigger.as_str().replace('_', " "),
        local(run.started_at, zone),
        took(run),
        outcome(run),
        run.created,
        run.updated,
        run.deleted,
        run.conflicts,
        run.error
            .as_deref()
            .map(|e| format!("\n{e}"))
            .unwrap_or_default(),
    )
}

fn change_row(change: &ChangeRecord, zone: chrono_tz::Tz) -> Vec<String> {
    let side = match change.side {
        ChangeSide::Quick3 => "Quick3",
        ChangeSide::Outlook => "Outlook",
    };
    let kind = match change.kind {
        ChangeKind::Created => "created",
        ChangeKind::Updated => "updated",
        ChangeKind::Deleted => "deleted",
    };
    let cause = match change.cause {
        ChangeCause::OutlookChanged => "changed in Outlook",
        ChangeCause::Quick3Changed => "changed in Quick3",
        ChangeCause::MassDeletionAllowed => "mass deletion allowed",
        ChangeCause::ConflictDecided => "conflict decided",
        ChangeCause::Undo => "undo",
    };
    let fields: Vec<String> = change
        .fields
        .iter()
        .filter(|f| change.kind == ChangeKind::Updated || matches!(f.field.as_str(), "start"))
        .map(|f| field_text(f, change.kind, zone))
        .collect();
    vec![
        change
            .at
            .with_timezone(&zone)
            .format("%H:%M:%S")
            .to_string(),
        side.into(),
        kind.into(),
        change.title.clone(),
        cause.into(),
        fields.join("; "),
    ]
}

/// A changed field in a few words: `start 09:00 → 10:00`, `subject Visit → Visit (moved)`.
fn field_text(f: &FieldChange, kind: ChangeKind, zone: chrono_tz::Tz) -> String {
    let value = |text: &str| -> String {
        if matches!(f.field.as_str(), "start" | "end")
            && let Ok(at) = DateTime::parse_from_rfc3339(text)
        {
            return at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
        }
        let short: String = text.chars().take(40).collect();
        if short.len() < text.len() {
            format!("{short}…")
        } else {
            short
        }
    };
    match kind {
        ChangeKind::Created => format!("{} {}", f.field, value(&f.after)),
        ChangeKind::Deleted => format!("{} {}", f.field, value(&f.before)),
        ChangeKind::Updated => format!("{} {} → {}", f.field, value(&f.before), value(&f.after)),
    }
}
