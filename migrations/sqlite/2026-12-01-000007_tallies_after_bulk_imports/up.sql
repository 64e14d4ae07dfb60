-- Nothing on SQLite: its triggers update each tally row in place (see the PostgreSQL
-- migration of this name).
SELECT 1;
