-- The last generation each appointment's event was created with in an account: the part of
-- its transactionId that changes when the event is created again in Outlook (a series whose
-- deletion went up and that comes back, an event deleted there while changed here). The
-- outbox entry carrying a generation goes once the upload is confirmed; this row stays, so a
-- later re-creation never sends a transactionId again (Outlook would answer with the old
-- event instead of creating one).
CREATE TABLE sync_generations (
    appointment_id TEXT NOT NULL,
    account_id     INTEGER NOT NULL REFERENCES m365_accounts (id) ON DELETE CASCADE,
    generation     INTEGER NOT NULL,
    PRIMARY KEY (appointment_id, account_id)
) WITHOUT ROWID;
