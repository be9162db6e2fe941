-- Members (pseudonymous profiles), their credentials, support groups, memberships, support
-- links between family/friends and people in recovery, and the instance's signing secret.
-- Lists are stored as ",a,b," so that one LIKE '%,a,%' matches a whole entry on both backends.
CREATE TABLE members (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    external_ref text NOT NULL,
    display_name text NOT NULL,
    role text NOT NULL,
    languages text NOT NULL,
    timezone text,
    pronouns text,
    recovery_start_date date,
    recovery_focus text NOT NULL,
    recovery_pathway text,
    erased_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (organization_id, external_ref)
);

CREATE TABLE credentials (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    member_id uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind text NOT NULL,
    issuer text NOT NULL,
    verification_status text NOT NULL,
    verified_at timestamptz,
    created_at timestamptz NOT NULL
);

CREATE INDEX credentials_member ON credentials (member_id, id);

CREATE TABLE support_groups (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text NOT NULL,
    focus text NOT NULL,
    pathway text NOT NULL,
    audience text NOT NULL,
    languages text NOT NULL,
    visibility text NOT NULL,
    join_policy text NOT NULL,
    facilitation text NOT NULL,
    capacity integer,
    status text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE INDEX support_groups_organization ON support_groups (organization_id, id);
CREATE INDEX support_groups_directory ON support_groups (visibility, status, id);

CREATE TABLE memberships (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    group_id uuid NOT NULL REFERENCES support_groups (id) ON DELETE CASCADE,
    member_id uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role text NOT NULL,
    state text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (group_id, member_id)
);

CREATE INDEX memberships_member ON memberships (member_id, group_id);

CREATE TABLE support_links (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    supporter_id uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    person_id uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    state text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (supporter_id, person_id)
);

CREATE INDEX support_links_person ON support_links (person_id);

CREATE TABLE instance_secrets (
    name text PRIMARY KEY,
    value text NOT NULL,
    created_at timestamptz NOT NULL
);
