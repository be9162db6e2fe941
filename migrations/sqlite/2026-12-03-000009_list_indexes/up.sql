-- Every list costs a page: indexes that hold each list's order, so that SQL walks them and
-- stops at the page. Browsing meetings by next occurrence walks the stored occurrences in
-- (start, meeting) order (meeting_occurrences_start already holds it); by name, the meetings in
-- (lower(name), id) order. The group directory walks the groups in (name, id) order.
CREATE INDEX meetings_name ON meetings (lower(name), id);
CREATE INDEX support_groups_name ON support_groups (name, id);
