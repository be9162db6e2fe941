-- The occurrence horizon replaces the weekly slot index: every active meeting's occurrences from
-- a day ago to six weeks ahead (exceptions applied, cancelled ones left out), with what a search
-- near a point needs beside them (map cell, coordinates, group, whether the group is public), so
-- "meetings near here starting in the next two hours" is one index range scan. Written with the
-- meeting and its exceptions, and extended every day (schema/src/meetings/horizon.rs).
DROP TABLE meeting_slots;
DROP INDEX meeting_exceptions_new_start;
CREATE TABLE meeting_occurrences (
    meeting_id uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    -- Unix microseconds (UTC) of the start; of the original start, when the occurrence was moved.
    start_micros bigint NOT NULL,
    moved_from_micros bigint,
    organization_id uuid NOT NULL,
    group_id uuid NOT NULL,
    public boolean NOT NULL,
    cell integer,
    latitude double precision,
    longitude double precision,
    PRIMARY KEY (meeting_id, start_micros)
);
CREATE INDEX meeting_occurrences_cell_start ON meeting_occurrences (cell, start_micros)
    INCLUDE (meeting_id, moved_from_micros, public, organization_id, group_id, latitude, longitude);
CREATE INDEX meeting_occurrences_start ON meeting_occurrences (start_micros)
    INCLUDE (meeting_id, moved_from_micros, public, organization_id, group_id, latitude, longitude);
CREATE INDEX meeting_occurrences_group ON meeting_occurrences (group_id);
-- How far ahead the occurrences are written (one row). 0: not yet; the server fills the horizon
-- when it starts.
CREATE TABLE occurrence_horizon (
    id integer PRIMARY KEY,
    until_micros bigint NOT NULL
);
INSERT INTO occurrence_horizon (id, until_micros) VALUES (1, 0);
