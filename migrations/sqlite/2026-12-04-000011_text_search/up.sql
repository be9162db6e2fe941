-- Ranked, indexed text search over meetings and groups with FTS5, which matches words in any
-- order and ranks by bm25 with field weights, as PostgreSQL's full-text search does. The
-- unicode61 tokenizer folds case and accents. FTS5 rows are keyed by an integer: each meeting
-- and group gets a stable one in a key table (a rowid table's own rowid may change on VACUUM),
-- never reused (AUTOINCREMENT). Triggers keep the index in step with every write. A meeting's
-- place is not indexed when it meets online (the API does not show it then).
CREATE TABLE meeting_search_keys (
    key INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id BLOB NOT NULL UNIQUE
);
-- A meeting is found by its name, its group's name, its place and its description.
CREATE VIRTUAL TABLE meeting_search USING fts5 (
    name, group_name, place, description,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO meeting_search_keys (meeting_id) SELECT id FROM meetings ORDER BY id;
INSERT INTO meeting_search (rowid, name, group_name, place, description)
SELECT k.key, m.name, g.name,
       iif(m.attendance_mode <> 'ONLINE', concat_ws(' ', m.venue, m.address, m.city, m.region), ''),
       m.description
FROM meeting_search_keys k
JOIN meetings m ON m.id = k.meeting_id
JOIN support_groups g ON g.id = m.group_id;

CREATE TRIGGER meetings_search_insert AFTER INSERT ON meetings BEGIN
    INSERT INTO meeting_search_keys (meeting_id) VALUES (new.id);
    INSERT INTO meeting_search (rowid, name, group_name, place, description)
    VALUES (
        (SELECT key FROM meeting_search_keys WHERE meeting_id = new.id),
        new.name,
        (SELECT name FROM support_groups WHERE id = new.group_id),
        iif(new.attendance_mode <> 'ONLINE',
            concat_ws(' ', new.venue, new.address, new.city, new.region), ''),
        new.description
    );
END;
CREATE TRIGGER meetings_search_update
AFTER UPDATE OF name, description, attendance_mode, venue, address, city, region, group_id
ON meetings BEGIN
    UPDATE meeting_search
    SET name = new.name,
        group_name = (SELECT name FROM support_groups WHERE id = new.group_id),
        place = iif(new.attendance_mode <> 'ONLINE',
            concat_ws(' ', new.venue, new.address, new.city, new.region), ''),
        description = new.description
    WHERE rowid = (SELECT key FROM meeting_search_keys WHERE meeting_id = new.id);
END;
CREATE TRIGGER meetings_search_delete BEFORE DELETE ON meetings BEGIN
    DELETE FROM meeting_search
    WHERE rowid = (SELECT key FROM meeting_search_keys WHERE meeting_id = old.id);
    DELETE FROM meeting_search_keys WHERE meeting_id = old.id;
END;

CREATE TABLE group_search_keys (
    key INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id BLOB NOT NULL UNIQUE
);
-- A group is found by its name and description.
CREATE VIRTUAL TABLE group_search USING fts5 (
    name, description,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO group_search_keys (group_id) SELECT id FROM support_groups ORDER BY id;
INSERT INTO group_search (rowid, name, description)
SELECT k.key, g.name, g.description
FROM group_search_keys k JOIN support_groups g ON g.id = k.group_id;

CREATE TRIGGER support_groups_search_insert AFTER INSERT ON support_groups BEGIN
    INSERT INTO group_search_keys (group_id) VALUES (new.id);
    INSERT INTO group_search (rowid, name, description)
    VALUES (
        (SELECT key FROM group_search_keys WHERE group_id = new.id),
        new.name,
        new.description
    );
END;
CREATE TRIGGER support_groups_search_update
AFTER UPDATE OF name, description ON support_groups BEGIN
    UPDATE group_search
    SET name = new.name, description = new.description
    WHERE rowid = (SELECT key FROM group_search_keys WHERE group_id = new.id);
END;
-- A renamed group's meetings are found by its new name.
CREATE TRIGGER support_groups_search_renamed
AFTER UPDATE OF name ON support_groups WHEN old.name IS NOT new.name BEGIN
    UPDATE meeting_search
    SET group_name = new.name
    WHERE rowid IN (
        SELECT k.key FROM meeting_search_keys k
        JOIN meetings m ON m.id = k.meeting_id
        WHERE m.group_id = new.id
    );
END;
CREATE TRIGGER support_groups_search_delete BEFORE DELETE ON support_groups BEGIN
    DELETE FROM group_search
    WHERE rowid = (SELECT key FROM group_search_keys WHERE group_id = old.id);
    DELETE FROM group_search_keys WHERE group_id = old.id;
END;
