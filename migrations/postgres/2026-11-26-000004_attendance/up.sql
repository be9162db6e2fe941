-- Who attended which occurrence of a meeting: one row per person and occurrence, so recording
-- twice counts once.
CREATE TABLE attendance (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id uuid NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    occurrence_start timestamptz NOT NULL,
    member_id uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL,
    UNIQUE (meeting_id, occurrence_start, member_id)
);
