-- What an upload carries of a conflict's decision (`Store::carried_decision`), asked for every
-- confirmed POST and every PATCH with a change key: Keep Quick3's decision over the appointment
-- (by appointment and account), Keep both's over its copy (by the copy). Settled conflicts stay
-- as history, so without these every upload scanned them all.
CREATE INDEX sync_conflicts_by_appointment
    ON sync_conflicts (appointment_id, account_id, resolution);
CREATE INDEX sync_conflicts_by_copy ON sync_conflicts (copy_id) WHERE copy_id IS NOT NULL;
