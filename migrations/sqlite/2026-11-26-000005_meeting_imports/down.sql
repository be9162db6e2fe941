DROP TABLE meeting_imports;
