DROP TABLE milestones;
UPDATE agreements SET stage = NULL;
