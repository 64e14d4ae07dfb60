-- The lists dashboards ask for most read only their matches, already in id order: action
-- plans by status and year, and an agreement's action plans and obstacles. Each composite
-- index replaces the index on its first column.
DROP INDEX action_plans_status_idx;
CREATE INDEX action_plans_status_year_idx ON action_plans (status, year, id);
DROP INDEX action_plans_agreement_id_idx;
CREATE INDEX action_plans_agreement_id_idx ON action_plans (agreement_id, id);
DROP INDEX obstacles_agreement_id_idx;
CREATE INDEX obstacles_agreement_id_idx ON obstacles (agreement_id, id);
