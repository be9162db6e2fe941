-- One row that /readyz and start-up rewrite to prove the database takes writes (a full disk or
-- a read-only file answers reads but refuses them).
CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY NOT NULL,
    probed_at TEXT NOT NULL
);
INSERT INTO readiness_probe (id, probed_at) VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
