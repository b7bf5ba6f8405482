-- A Quick3 series whose times or pattern Outlook changed has its exceptions and cancellations
-- reset by Down (Outlook's rule), kept as 0019 keeps a local edit's: a `series_resets` row and
-- the rows marked `reset_by` it. `run_id` is the sync run that took Outlook's change, so that
-- undoing that run puts back the master and exactly those rows (NULL: an edit made in Quick3,
-- or a run the journal has pruned). Append-only: never edit.
ALTER TABLE series_resets ADD COLUMN run_id INTEGER REFERENCES sync_runs (id) ON DELETE SET NULL;
CREATE INDEX series_resets_run ON series_resets (run_id) WHERE run_id IS NOT NULL;
