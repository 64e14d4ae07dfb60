DROP TABLE milestones;
DROP FUNCTION milestones_restage();
DROP FUNCTION agreement_restage(BIGINT);
UPDATE agreements SET stage = NULL;
