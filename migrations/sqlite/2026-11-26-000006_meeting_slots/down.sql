DROP INDEX meeting_exceptions_new_start;
DROP INDEX meetings_latitude;
DROP TABLE meeting_slots;
