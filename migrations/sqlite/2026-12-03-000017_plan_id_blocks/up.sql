-- How many action plans each range of 2,048 ids holds (block n: ids 2048n to 2048n + 2047),
-- kept by triggers in the same transaction as every plan inserted or deleted. A page of every
-- plan in id order far from the start (`offset=900000`) adds these counts up to find the
-- block where it begins and steps over at most 2,047 plans, where an OFFSET steps over every
-- plan before the page (100 ms at a million). Ids never change, so updates leave them be.
-- `shard` spreads the counts of PostgreSQL's concurrent writers; SQLite, one writer at a
-- time, uses shard 0 only. Rows whose count falls to 0 stay.
CREATE TABLE action_plan_id_blocks (
    block BIGINT NOT NULL,
    shard INTEGER NOT NULL,
    plans BIGINT NOT NULL,
    PRIMARY KEY (block, shard)
);

INSERT INTO action_plan_id_blocks (block, shard, plans)
    SELECT id / 2048, 0, COUNT(*) FROM action_plans GROUP BY id / 2048;

-- An import of many plans writes a row here, in its transaction: the counting triggers (these
-- and the tallies' of migration 000006) stand aside until it recounts both at its end, as on
-- PostgreSQL (migration 000007). Two upserts per plan were a fifth of an import's time.
CREATE TABLE action_plan_counts_deferred (deferred INTEGER NOT NULL);

CREATE TRIGGER action_plans_block_insert AFTER INSERT ON action_plans
    WHEN NOT EXISTS (SELECT 1 FROM action_plan_counts_deferred)
BEGIN
    INSERT INTO action_plan_id_blocks (block, shard, plans) VALUES (NEW.id / 2048, 0, 1)
        ON CONFLICT (block, shard) DO UPDATE SET plans = plans + 1;
END;

CREATE TRIGGER action_plans_block_delete AFTER DELETE ON action_plans
    WHEN NOT EXISTS (SELECT 1 FROM action_plan_counts_deferred)
BEGIN
    UPDATE action_plan_id_blocks SET plans = plans - 1 WHERE block = OLD.id / 2048 AND shard = 0;
END;

DROP TRIGGER action_plans_tally_insert;
DROP TRIGGER action_plans_tally_delete;
DROP TRIGGER action_plans_tally_update;

CREATE TRIGGER action_plans_tally_insert AFTER INSERT ON action_plans
    WHEN NOT EXISTS (SELECT 1 FROM action_plan_counts_deferred)
BEGIN
    INSERT INTO action_plan_tallies (agreement_id, status, plans) VALUES (NEW.agreement_id, NEW.status, 1)
        ON CONFLICT (agreement_id, status) DO UPDATE SET plans = plans + 1;
END;

CREATE TRIGGER action_plans_tally_delete AFTER DELETE ON action_plans
    WHEN NOT EXISTS (SELECT 1 FROM action_plan_counts_deferred)
BEGIN
    UPDATE action_plan_tallies SET plans = plans - 1
        WHERE agreement_id = OLD.agreement_id AND status = OLD.status;
END;

CREATE TRIGGER action_plans_tally_update AFTER UPDATE OF agreement_id, status ON action_plans
    WHEN (OLD.agreement_id <> NEW.agreement_id OR OLD.status <> NEW.status)
        AND NOT EXISTS (SELECT 1 FROM action_plan_counts_deferred)
BEGIN
    UPDATE action_plan_tallies SET plans = plans - 1
        WHERE agreement_id = OLD.agreement_id AND status = OLD.status;
    INSERT INTO action_plan_tallies (agreement_id, status, plans) VALUES (NEW.agreement_id, NEW.status, 1)
        ON CONFLICT (agreement_id, status) DO UPDATE SET plans = plans + 1;
END;
