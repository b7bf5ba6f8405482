-- The sync journal (issue 22): a run per account's sync, and each change it made on either side,
-- written in the transaction of the change itself. Kept 90 days and bounded in rows
-- (`store::journal`: pruned at the end of each run). Append-only: never edit.
CREATE TABLE sync_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- A removed account takes its journal along (its row id may be reused).
    account_id   INTEGER NOT NULL REFERENCES m365_accounts (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    trigger      TEXT NOT NULL
                 CHECK (trigger IN ('manual', 'after_edit', 'scheduled', 'organisation', 'undo')),
    started_at   TEXT NOT NULL,
    -- NULL while the run is under way, or when it never finished (a crash).
    finished_at  TEXT,
    outcome      TEXT CHECK (outcome IN ('succeeded', 'failed', 'mass_delete_blocked')),
    -- The first problem of the run, in plain words.
    error        TEXT,
    created      INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0,
    conflicts    INTEGER NOT NULL DEFAULT 0,
    -- For a run that undoes another: the run it undoes.
    undoes_run   INTEGER REFERENCES sync_runs (id) ON DELETE SET NULL
);
CREATE INDEX sync_runs_by_account ON sync_runs (account_id, id);
CREATE INDEX sync_runs_by_start ON sync_runs (started_at);

CREATE TABLE sync_changes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id         INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    at             TEXT NOT NULL,
    -- No foreign key: the journal outlives an appointment row.
    appointment_id TEXT NOT NULL,
    series_id      TEXT,
    original_start TEXT,
    resource_id    INTEGER,
    side           TEXT NOT NULL CHECK (side IN ('quick3', 'outlook')),
    kind           TEXT NOT NULL CHECK (kind IN ('created', 'updated', 'deleted')),
    cause          TEXT NOT NULL CHECK (cause IN ('outlook_changed', 'quick3_changed',
                                                  'mass_deletion_allowed', 'conflict_decided',
                                                  'undo')),
    account_id     INTEGER NOT NULL,
    calendar_id    TEXT,
    -- The event on Outlook's side: its id, and its change key before and after the change.
    remote_id      TEXT,
    change_key_before TEXT,
    change_key_after  TEXT,
    -- Whether the appointment is private or confidential (shown to other resources' planners as
    -- "a private appointment").
    private        INTEGER NOT NULL DEFAULT 0,
    -- JSON: [{"field", "before", "after"}] of the synced fields that changed.
    fields         TEXT NOT NULL DEFAULT '[]',
    -- JSON: the whole appointment (api::AppointmentRecord) before and after; NULL for the side
    -- that did not exist.
    before         TEXT,
    after          TEXT,
    -- Set by the run that undid this change.
    undone_by      INTEGER REFERENCES sync_runs (id) ON DELETE SET NULL
);
CREATE INDEX sync_changes_by_run ON sync_changes (run_id);
CREATE INDEX sync_changes_by_appointment ON sync_changes (appointment_id, id);
-- Pruning deletes runs: their foreign keys are found through these.
CREATE INDEX sync_changes_undone_by ON sync_changes (undone_by);
CREATE INDEX sync_runs_undoes_run ON sync_runs (undoes_run);
