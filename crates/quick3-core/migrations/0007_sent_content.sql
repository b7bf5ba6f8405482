-- What Quick3 sent in PATCHes whose answers it has not recorded yet: content fingerprints
-- (space-separated, newest last, a few at most), written in a transaction of their own before
-- the request goes out and cleared whenever the link is written (an answer recorded, or Outlook's
-- content pulled). After a crash between Outlook's answer and its record, Outlook holds one of
-- them: Up and Down recognise that content as Quick3's own earlier push, not as an edit made in
-- Outlook, and send a newer local edit without reporting a conflict.
ALTER TABLE sync_links ADD COLUMN sent_content TEXT NOT NULL DEFAULT '';
-- Down asks for the links with unrecorded PATCHes at every page: almost always none.
CREATE INDEX sync_links_sent ON sync_links (account_id) WHERE sent_content <> '';
