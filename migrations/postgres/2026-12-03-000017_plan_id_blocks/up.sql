-- How many action plans each range of 2,048 ids holds (block n: ids 2048n to 2048n + 2047),
-- kept by triggers in the same transaction as every plan inserted or deleted. A page of every
-- plan in id order far from the start (`offset=900000`) adds these counts up to find the
-- block where it begins and steps over at most 2,047 plans, where an OFFSET steps over every
-- plan before the page (the ids alone, 274 ms at a million at 8 clients). Ids never change,
-- so updates leave them be. Rows whose count falls to 0 (or below, in one shard) stay.
--
-- Concurrent writes of new plans all land in the newest block: each counts into the shard of
-- its connection (one of 8), so that they do not queue behind one row lock until each other's
-- commits. A block's count is the sum of its shards.
CREATE TABLE action_plan_id_blocks (
    block BIGINT NOT NULL,
    shard INTEGER NOT NULL,
    plans BIGINT NOT NULL,
    PRIMARY KEY (block, shard)
);

INSERT INTO action_plan_id_blocks (block, shard, plans)
    SELECT id / 2048, 0, COUNT(*) FROM action_plans GROUP BY id / 2048;

-- Statement-level, over the rows a statement inserted or deleted (`changed`), as the tallies
-- of migration 000006; and standing aside, as they do, while an import of many plans defers
-- its counts to one recount at its end (migration 000007).
CREATE FUNCTION action_plans_blocks_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO action_plan_id_blocks (block, shard, plans)
        SELECT id / 2048, pg_backend_pid() % 8,
               CASE WHEN TG_OP = 'INSERT' THEN COUNT(*) ELSE -COUNT(*) END
        FROM changed GROUP BY id / 2048 ORDER BY id / 2048
        ON CONFLICT (block, shard) DO UPDATE SET plans = action_plan_id_blocks.plans + EXCLUDED.plans;
    RETURN NULL;
END
$$;

CREATE TRIGGER action_plans_block_insert AFTER INSERT ON action_plans
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT
    WHEN (current_setting('jalin.tallies_deferred', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION action_plans_blocks_changed();

CREATE TRIGGER action_plans_block_delete AFTER DELETE ON action_plans
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT
    WHEN (current_setting('jalin.tallies_deferred', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION action_plans_blocks_changed();
