-- Back to obstacles that always have a severity and a status: the unassessed ones take the
-- old defaults.
CREATE TABLE obstacles_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE RESTRICT,
    action_plan_id BIGINT REFERENCES action_plans (id) ON DELETE RESTRICT,
    category TEXT NOT NULL CHECK (category IN ('regulatory', 'financial', 'language_culture',
        'education_system', 'policy_alignment', 'data_security', 'resources', 'capacity_gap',
        'governance_difference', 'other')),
    description TEXT NOT NULL,
    severity TEXT NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high')),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'mitigated', 'resolved')),
    mitigation TEXT,
    identified_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO obstacles_rebuilt (id, key, agreement_id, action_plan_id, category, description,
        severity, status, mitigation, identified_on, version, created_at, updated_at)
    SELECT id, key, agreement_id, action_plan_id, category, description,
        COALESCE(severity, 'medium'), COALESCE(status, 'open'), mitigation, identified_on,
        version, created_at, updated_at
    FROM obstacles;
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

ALTER TABLE documents DROP COLUMN source;
ALTER TABLE milestones DROP COLUMN source;
DROP INDEX action_plans_end_year_idx;
ALTER TABLE action_plans DROP COLUMN source;
ALTER TABLE action_plans DROP COLUMN local_description;
ALTER TABLE action_plans DROP COLUMN local_title;
ALTER TABLE action_plans DROP COLUMN end_year;
ALTER TABLE agreements DROP COLUMN source;
ALTER TABLE agreements DROP COLUMN local_description;
ALTER TABLE agreements DROP COLUMN local_title;
DROP INDEX regions_parent_region_id_idx;
ALTER TABLE regions DROP COLUMN parent_region_id;
