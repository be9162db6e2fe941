-- The horizon moves forward in many short transactions instead of one long one: while it does,
-- this holds the end it is moving to, and a changed meeting's occurrences are written up to it
-- (schema/src/meetings/horizon.rs, `extend`). NULL when no extension is in progress.
ALTER TABLE occurrence_horizon ADD COLUMN extending_to_micros BIGINT;
