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

-- SQLite drops a NOT NULL or a DEFAULT only by rebuilding the table: a copy under the new
-- definition replaces the old, its ids, AUTOINCREMENT counter and indexes kept. No table
-- refers to obstacles, so the drop cascades nowhere and foreign keys can stay on.
CREATE TABLE obstacles_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    -- Always set: an obstacle of an action plan also belongs to the plan's agreement.
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE RESTRICT,
    action_plan_id BIGINT REFERENCES action_plans (id) ON DELETE RESTRICT,
    category TEXT NOT NULL CHECK (category IN ('regulatory', 'financial', 'language_culture',
        'education_system', 'policy_alignment', 'data_security', 'resources', 'capacity_gap',
        'governance_difference', 'other')),
    description TEXT NOT NULL,
    -- NULL: not assessed.
    severity TEXT CHECK (severity IN ('low', 'medium', 'high')),
    status TEXT CHECK (status IN ('open', 'mitigated', 'resolved')),
    mitigation TEXT,
    identified_on DATE,
    source TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

INSERT INTO obstacles_rebuilt (id, key, agreement_id, action_plan_id, category, description,
        severity, status, mitigation, identified_on, version, created_at, updated_at)
    SELECT id, key, agreement_id, action_plan_id, category, description, severity, status,
        mitigation, identified_on, version, created_at, updated_at
    FROM obstacles;

-- The counter goes on from where the old table's stood: an id once given is never given again.
DELETE FROM sqlite_sequence WHERE name = 'obstacles_rebuilt';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'obstacles_rebuilt', seq FROM sqlite_sequence WHERE name = 'obstacles';

DROP TABLE obstacles;
ALTER TABLE obstacles_rebuilt RENAME TO obstacles;

CREATE INDEX obstacles_agreement_id_idx ON obstacles (agreement_id, id);
CREATE INDEX obstacles_action_plan_id_idx ON obstacles (action_plan_id);
CREATE INDEX obstacles_category_idx ON obstacles (category);
CREATE INDEX obstacles_severity_idx ON obstacles (severity);
CREATE INDEX obstacles_status_idx ON obstacles (status);
