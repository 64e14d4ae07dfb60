DROP TRIGGER action_plans_tally_update ON action_plans;
DROP TRIGGER action_plans_tally_delete ON action_plans;
DROP TRIGGER action_plans_tally_insert ON action_plans;
DROP FUNCTION action_plans_tally_changed();
DROP FUNCTION action_plans_tally_removed();
DROP FUNCTION action_plans_tally_added();
DROP TABLE action_plan_tallies;
