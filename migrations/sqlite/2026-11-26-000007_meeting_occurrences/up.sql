-- The occurrence horizon replaces the weekly slot index: every active meeting's occurrences from
-- a day ago to six weeks ahead (exceptions applied, cancelled ones left out), with what a search
-- near a point needs beside them (map cell, coordinates, group, whether the group is public), so
-- "meetings near here starting in the next two hours" is one index range scan. Written with the
-- meeting and its exceptions, and extended every day (schema/src/meetings/horizon.rs).
DROP TABLE meeting_slots;
DROP INDEX meeting_exceptions_new_start;
CREATE TABLE meeting_occurrences (
    meeting_id BLOB NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    -- Unix microseconds (UTC) of the start; of the original start, when the occurrence was moved.
    start_micros INTEGER NOT NULL,
    moved_from_micros INTEGER,
    organization_id BLOB NOT NULL,
    group_id BLOB NOT NULL,
    public BOOLEAN NOT NULL,
    cell INTEGER,
    latitude DOUBLE,
    longitude DOUBLE,
    PRIMARY KEY (meeting_id, start_micros)
);
-- Covering indexes (SQLite has no INCLUDE): the search reads them without the table.
CREATE INDEX meeting_occurrences_cell_start ON meeting_occurrences
    (cell, start_micros, meeting_id, moved_from_micros, public, organization_id, group_id, latitude, longitude);
CREATE INDEX meeting_occurrences_start ON meeting_occurrences
    (start_micros, meeting_id, moved_from_micros, public, organization_id, group_id, latitude, longitude);
CREATE INDEX meeting_occurrences_group ON meeting_occurrences (group_id);
-- How far ahead the occurrences are written (one row). 0: not yet; the server fills the horizon
-- when it starts.
CREATE TABLE occurrence_horizon (
    id INTEGER NOT NULL PRIMARY KEY,
    until_micros INTEGER NOT NULL
);
INSERT INTO occurrence_horizon (id, until_micros) VALUES (1, 0);
