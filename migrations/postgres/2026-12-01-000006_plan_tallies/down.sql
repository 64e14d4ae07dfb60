DROP TRIGGER action_plans_tally_update ON action_plans;
DROP TRIGGER action_plans_tally_insert_delete ON action_plans;
DROP FUNCTION action_plans_tally();
DROP TABLE action_plan_tallies;
