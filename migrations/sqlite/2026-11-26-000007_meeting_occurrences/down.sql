DROP TABLE occurrence_horizon;
DROP TABLE meeting_occurrences;
CREATE TABLE meeting_slots (
    meeting_id BLOB NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    minute_of_week INTEGER NOT NULL,
    cell INTEGER,
    PRIMARY KEY (meeting_id, minute_of_week)
);
CREATE INDEX meeting_slots_cell_minute ON meeting_slots (cell, minute_of_week, meeting_id);
CREATE INDEX meeting_slots_minute ON meeting_slots (minute_of_week, meeting_id);
CREATE INDEX meeting_exceptions_new_start ON meeting_exceptions (new_start);
