DROP TRIGGER action_plans_tally_update;
DROP TRIGGER action_plans_tally_delete;
DROP TRIGGER action_plans_tally_insert;

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

DROP TRIGGER action_plans_block_delete;
DROP TRIGGER action_plans_block_insert;
DROP TABLE action_plan_counts_deferred;
DROP TABLE action_plan_id_blocks;
