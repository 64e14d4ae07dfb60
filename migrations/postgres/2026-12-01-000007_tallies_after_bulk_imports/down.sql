-- The triggers of migration 000006 again, whatever the transaction.
DROP TRIGGER action_plans_tally_insert ON action_plans;
DROP TRIGGER action_plans_tally_delete ON action_plans;
DROP TRIGGER action_plans_tally_update ON action_plans;

CREATE TRIGGER action_plans_tally_insert AFTER INSERT ON action_plans
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION action_plans_tally_added();

CREATE TRIGGER action_plans_tally_delete AFTER DELETE ON action_plans
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION action_plans_tally_removed();

CREATE TRIGGER action_plans_tally_update AFTER UPDATE ON action_plans
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION action_plans_tally_changed();
