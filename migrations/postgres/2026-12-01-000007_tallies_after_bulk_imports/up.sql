-- A transaction that sets `jalin.tallies_deferred` to `on` (an import of many action plans)
-- recounts the tallies of the agreements once, at its end, instead of updating them for each
-- statement: thousands of updates of the same rows in one transaction each leave a version
-- of the row that no one may yet remove, and the table stays that large (11.7 MB for 8,000
-- rows after an import of 200,000 plans, 13 ms to sum), so every read of it scans them all.
-- The triggers of migration 000006 stand aside while it is set.
DROP TRIGGER action_plans_tally_insert ON action_plans;
DROP TRIGGER action_plans_tally_delete ON action_plans;
DROP TRIGGER action_plans_tally_update ON action_plans;

CREATE TRIGGER action_plans_tally_insert AFTER INSERT ON action_plans
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT
    WHEN (current_setting('jalin.tallies_deferred', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION action_plans_tally_added();

CREATE TRIGGER action_plans_tally_delete AFTER DELETE ON action_plans
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT
    WHEN (current_setting('jalin.tallies_deferred', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION action_plans_tally_removed();

CREATE TRIGGER action_plans_tally_update AFTER UPDATE ON action_plans
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT
    WHEN (current_setting('jalin.tallies_deferred', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION action_plans_tally_changed();
