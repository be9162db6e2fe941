-- Ranked, indexed text search over meetings and groups. Full-text search (a tsvector under a
-- GIN index) rather than pg_trgm: people search by words in any order ("step study", "women
-- newcomers"), which full-text search matches and ranks (ts_rank, by field weight), and SQLite's
-- FTS5 answers the same way. The configuration is `simple` (no stemming: meetings are named in
-- many languages) with accents folded, as FTS5's unicode61 tokenizer folds them. The GIN indexes
-- take writes at once (fastupdate off): a pending list that every search must scan after a bulk
-- import costs more than the slower insert into a directory written far less than it is read.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION kinship_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION kinship_search
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part,
        numword, numhword, hword_numpart
    WITH unaccent, simple;

-- A meeting is found by its name (weight A), its group's name (B), its place (C: not for an
-- online meeting, whose place the API does not show) and its description (D).
CREATE FUNCTION kinship_meeting_document(
    name text, description text, attendance_mode text, venue text, address text, city text,
    region text, group_name text
) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('kinship_search', name), 'A')
        || setweight(to_tsvector('kinship_search', coalesce(group_name, '')), 'B')
        || setweight(to_tsvector('kinship_search', CASE WHEN attendance_mode <> 'ONLINE'
            THEN concat_ws(' ', venue, address, city, region) ELSE '' END), 'C')
        || setweight(to_tsvector('kinship_search', description), 'D')
$$;

ALTER TABLE meetings ADD COLUMN search_document tsvector;
UPDATE meetings m
SET search_document = kinship_meeting_document(
    m.name, m.description, m.attendance_mode, m.venue, m.address, m.city, m.region, g.name)
FROM support_groups g
WHERE g.id = m.group_id;
ALTER TABLE meetings ALTER COLUMN search_document SET NOT NULL;
CREATE INDEX meetings_search ON meetings USING gin (search_document) WITH (fastupdate = off);

-- The group's name is read under a shared lock: a rename in progress is waited for and then
-- seen (its trigger cannot see a meeting not yet committed). A rename locks the group's
-- meetings before the group (groups::model::update), the order every meeting write takes.
CREATE FUNCTION kinship_meetings_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document := kinship_meeting_document(
        NEW.name, NEW.description, NEW.attendance_mode, NEW.venue, NEW.address, NEW.city,
        NEW.region, (SELECT name FROM support_groups WHERE id = NEW.group_id FOR SHARE));
    RETURN NEW;
END
$$;
CREATE TRIGGER meetings_search_document
    BEFORE INSERT OR UPDATE OF name, description, attendance_mode, venue, address, city, region,
        group_id
    ON meetings FOR EACH ROW EXECUTE FUNCTION kinship_meetings_search_document();

-- A renamed group's meetings are found by its new name.
CREATE FUNCTION kinship_group_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE meetings
    SET search_document = kinship_meeting_document(
        name, description, attendance_mode, venue, address, city, region, NEW.name)
    WHERE group_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER support_groups_renamed
    AFTER UPDATE OF name ON support_groups
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION kinship_group_renamed();

-- A group is found by its name (A) and description (D).
ALTER TABLE support_groups ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('kinship_search'::regconfig, name), 'A')
    || setweight(to_tsvector('kinship_search'::regconfig, description), 'D')
) STORED;
CREATE INDEX support_groups_search ON support_groups USING gin (search_document) WITH (fastupdate = off);
