-- A link's remote id is indexed only where it differs from its remote key: an occurrence is keyed
-- by its series and original start, a single event by its id, so for single events the remote
-- key's index already finds the id. Each pulled single event writes one random-keyed index entry
-- less (on a first sync of 10,000 events, about a fifth of the log written per page).
DROP INDEX sync_links_remote_id;
CREATE INDEX sync_links_remote_id ON sync_links (account_id, remote_id) WHERE remote_id <> remote_key;
