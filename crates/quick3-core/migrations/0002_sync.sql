-- Sync with Microsoft 365: per-calendar delta state, links between appointments and events, and
-- the outbox of pending uploads. Append-only: never edit this file once shipped, add another.

-- One row per calendar of an account that Quick3 knows about.
CREATE TABLE sync_calendars (
    account_id      INTEGER NOT NULL REFERENCES m365_accounts (id) ON DELETE CASCADE,
    calendar_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    is_default      INTEGER NOT NULL DEFAULT 0,
    selected        INTEGER NOT NULL DEFAULT 1,
    -- Where the next delta request goes: a nextLink while a round is under way, else the
    -- deltaLink of the last completed round; NULL = start a full round.
    delta_link      TEXT,
    -- The window of the current delta rounds (UTC).
    window_start    TEXT,
    window_end      TEXT,
    -- A full round (first sync or after 410) in progress: rows not seen in it are gone at its end.
    full_round      TEXT,
    last_full_sync  TEXT,
    -- The planner allowed a mass deletion for the round under way.
    deletions_allowed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, calendar_id)
) STRICT;

-- An appointment and its event in one account: what both sides held when last in step.
-- No foreign key to appointments: tombstones stay, and edits rewrite appointment rows.
CREATE TABLE sync_links (
    appointment_id TEXT NOT NULL,
    account_id     INTEGER NOT NULL REFERENCES m365_accounts (id) ON DELETE CASCADE,
    calendar_id    TEXT,
    -- The remote identity: the event id, or series:{master id}:{original start} for occurrences.
    remote_key     TEXT NOT NULL,
    remote_id      TEXT NOT NULL,
    change_key     TEXT,
    -- Content hashes last pushed/pulled: local side and remote side.
    local_hash     TEXT NOT NULL,
    remote_hash    TEXT NOT NULL,
    -- The full round this event was last seen in.
    seen_round     TEXT,
    PRIMARY KEY (appointment_id, account_id)
) STRICT;
CREATE UNIQUE INDEX sync_links_remote ON sync_links (account_id, remote_key);
CREATE INDEX sync_links_remote_id ON sync_links (account_id, remote_id);

-- Pending uploads, written in the same transaction as the appointment's change.
CREATE TABLE sync_outbox (
    appointment_id TEXT NOT NULL,
    account_id     INTEGER NOT NULL REFERENCES m365_accounts (id) ON DELETE CASCADE,
    -- Bumped on every change, so a push confirmed for an older revision keeps the entry.
    revision       INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    -- Microsoft asked to wait (Retry-After) until then.
    not_before     TEXT,
    -- Incremented when an event deleted in Outlook is created again (a new transactionId).
    generation     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (appointment_id, account_id)
) STRICT;
