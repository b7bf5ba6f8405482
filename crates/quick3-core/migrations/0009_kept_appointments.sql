-- Pulled appointments kept when their account was removed: the mailbox (lower case) they came
-- from, so that the same mailbox added to the resource again takes its rows back (found by remote
-- id, one row per event) instead of importing every event a second time. NULL otherwise.
ALTER TABLE appointments ADD COLUMN kept_from TEXT;
CREATE INDEX appointments_kept ON appointments (resource_id, kept_from) WHERE kept_from IS NOT NULL;
