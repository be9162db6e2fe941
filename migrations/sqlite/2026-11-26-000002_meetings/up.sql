-- Meetings of groups: schedule in the meeting's own time zone, location and online access,
-- program and type codes; exceptions to single occurrences; and the log of every change.
-- UUIDs are BLOBs, timestamps RFC 3339 TEXT, dates YYYY-MM-DD TEXT, booleans 0/1.
CREATE TABLE meetings (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    group_id BLOB NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    attendance_mode TEXT NOT NULL,
    status TEXT NOT NULL,
    timezone TEXT NOT NULL,
    rrule TEXT,
    start_time TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    venue TEXT,
    address TEXT,
    city TEXT,
    region TEXT,
    postal_code TEXT,
    country_code TEXT,
    latitude REAL,
    longitude REAL,
    location_approximate INTEGER NOT NULL,
    online_url TEXT,
    online_phone TEXT,
    online_notes TEXT,
    program TEXT,
    types TEXT NOT NULL,
    languages TEXT NOT NULL,
    accessibility TEXT NOT NULL,
    capacity INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX meetings_group ON meetings (group_id, id);
CREATE INDEX meetings_organization ON meetings (organization_id, id);

CREATE TABLE meeting_exceptions (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id BLOB NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    occurrence_start TEXT NOT NULL,
    kind TEXT NOT NULL,
    new_start TEXT,
    new_duration_minutes INTEGER,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (meeting_id, occurrence_start)
);

CREATE TABLE meeting_changes (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id BLOB NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    changed_fields TEXT NOT NULL,
    changed_at TEXT NOT NULL
);

CREATE INDEX meeting_changes_meeting ON meeting_changes (meeting_id, id);
