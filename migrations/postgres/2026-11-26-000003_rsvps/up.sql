-- RSVPs to single occurrences of meetings, with a waitlist in order of asking.
CREATE TABLE rsvps (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    occurrence_start timestamptz NOT NULL,
    member_id uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    state text NOT NULL,
    queued_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (meeting_id, occurrence_start, member_id)
);

CREATE INDEX rsvps_occurrence ON rsvps (meeting_id, occurrence_start, state, queued_at);
