-- Series made in Quick3: an occurrence changed on its own (an exception) or deleted on its own (a
-- cancellation: the same row as a tombstone) is one row keyed by its series and original start.
-- At most one per occurrence; found by series when a listing expands the master. Pulled series
-- (origin microsoft365) keep their occurrence rows as Outlook sends them. Append-only: never edit.
CREATE UNIQUE INDEX appointments_quick3_occurrence ON appointments (series_id, original_start)
    WHERE series_id IS NOT NULL AND origin = 'quick3';
