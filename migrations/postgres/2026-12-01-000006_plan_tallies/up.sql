-- How many action plans each agreement has in each status, kept by triggers in the same
-- transaction as every change to a plan. The overview counts the plans of the whole registry
-- (or of the agreements a filter selects) by status and by partner country: from the plans
-- themselves that is a scan of every plan, seconds at a million; from these counts it reads a
-- few rows per agreement. Rows whose count falls to 0 stay.
CREATE TABLE action_plan_tallies (
    agreement_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    plans BIGINT NOT NULL,
    PRIMARY KEY (agreement_id, status)
);

INSERT INTO action_plan_tallies (agreement_id, status, plans)
    SELECT agreement_id, status, COUNT(*) FROM action_plans GROUP BY agreement_id, status;

CREATE FUNCTION action_plans_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE action_plan_tallies SET plans = plans - 1
            WHERE agreement_id = OLD.agreement_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO action_plan_tallies (agreement_id, status, plans) VALUES (NEW.agreement_id, NEW.status, 1)
            ON CONFLICT (agreement_id, status) DO UPDATE SET plans = action_plan_tallies.plans + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER action_plans_tally_insert_delete AFTER INSERT OR DELETE ON action_plans
    FOR EACH ROW EXECUTE FUNCTION action_plans_tally();

CREATE TRIGGER action_plans_tally_update AFTER UPDATE OF agreement_id, status ON action_plans
    FOR EACH ROW
    WHEN (OLD.agreement_id IS DISTINCT FROM NEW.agreement_id OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION action_plans_tally();
