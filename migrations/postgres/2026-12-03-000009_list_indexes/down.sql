DROP INDEX support_groups_name;
DROP INDEX meetings_name;
DROP INDEX meeting_occurrences_start;
CREATE INDEX meeting_occurrences_start ON meeting_occurrences (start_micros)
    INCLUDE (meeting_id, moved_from_micros, public, organization_id, group_id, latitude, longitude);
