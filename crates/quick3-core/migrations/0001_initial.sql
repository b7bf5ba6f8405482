-- Quick3 Planner: the first schema. Migrations are append-only: never edit this file, add another.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE resources (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT,
    kind       TEXT NOT NULL CHECK (kind IN ('person', 'room', 'equipment')),
    colour     TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX resources_email ON resources (lower(email)) WHERE email IS NOT NULL;

CREATE TABLE planner (
    id                         INTEGER PRIMARY KEY CHECK (id = 1),
    name                       TEXT NOT NULL,
    my_resource_id             INTEGER REFERENCES resources (id) ON DELETE SET NULL,
    may_edit_resource_settings INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO planner (id, name) VALUES (1, 'Planner');

CREATE TABLE modules (
    key          TEXT PRIMARY KEY,
    activated_at TEXT NOT NULL
) STRICT;

CREATE TABLE m365_accounts (
    id           INTEGER PRIMARY KEY,
    resource_id  INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    direction    TEXT NOT NULL CHECK (direction IN ('down', 'up', 'up_and_down', 'none')),
    scopes       TEXT NOT NULL,
    is_main      INTEGER NOT NULL DEFAULT 0,
    position     INTEGER NOT NULL,
    status       TEXT NOT NULL,
    last_sync_at TEXT,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (resource_id, email)
) STRICT;

CREATE TABLE appointments (
    id                 TEXT PRIMARY KEY,
    resource_id        INTEGER NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    title              TEXT NOT NULL,
    all_day            INTEGER NOT NULL,
    start_utc          TEXT,
    end_utc            TEXT,
    time_zone          TEXT,
    start_date         TEXT,
    end_date           TEXT,
    -- UTC span that surely contains the appointment (all-day ones widened): for range queries.
    span_start         TEXT NOT NULL,
    span_end           TEXT NOT NULL,
    location           TEXT NOT NULL DEFAULT '',
    notes              TEXT NOT NULL DEFAULT '',
    categories         TEXT NOT NULL DEFAULT '[]',
    show_as            TEXT NOT NULL,
    sensitivity        TEXT NOT NULL,
    origin             TEXT NOT NULL CHECK (origin IN ('quick3', 'microsoft365')),
    origin_account_id  INTEGER REFERENCES m365_accounts (id) ON DELETE SET NULL,
    remote_calendar_id TEXT,
    remote_id          TEXT,
    recurrence         TEXT,
    series_id          TEXT REFERENCES appointments (id) ON DELETE CASCADE,
    original_start     TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    -- Deletions are kept as tombstones until every direction has synced them.
    deleted_at         TEXT,
    CHECK ((all_day = 1 AND start_date IS NOT NULL AND end_date IS NOT NULL AND start_utc IS NULL)
        OR (all_day = 0 AND start_utc IS NOT NULL AND end_utc IS NOT NULL AND time_zone IS NOT NULL))
) STRICT;
CREATE INDEX appointments_span ON appointments (span_start, span_end) WHERE deleted_at IS NULL;
CREATE INDEX appointments_resource ON appointments (resource_id, span_start);
CREATE UNIQUE INDEX appointments_remote ON appointments (origin_account_id, remote_id)
    WHERE remote_id IS NOT NULL AND origin_account_id IS NOT NULL;

CREATE TABLE jobs (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL,
    frequency_minutes INTEGER NOT NULL CHECK (frequency_minutes > 0),
    enabled           INTEGER NOT NULL DEFAULT 1,
    settings          TEXT NOT NULL DEFAULT '{}',
    notify_emails     TEXT NOT NULL DEFAULT '[]',
    next_run_at       TEXT,
    created_at        TEXT NOT NULL
) STRICT;

CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    result      TEXT NOT NULL CHECK (result IN ('running', 'succeeded', 'failed')),
    summary     TEXT NOT NULL DEFAULT '{}',
    error       TEXT
) STRICT;
CREATE INDEX job_runs_job ON job_runs (job_id, started_at);
