-- PostgreSQL's stage triggers now hold the agreement's row before they read its milestones
-- (see the PostgreSQL migration of the same name). SQLite lets one transaction write at a
-- time, and a transaction begins by taking that lock (`BEGIN IMMEDIATE`), so its triggers
-- always read every milestone committed before it: nothing changes here.
SELECT 1;
