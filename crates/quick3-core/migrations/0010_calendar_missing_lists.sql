-- How many calendar lists in a row lacked a calendar Quick3 knows. A switched-off calendar that
-- one (perhaps partial) list lacks is kept, with the planner's choice, until a second list
-- confirms it is gone; a list that has it again sets this back to 0. Append-only: never edit.
ALTER TABLE sync_calendars ADD COLUMN missing_lists INTEGER NOT NULL DEFAULT 0;
