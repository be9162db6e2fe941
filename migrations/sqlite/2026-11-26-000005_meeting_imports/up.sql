-- Where an imported meeting came from: the feed (`source`, a label chosen by the importer),
-- the meeting's slug in that feed, and a hash of what was imported, so a re-import can tell
-- added, updated, unchanged and removed meetings apart. Meetings created in Kinship have no row.
CREATE TABLE meeting_imports (
    meeting_id BLOB PRIMARY KEY NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    source_slug TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (organization_id, source, source_slug)
);
