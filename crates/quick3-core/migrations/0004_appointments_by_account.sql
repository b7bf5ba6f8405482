-- Appointments by the account they were pulled from. The mass-deletion guard counts an account's
-- pulled appointments at every sync and a calendar's reset reads them per account; without this
-- index both scanned the whole table, so a sync of N linked mailboxes cost N full scans
-- (500 mailboxes with 200,000 appointments: a no-change sync took 131 s of CPU).
CREATE INDEX appointments_origin_account ON appointments (origin_account_id, remote_calendar_id)
    WHERE deleted_at IS NULL;
