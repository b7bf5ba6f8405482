-- Sync conflicts: an appointment changed both in Quick3 and in Outlook since the last sync, in
-- a field that makes a conflict (time, subject, location, notes, show-as). While one is open
-- (resolved_at NULL) neither side is overwritten: the appointment's outbox entry for the account
-- is held, and Down keeps Outlook's newest version here instead of applying it. Settled by the
-- planner (resolution quick3, outlook or both), or by the sync when the question went away
-- (settled: both sides agree again, or either side deleted the appointment). Rows stay as history.
CREATE TABLE sync_conflicts (
    id             INTEGER PRIMARY KEY,
    appointment_id TEXT NOT NULL,
    account_id     INTEGER NOT NULL REFERENCES m365_accounts (id) ON DELETE CASCADE,
    -- Outlook's event as last seen: its key, id, change key and content hash…
    remote_key     TEXT NOT NULL,
    remote_id      TEXT NOT NULL,
    change_key     TEXT,
    remote_hash    TEXT NOT NULL,
    -- …and its version of the appointment (JSON, model::ConflictVersion).
    outlook        TEXT NOT NULL,
    detected_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    resolution     TEXT,
    resolved_at    TEXT,
    -- Keep both: the new appointment that holds Quick3's version.
    copy_id        TEXT
) STRICT;
-- At most one open conflict per appointment and account.
CREATE UNIQUE INDEX sync_conflicts_open ON sync_conflicts (appointment_id, account_id)
    WHERE resolved_at IS NULL;
