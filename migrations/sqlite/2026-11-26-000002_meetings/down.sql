DROP TABLE meeting_changes;
DROP TABLE meeting_exceptions;
DROP TABLE meetings;
