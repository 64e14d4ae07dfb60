DROP TRIGGER action_plans_status_year_update ON action_plans;
DROP TRIGGER action_plans_status_year_delete ON action_plans;
DROP TRIGGER action_plans_status_year_insert ON action_plans;
DROP FUNCTION action_plans_status_years_updated();
DROP FUNCTION action_plans_status_years_inserted_or_deleted();
DROP TABLE action_plan_status_years;
