-- One row that /readyz and start-up rewrite to prove the database takes writes (a full disk or
-- a read-only standby answers reads but refuses them).
CREATE TABLE readiness_probe (
    id integer PRIMARY KEY,
    probed_at timestamptz NOT NULL
);
INSERT INTO readiness_probe (id, probed_at) VALUES (1, now());
