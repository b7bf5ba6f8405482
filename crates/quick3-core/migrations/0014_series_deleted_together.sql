-- Series made in Quick3: the exception and cancellation rows that the deletion of their whole
-- series tombstoned (1), as against those deleted on their own before it (0). Undoing the series'
-- deletion brings back exactly the rows marked, whatever their deleted_at: times are kept in whole
-- seconds, so an occurrence deleted on its own in the same second as its series would otherwise
-- come back with it. Append-only: never edit.
ALTER TABLE appointments ADD COLUMN deleted_with_series INTEGER NOT NULL DEFAULT 0;
