-- Why an account's last sync failed, and when: kept until a sync succeeds, so that the Office 365
-- tab keeps saying so after a restart (`last_error` is the status's message, which a sign-in or
-- an edit replaces). Both NULL while the last sync succeeded. Append-only: never edit.
ALTER TABLE m365_accounts ADD COLUMN sync_failed_at TEXT;
ALTER TABLE m365_accounts ADD COLUMN sync_failure TEXT;
