DROP INDEX obstacles_agreement_id_idx;
CREATE INDEX obstacles_agreement_id_idx ON obstacles (agreement_id);
DROP INDEX action_plans_agreement_id_idx;
CREATE INDEX action_plans_agreement_id_idx ON action_plans (agreement_id);
DROP INDEX action_plans_status_year_idx;
CREATE INDEX action_plans_status_idx ON action_plans (status);
