-- The key of an account's entries in the OS keyring: random and never reused, unlike the row id
-- (SQLite hands a removed account's id to the next one, which then read the leftover refresh token
-- of the removed one). Accounts from before keep their entry under the row id until its first use
-- moves it: their key names that row id ('legacy-{id}-…'); new accounts never read it.
ALTER TABLE m365_accounts ADD COLUMN keyring_id TEXT NOT NULL DEFAULT '';
UPDATE m365_accounts SET keyring_id = 'legacy-' || id || '-' || lower(hex(randomblob(16)));
CREATE UNIQUE INDEX m365_accounts_keyring_id ON m365_accounts (keyring_id);
