-- An account paused because its resource was archived: the direction and status it had then,
-- which restoring the resource gives back. Both NULL: not paused by an archive (a planner's own
-- pause, direction none, stays as it is when the resource comes back).
ALTER TABLE m365_accounts ADD COLUMN archived_direction TEXT;
ALTER TABLE m365_accounts ADD COLUMN archived_status TEXT;
