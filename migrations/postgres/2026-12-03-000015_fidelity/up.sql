-- Fidelity to the facts (API.md §9): regions within regions, action plans over several years,
-- titles in the parties' own language, where each fact comes from, and obstacles that are not
-- assessed until someone assesses them. Every new column is nullable; existing rows keep
-- their values (an obstacle stored with the old defaults keeps them: they may have been given).

ALTER TABLE regions ADD COLUMN parent_region_id BIGINT REFERENCES regions (id) ON DELETE RESTRICT;
CREATE INDEX regions_parent_region_id_idx ON regions (parent_region_id);

ALTER TABLE agreements ADD COLUMN local_title TEXT;
ALTER TABLE agreements ADD COLUMN local_description TEXT;
ALTER TABLE agreements ADD COLUMN source TEXT;

ALTER TABLE action_plans ADD COLUMN end_year INTEGER CHECK (end_year >= year);
ALTER TABLE action_plans ADD COLUMN local_title TEXT;
ALTER TABLE action_plans ADD COLUMN local_description TEXT;
ALTER TABLE action_plans ADD COLUMN source TEXT;
-- Read by the year filters for the plans that began earlier and run into the year asked.
CREATE INDEX action_plans_end_year_idx ON action_plans (end_year, year);

ALTER TABLE milestones ADD COLUMN source TEXT;
ALTER TABLE documents ADD COLUMN source TEXT;

-- NULL: not assessed.
ALTER TABLE obstacles ALTER COLUMN severity DROP NOT NULL, ALTER COLUMN severity DROP DEFAULT,
    ALTER COLUMN status DROP NOT NULL, ALTER COLUMN status DROP DEFAULT,
    ADD COLUMN source TEXT;
