DROP TRIGGER action_plans_tally_update;
DROP TRIGGER action_plans_tally_delete;
DROP TRIGGER action_plans_tally_insert;
DROP TABLE action_plan_tallies;
