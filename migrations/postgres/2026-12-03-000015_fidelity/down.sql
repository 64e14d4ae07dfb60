-- Back to obstacles that always have a severity and a status: the unassessed ones take the
-- old defaults.
UPDATE obstacles SET severity = COALESCE(severity, 'medium'), status = COALESCE(status, 'open')
    WHERE severity IS NULL OR status IS NULL;
ALTER TABLE obstacles DROP COLUMN source,
    ALTER COLUMN severity SET DEFAULT 'medium', ALTER COLUMN severity SET NOT NULL,
    ALTER COLUMN status SET DEFAULT 'open', ALTER COLUMN status SET NOT NULL;

ALTER TABLE documents DROP COLUMN source;
ALTER TABLE milestones DROP COLUMN source;
ALTER TABLE action_plans DROP COLUMN source, DROP COLUMN local_description, DROP COLUMN local_title,
    DROP COLUMN end_year;
ALTER TABLE agreements DROP COLUMN source, DROP COLUMN local_description, DROP COLUMN local_title;
ALTER TABLE regions DROP COLUMN parent_region_id;
