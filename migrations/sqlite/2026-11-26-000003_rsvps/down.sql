DROP TABLE rsvps;
