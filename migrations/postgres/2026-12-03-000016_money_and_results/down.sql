DROP TABLE indicators;
DROP TABLE transactions;
ALTER TABLE agreements DROP COLUMN local_language;
