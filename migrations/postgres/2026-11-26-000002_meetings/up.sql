-- Meetings of groups: schedule in the meeting's own time zone, location and online access,
-- program and type codes; exceptions to single occurrences; and the log of every change.
CREATE TABLE meetings (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    group_id uuid NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text NOT NULL,
    attendance_mode text NOT NULL,
    status text NOT NULL,
    timezone text NOT NULL,
    rrule text,
    start_time text NOT NULL,
    duration_minutes integer NOT NULL,
    starts_on date NOT NULL,
    ends_on date,
    venue text,
    address text,
    city text,
    region text,
    postal_code text,
    country_code text,
    latitude double precision,
    longitude double precision,
    location_approximate boolean NOT NULL,
    online_url text,
    online_phone text,
    online_notes text,
    program text,
    types text NOT NULL,
    languages text NOT NULL,
    accessibility text NOT NULL,
    capacity integer,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE INDEX meetings_group ON meetings (group_id, id);
CREATE INDEX meetings_organization ON meetings (organization_id, id);

CREATE TABLE meeting_exceptions (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    occurrence_start timestamptz NOT NULL,
    kind text NOT NULL,
    new_start timestamptz,
    new_duration_minutes integer,
    note text NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (meeting_id, occurrence_start)
);

CREATE TABLE meeting_changes (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    actor text NOT NULL,
    action text NOT NULL,
    changed_fields text NOT NULL,
    changed_at timestamptz NOT NULL
);

CREATE INDEX meeting_changes_meeting ON meeting_changes (meeting_id, id);
