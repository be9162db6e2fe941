-- Every list costs a page: indexes that hold each list's order, so that SQL walks them and
-- stops at the page. Browsing meetings by next occurrence walks the stored occurrences in
-- (start, meeting) order; by name, the meetings in (lower(name), id) order. The group directory
-- walks the groups in (name, id) order.
DROP INDEX meeting_occurrences_start;
CREATE INDEX meeting_occurrences_start ON meeting_occurrences (start_micros, meeting_id)
    INCLUDE (moved_from_micros, public, organization_id, group_id, latitude, longitude);
CREATE INDEX meetings_name ON meetings (lower(name), id);
CREATE INDEX support_groups_name ON support_groups (name, id);
