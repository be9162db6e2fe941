-- Who attended which occurrence of a meeting: one row per person and occurrence, so recording
-- twice counts once.
CREATE TABLE attendance (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id BLOB NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    occurrence_start TEXT NOT NULL,
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (meeting_id, occurrence_start, member_id)
);
