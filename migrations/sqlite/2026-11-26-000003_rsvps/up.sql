-- RSVPs to single occurrences of meetings, with a waitlist in order of asking.
CREATE TABLE rsvps (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id BLOB NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    occurrence_start TEXT NOT NULL,
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (meeting_id, occurrence_start, member_id)
);

CREATE INDEX rsvps_occurrence ON rsvps (meeting_id, occurrence_start, state, queued_at);
