ALTER TABLE occurrence_horizon DROP COLUMN extending_to_micros;
