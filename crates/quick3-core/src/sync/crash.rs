//! Named crash points, a test hook: the process can be made to stop dead (as with `kill -9`)
//! at a chosen step of a sync, so that tests can prove a later sync repairs every step. Inert
//! unless [`arm`] was called; the CLI arms it from `QUICK3_CRASH_AT=<step>[:<n>]`.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// A step of a sync at which the process may be stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Down: a delta page arrived and was read; nothing of it is written yet.
    DownPageFetched,
    /// Down: a page is planned and its rows built; nothing of it is written, the write lock is
    /// not taken. (A pause point for tests of edits racing a sync; never a crash point.)
    DownPagePlanned,
    /// Down: a page and its delta link were written; the next page is not yet handled (its
    /// download may be on its way). Committed, unless the page is one of a full round's pages
    /// that share a transaction and is not the last of them: then it, and the pages before it
    /// in the same transaction, are lost with the crash.
    DownPageWritten,
    /// Down: a transaction of several pages of a full round was committed; the next page is not
    /// yet written.
    DownPagesCommitted,
    /// Down: what Outlook changed of a series made in Quick3 is committed (`series_down`); the
    /// page that showed the change is not yet written.
    DownSeriesTaken,
    /// Up: Outlook answered a `$batch` (POST, PATCH, DELETE carried out); no answer is recorded.
    UpSent,
    /// Up: inside the transaction that records one answer: the link is written, the outbox
    /// entry not yet removed, nothing committed.
    UpLinkWritten,
    /// Up: one answer is recorded (link and outbox entry, committed); the batch's other
    /// answers are not.
    UpConfirmed,
    /// Undo: the undo's writes are committed (appointments, outbox entries, journal lines);
    /// nothing of it is uploaded yet.
    UndoWritten,
    /// A conflict settled by the planner: inside its transaction, everything written, nothing
    /// committed.
    ConflictResolving,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::DownPageFetched,
        Step::DownPageWritten,
        Step::DownPagesCommitted,
        Step::DownSeriesTaken,
        Step::UpSent,
        Step::UpLinkWritten,
        Step::UpConfirmed,
        Step::UndoWritten,
        Step::ConflictResolving,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Step::DownPageFetched => "down-page-fetched",
            Step::DownPagePlanned => "down-page-planned",
            Step::DownPageWritten => "down-page-written",
            Step::DownPagesCommitted => "down-pages-committed",
            Step::DownSeriesTaken => "down-series-taken",
            Step::UpSent => "up-sent",
            Step::UpLinkWritten => "up-link-written",
            Step::UpConfirmed => "up-confirmed",
            Step::UndoWritten => "undo-written",
            Step::ConflictResolving => "conflict-resolving",
        }
    }
}

/// A test hook that runs at a step of a sync, in the sync's thread, before it goes on (e.g. to
/// edit an appointment from another connection exactly between a page's plan and its write).
/// Passed in through [`crate::sync::SyncOptions::pause`]; front ends never set it.
#[derive(Clone)]
pub struct Pause(std::sync::Arc<dyn Fn(Step) + Send + Sync>);

impl Pause {
    pub fn new(hook: impl Fn(Step) + Send + Sync + 'static) -> Pause {
        Pause(std::sync::Arc::new(hook))
    }

    /// Runs the hook for `step`.
    pub fn at(&self, step: Step) {
        (self.0)(step);
    }
}

impl std::fmt::Debug for Pause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pause(..)")
    }
}

/// The armed step and at which time of reaching it the process stops (1 = the first).
static ARMED: OnceLock<(Step, u32)> = OnceLock::new();
static REACHED: AtomicU32 = AtomicU32::new(0);

/// Reads `<step>[:<n>]` (n ≥ 1, default 1).
pub fn parse(spec: &str) -> Result<(Step, u32), String> {
    let (name, n) = match spec.trim().split_once(':') {
        Some((name, n)) => (
            name,
            n.parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("“{n}” is not a count of 1 or more"))?,
        ),
        None => (spec.trim(), 1),
    };
    let step = Step::ALL
        .into_iter()
        .find(|step| step.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = Step::ALL.iter().map(|s| s.name()).collect();
            format!("“{name}” is not a crash point; known: {}", names.join(", "))
        })?;
    Ok((step, n))
}

/// Makes the process stop the `n`-th time `step` is reached. Once per process; later calls are
/// ignored.
pub fn arm(step: Step, n: u32) {
    let _ = ARMED.set((step, n.max(1)));
}

/// A crash point: stops the process here if this step is armed and reached for the n-th time.
/// `abort` runs no destructors and flushes nothing, as `kill -9` does (SQLite's journal is what
/// a crash leaves either way).
pub fn point(step: Step) {
    if let Some((armed, n)) = ARMED.get()
        && *armed == step
        && REACHED.fetch_add(1, Ordering::SeqCst) + 1 == *n
    {
        eprintln!("quick3: crash point {} reached: stopping", step.name());
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_name_a_step_and_an_optional_count() {
        assert_eq!(parse("up-sent"), Ok((Step::UpSent, 1)));
        assert_eq!(parse("down-page-written:3"), Ok((Step::DownPageWritten, 3)));
        assert!(parse("up-sent:0").is_err());
        let unknown = parse("somewhere").unwrap_err();
        assert!(unknown.contains("down-page-fetched"), "{unknown}");
        for step in Step::ALL {
            assert_eq!(parse(step.name()), Ok((step, 1)));
        }
    }

    #[test]
    fn an_unarmed_point_does_nothing() {
        // ARMED is never set in this test binary.
        point(Step::UpSent);
    }
}
