-- Rules are stored as they are read: without the `RRULE:` a calendar pastes with them (earlier
-- versions kept it, and the feeds wrote it twice).
UPDATE meetings SET rrule = upper(trim(substr(trim(rrule), 7)))
WHERE upper(trim(rrule)) LIKE 'RRULE:%';
