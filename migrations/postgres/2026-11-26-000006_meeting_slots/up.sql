-- The weekly slot index behind "meetings starting between two instants": the minutes of the UTC
-- week (0 = Sunday 00:00 UTC) at which each meeting may start, for each UTC offset its time zone
-- uses, with a map cell (0.25 degree) of its place. Written with the meeting; the search checks
-- real occurrences afterwards, so slots only narrow the candidates.
CREATE TABLE meeting_slots (
    meeting_id uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    minute_of_week integer NOT NULL,
    cell integer,
    PRIMARY KEY (meeting_id, minute_of_week)
);
CREATE INDEX meeting_slots_cell_minute ON meeting_slots (cell, minute_of_week, meeting_id);
CREATE INDEX meeting_slots_minute ON meeting_slots (minute_of_week, meeting_id);
-- Moved occurrences, found by their new start.
CREATE INDEX meeting_exceptions_new_start ON meeting_exceptions (new_start);
-- "Near a point" without a time window.
CREATE INDEX meetings_latitude ON meetings (latitude);
