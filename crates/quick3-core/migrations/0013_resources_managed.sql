-- Resources managed in the window: working hours, archiving, deletion.
-- Working hours as "HH:MM" local times (both or neither); NULL: the Scheduler's default day.
ALTER TABLE resources ADD COLUMN work_start TEXT;
ALTER TABLE resources ADD COLUMN work_end TEXT;
-- Archived: hidden from the Scheduler and the resource lists, its appointments kept; restorable.
ALTER TABLE resources ADD COLUMN archived_at TEXT;
-- Deleted: a tombstone kept for the appointments it keeps as history and for deletions still
-- waiting in the outbox; never listed, never restored. Rows are never DELETEd: the foreign keys
-- of appointments and accounts cascade.
ALTER TABLE resources ADD COLUMN deleted_at TEXT;
