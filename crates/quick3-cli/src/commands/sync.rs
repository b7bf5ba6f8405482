//! `quick3 sync`: runs the sync engine for every account, one account or one resource's, with a
//! progress line on a terminal and a summary per account; `sync conflicts` and `sync resolve`
//! list and settle conflicts.

use std::io::IsTerminal;

use quick3_core::api::{self, SyncScope};
use quick3_core::sync::{SyncOptions, SyncProgress, SyncSummary};

use quick3_core::api::conflicts;
use quick3_core::model::{ConflictField, ConflictVersion, Keep};

use super::Session;
use crate::args::{SyncArgs, SyncCommand, SyncSubcommand};
use crate::output;

pub fn dispatch(session: &mut Session, command: SyncCommand) -> anyhow::Result<()> {
    match command.command {
        None => run(session, command.args),
        Some(SyncSubcommand::Log(args)) => super::sync_log::run(&session.store, args),
        Some(SyncSubcommand::Preview(args)) => super::sync_undo::preview(session, args),
        Some(SyncSubcommand::Undo(args)) => super::sync_undo::undo(session, args),
        Some(SyncSubcommand::Conflicts { json }) => list_conflicts(session, json),
        Some(SyncSubcommand::Resolve { id, keep, json }) => {
            let keep = Keep::parse(&keep)?;
            let outcome =
                conflicts::resolve_conflict(&mut session.store, id, keep, chrono::Utc::now())?;
            if json {
                output::json(&outcome)?;
            } else {
                out!("{}", outcome.message);
            }
            Ok(())
        }
    }
}

fn list_conflicts(session: &Session, json: bool) -> anyhow::Result<()> {
    let found = conflicts::sync_conflicts(&session.store)?;
    if json {
        return output::json(&found);
    }
    if found.is_empty() {
        out!("No conflicts.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = found
        .iter()
        .flat_map(|c| {
            c.fields.iter().enumerate().map(move |(n, field)| {
                let first = |text: String| if n == 0 { text } else { String::new() };
                vec![
                    first(c.id.to_string()),
                    first(c.appointment_id.to_string()),
                    first(c.account.clone()),
                    field.label().to_owned(),
                    field_text(&c.quick3, *field),
                    field_text(&c.outlook, *field),
                ]
            })
        })
        .collect();
    output::table(
        &["ID", "APPOINTMENT", "ACCOUNT", "FIELD", "QUICK3", "OUTLOOK"],
        &rows,
    );
    out!("Settle one with: quick3 sync resolve ID --keep quick3|outlook|both");
    Ok(())
}

/// One field of a version as the table shows it.
fn field_text(version: &ConflictVersion, field: ConflictField) -> String {
    match field {
        ConflictField::Time => format!("{} – {}", version.start, version.end),
        ConflictField::Subject => version.title.clone(),
        ConflictField::Location => version.location.clone(),
        ConflictField::Notes => version.notes.replace('\n', " / "),
        ConflictField::ShowAs => version.show_as.as_str().to_owned(),
        ConflictField::Pattern => version
            .repeat
            .clone()
            .unwrap_or_else(|| "Does not repeat".to_owned()),
    }
}

/// The accounts `--account` or `--resource` name (by id, e-mail or name); all without either.
pub(super) fn scope(
    session: &Session,
    account: Option<&str>,
    resource: Option<&str>,
) -> anyhow::Result<SyncScope> {
    Ok(SyncScope {
        account: match account {
            Some(reference) => Some(session.store.find_account(reference, None)?.id),
            None => None,
        },
        resource: match resource {
            Some(reference) => Some(session.store.find_resource(reference)?.id),
            None => None,
        },
    })
}

pub fn run(session: &mut Session, args: SyncArgs) -> anyhow::Result<()> {
    let scope = scope(session, args.account.as_deref(), args.resource.as_deref())?;
    let options = SyncOptions {
        dry_run: args.dry_run,
        allow_mass_delete: args.allow_mass_delete,
        page_size: args.page_size.clamp(1, 1000),
        days_back: args.days_back.clamp(0, 3650),
        days_forward: args.days_forward.clamp(1, 3650),
        mailboxes_in_parallel: args.mailboxes_in_parallel.clamp(1, 64),
        events_per_commit: args.events_per_commit.clamp(1, 100_000),
        ..SyncOptions::default()
    };
    let credentials = session.credentials()?;
    let terminal = std::io::stderr().is_terminal();
    let mut progress = |p: &SyncProgress| {
        if terminal {
            let line = if p.calendar == 0 {
                format!("{}: uploading", p.email)
            } else {
                format!(
                    "{}: calendar {} of {} ({}), {} events",
                    p.email, p.calendar, p.calendars, p.calendar_name, p.events
                )
            };
            eprint!("\r\x1b[2K{}", crate::output::plain(&line));
        }
    };
    let clock = chrono::Utc::now;
    let summaries = session.runtime.block_on(api::sync(
        &mut session.store,
        &credentials,
        scope,
        &options,
        &clock,
        &mut progress,
    ))?;
    if terminal {
        eprint!("\r\x1b[2K");
    }
    if args.json {
        output::json(&summaries)?;
    } else {
        print_summaries(&summaries);
    }
    if let Some(blocked) = summaries.iter().find(|s| s.mass_delete_blocked.is_some()) {
        anyhow::bail!(
            "The sync of {} stopped before deleting: run it again with --allow-mass-delete if the deletions are intended.",
            blocked.email
        );
    }
    if summaries.iter().any(|s| !s.errors.is_empty()) {
        anyhow::bail!("Some changes could not be synced; see the errors above.");
    }
    Ok(())
}

fn print_summaries(summaries: &[SyncSummary]) {
    if summaries.is_empty() {
        out!("No account to sync (accounts with direction None make no traffic).");
        return;
    }
    let rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            vec![
                s.email.clone(),
                s.added.to_string(),
                s.updated.to_string(),
                s.deleted.to_string(),
                s.conflicts.to_string(),
                s.errors.len().to_string(),
                s.requests.to_string(),
            ]
        })
        .collect();
    output::table(
        &[
            "ACCOUNT",
            "ADDED",
            "UPDATED",
            "DELETED",
            "CONFLICTS",
            "ERRORS",
            "REQUESTS",
        ],
        &rows,
    );
    for summary in summaries {
        for note in &summary.conflict_notes {
            out!("Conflict: {note}");
        }
        for error in &summary.errors {
            eprintln!("Error: {}", crate::output::plain(&error.to_string()));
        }
    }
    if summaries.iter().any(|s| s.dry_run) {
        for summary in summaries {
            super::sync_undo::print_preview(summary);
        }
        out!("Dry run: nothing was changed.");
    }
}
