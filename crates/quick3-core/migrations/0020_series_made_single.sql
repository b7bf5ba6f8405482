-- Series made in Quick3 turned into one appointment (Outlook's "Remove recurrence"): the single
-- appointment row is new and names the master it replaces; the master and its live exception rows
-- are tombstoned in the same transaction (the exceptions marked deleted_with_series), so that
-- Ctrl+Z brings back exactly that series. Up deletes the old series in Outlook only once the
-- single appointment is there (linked), so a crash never leaves Outlook without it.
-- Append-only: never edit.
ALTER TABLE appointments ADD COLUMN replaces TEXT;
