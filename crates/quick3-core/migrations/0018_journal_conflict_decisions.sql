-- A conflict's decision is journalled as a run of its own (trigger 'conflict_decision', issue 22).
-- SQLite cannot widen a CHECK in place, so both journal tables are built again and copied (ids
-- kept). sync_changes is rebuilt too: dropping sync_runs with foreign keys on would otherwise
-- delete its lines (ON DELETE CASCADE). The new tables refer to each other by their new names,
-- which the renames carry over. Append-only: never edit.
CREATE TABLE sync_runs_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES m365_accounts (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    trigger      TEXT NOT NULL
                 CHECK (trigger IN ('manual', 'after_edit', 'scheduled', 'organisation', 'undo',
                                    'conflict_decision')),
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    outcome      TEXT CHECK (outcome IN ('succeeded', 'failed', 'mass_delete_blocked')),
    error        TEXT,
    created      INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0,
    conflicts    INTEGER NOT NULL DEFAULT 0,
    undoes_run   INTEGER REFERENCES sync_runs_new (id) ON DELETE SET NULL
);
CREATE TABLE sync_changes_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id         INTEGER NOT NULL REFERENCES sync_runs_new (id) ON DELETE CASCADE,
    at             TEXT NOT NULL,
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
    remote_id      TEXT,
    change_key_before TEXT,
    change_key_after  TEXT,
    private        INTEGER NOT NULL DEFAULT 0,
    fields         TEXT NOT NULL DEFAULT '[]',
    before         TEXT,
    after          TEXT,
    undone_by      INTEGER REFERENCES sync_runs_new (id) ON DELETE SET NULL
);
INSERT INTO sync_runs_new (id, account_id, email, trigger, started_at, finished_at, outcome, error,
                           created, updated, deleted, conflicts, undoes_run)
     SELECT id, account_id, email, trigger, started_at, finished_at, outcome, error,
            created, updated, deleted, conflicts, undoes_run
       FROM sync_runs ORDER BY id;
INSERT INTO sync_changes_new (id, run_id, at, appointment_id, series_id, original_start,
                              resource_id, side, kind, cause, account_id, calendar_id, remote_id,
                              change_key_before, change_key_after, private, fields, before, after,
                              undone_by)
     SELECT id, run_id, at, appointment_id, series_id, original_start,
            resource_id, side, kind, cause, account_id, calendar_id, remote_id,
            change_key_before, change_key_after, private, fields, before, after, undone_by
       FROM sync_changes ORDER BY id;
DROP TABLE sync_changes;
DROP TABLE sync_runs;
ALTER TABLE sync_runs_new RENAME TO sync_runs;
ALTER TABLE sync_changes_new RENAME TO sync_changes;
CREATE INDEX sync_runs_by_account ON sync_runs (account_id, id);
CREATE INDEX sync_runs_by_start ON sync_runs (started_at);
CREATE INDEX sync_changes_by_run ON sync_changes (run_id);
CREATE INDEX sync_changes_by_appointment ON sync_changes (appointment_id, id);
CREATE INDEX sync_changes_undone_by ON sync_changes (undone_by);
CREATE INDEX sync_runs_undoes_run ON sync_runs (undoes_run);
