-- Members (pseudonymous profiles), their credentials, support groups, memberships, support
-- links between family/friends and people in recovery, and the instance's signing secret.
-- UUIDs are 16-byte BLOBs, timestamps RFC 3339 TEXT, dates YYYY-MM-DD TEXT; lists are ",a,b,".
CREATE TABLE members (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    external_ref TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    languages TEXT NOT NULL,
    timezone TEXT,
    pronouns TEXT,
    recovery_start_date TEXT,
    recovery_focus TEXT NOT NULL,
    recovery_pathway TEXT,
    erased_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (organization_id, external_ref)
);

CREATE TABLE credentials (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    issuer TEXT NOT NULL,
    verification_status TEXT NOT NULL,
    verified_at TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX credentials_member ON credentials (member_id, id);

CREATE TABLE support_groups (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    focus TEXT NOT NULL,
    pathway TEXT NOT NULL,
    audience TEXT NOT NULL,
    languages TEXT NOT NULL,
    visibility TEXT NOT NULL,
    join_policy TEXT NOT NULL,
    facilitation TEXT NOT NULL,
    capacity INTEGER,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX support_groups_organization ON support_groups (organization_id, id);
CREATE INDEX support_groups_directory ON support_groups (visibility, status, id);

CREATE TABLE memberships (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    group_id BLOB NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    member_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (group_id, member_id)
);

CREATE INDEX memberships_member ON memberships (member_id, group_id);

CREATE TABLE support_links (
    id BLOB PRIMARY KEY NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    supporter_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    person_id BLOB NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (supporter_id, person_id)
);

CREATE INDEX support_links_person ON support_links (person_id);

CREATE TABLE instance_secrets (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL
);
