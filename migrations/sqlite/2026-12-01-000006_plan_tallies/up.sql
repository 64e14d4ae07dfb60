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

CREATE TRIGGER action_plans_tally_insert AFTER INSERT ON action_plans
BEGIN
    INSERT INTO action_plan_tallies (agreement_id, status, plans) VALUES (NEW.agreement_id, NEW.status, 1)
        ON CONFLICT (agreement_id, status) DO UPDATE SET plans = plans + 1;
END;

CREATE TRIGGER action_plans_tally_delete AFTER DELETE ON action_plans
BEGIN
    UPDATE action_plan_tallies SET plans = plans - 1
        WHERE agreement_id = OLD.agreement_id AND status = OLD.status;
END;

CREATE TRIGGER action_plans_tally_update AFTER UPDATE OF agreement_id, status ON action_plans
    WHEN OLD.agreement_id <> NEW.agreement_id OR OLD.status <> NEW.status
BEGIN
    UPDATE action_plan_tallies SET plans = plans - 1
        WHERE agreement_id = OLD.agreement_id AND status = OLD.status;
    INSERT INTO action_plan_tallies (agreement_id, status, plans) VALUES (NEW.agreement_id, NEW.status, 1)
        ON CONFLICT (agreement_id, status) DO UPDATE SET plans = plans + 1;
END;
