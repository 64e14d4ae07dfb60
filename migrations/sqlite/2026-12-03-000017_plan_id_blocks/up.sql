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

CREATE TRIGGER action_plans_block_insert AFTER INSERT ON action_plans
BEGIN
    INSERT INTO action_plan_id_blocks (block, shard, plans) VALUES (NEW.id / 2048, 0, 1)
        ON CONFLICT (block, shard) DO UPDATE SET plans = plans + 1;
END;

CREATE TRIGGER action_plans_block_delete AFTER DELETE ON action_plans
BEGIN
    UPDATE action_plan_id_blocks SET plans = plans - 1 WHERE block = OLD.id / 2048 AND shard = 0;
END;
