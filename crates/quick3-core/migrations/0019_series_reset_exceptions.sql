-- Series made in Quick3: a whole-series edit that changed the series' times or pattern sent its
-- exceptions and cancellations back to the pattern (Outlook's rule). Each such edit is one row
-- here: the master's fields as they were before it (the columns an edit writes, as in
-- `appointments`), and its times and pattern as the edit left them (`after_*`: the undo refuses
-- once they changed again) with the master's `updated_at` then (written since: the undo puts
-- back only the times and pattern, keeping the details changed since). The rows it reset are kept, marked `reset_by` it, as tombstones
-- (`reset_live` 1: the row was a live exception; 0: a cancellation), so that undoing the edit
-- puts back the master and exactly those rows. A marked row is gone to listings, double
-- bookings, Up and Down, and no longer holds its occurrence: the unique index of 0012 is made
-- again without marked rows, so the occurrence can be changed anew. Append-only: never edit.
CREATE TABLE series_resets (
    id               INTEGER PRIMARY KEY,
    series_id        TEXT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    resource_id      INTEGER NOT NULL,
    title            TEXT NOT NULL,
    all_day          INTEGER NOT NULL,
    start_utc        TEXT,
    end_utc          TEXT,
    time_zone        TEXT,
    start_date       TEXT,
    end_date         TEXT,
    location         TEXT NOT NULL,
    notes            TEXT NOT NULL,
    categories       TEXT NOT NULL,
    show_as          TEXT NOT NULL,
    sensitivity      TEXT NOT NULL,
    recurrence       TEXT,
    updated_at       TEXT NOT NULL,
    after_start_utc  TEXT,
    after_end_utc    TEXT,
    after_start_date TEXT,
    after_end_date   TEXT,
    after_time_zone  TEXT,
    after_recurrence TEXT,
    after_updated_at TEXT,
    created_at       TEXT NOT NULL
) STRICT;
CREATE INDEX series_resets_series ON series_resets (series_id);
ALTER TABLE appointments ADD COLUMN reset_by INTEGER REFERENCES series_resets (id) ON DELETE SET NULL;
ALTER TABLE appointments ADD COLUMN reset_live INTEGER NOT NULL DEFAULT 0;
DROP INDEX appointments_quick3_occurrence;
CREATE UNIQUE INDEX appointments_quick3_occurrence ON appointments (series_id, original_start)
    WHERE series_id IS NOT NULL AND origin = 'quick3' AND reset_by IS NULL;
