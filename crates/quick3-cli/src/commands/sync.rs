//! `quick3 sync`: runs the sync engine for every account, one account or one resource's, with a
//! progress line on a terminal and a summary per account.

use std::io::IsTerminal;

use quick3_core::api::{self, SyncScope};
use quick3_core::sync::{SyncOptions, SyncProgress, SyncSummary};

use super::Session;
use crate::args::SyncArgs;
use crate::output;

pub fn run(session: &mut Session, args: SyncArgs) -> anyhow::Result<()> {
    let scope = SyncScope {
        account: match &args.account {
            Some(reference) => Some(session.store.find_account(reference, None)?.id),
            None => None,
        },
        resource: match &args.resource {
            Some(reference) => Some(session.store.find_resource(reference)?.id),
            None => None,
        },
    };
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
