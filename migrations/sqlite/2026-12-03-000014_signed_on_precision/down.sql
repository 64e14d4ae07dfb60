ALTER TABLE agreements DROP COLUMN signed_on_precision;
