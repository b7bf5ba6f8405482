-- Organisation mode: an account may be an organisation link, reached with the organisation's
-- application token through /users/{mailbox_id}/… instead of a planner's own sign-in.
-- mailbox_id is the user's Object ID (NULL for a per-user account); display_name is the user's
-- name as Microsoft Entra showed it when the link was made.
ALTER TABLE m365_accounts ADD COLUMN mailbox_id TEXT;
ALTER TABLE m365_accounts ADD COLUMN display_name TEXT;
