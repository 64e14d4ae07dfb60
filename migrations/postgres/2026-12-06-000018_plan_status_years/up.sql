-- How many action plans there are in each status and first year, kept by triggers in the same
-- transaction as every change to a plan. A list of plans filtered by status and by year (the
-- dashboards' page) counts its `total` from these few rows instead of from every match (3-5 ms
-- per page at a million plans, an index-only scan of 25,000 entries).
-- `dated` is 0 for a plan whose year is to be determined (`year` then 0), 1 otherwise: the
-- year's own column stays exact for any year a plan may hold. Concurrent writers of new plans
-- mostly count into the same few rows (this year, `planned`): each counts into the shard of
-- its connection (one of 8), as for the ranges of ids (migration 000017), so that they do not
-- queue behind one row lock until each other's commits. Rows whose count falls to 0 stay.
CREATE TABLE action_plan_status_years (
    status TEXT NOT NULL,
    dated INTEGER NOT NULL,
    year INTEGER NOT NULL,
    shard INTEGER NOT NULL,
    plans BIGINT NOT NULL,
    PRIMARY KEY (status, dated, year, shard)
);

INSERT INTO action_plan_status_years (status, dated, year, shard, plans)
    SELECT status, CASE WHEN year IS NULL THEN 0 ELSE 1 END, COALESCE(year, 0), 0, COUNT(*)
    FROM action_plans GROUP BY 1, 2, 3;

-- Statement-level, over the rows a statement changed, as the other counts; and standing
-- aside, as they do, while an import of many plans defers its counts to one recount at its
-- end (migration 000007).
CREATE FUNCTION action_plans_status_years_inserted_or_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO action_plan_status_years (status, dated, year, shard, plans)
        SELECT status, CASE WHEN year IS NULL THEN 0 ELSE 1 END, COALESCE(year, 0), pg_backend_pid() % 8,
               CASE WHEN TG_OP = 'INSERT' THEN COUNT(*) ELSE -COUNT(*) END
        FROM changed GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (status, dated, year, shard)
            DO UPDATE SET plans = action_plan_status_years.plans + EXCLUDED.plans;
    RETURN NULL;
END
$$;

-- Each plan whose status or year changed leaves its old row and joins its new one.
CREATE FUNCTION action_plans_status_years_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO action_plan_status_years (status, dated, year, shard, plans)
        SELECT status, dated, year, pg_backend_pid() % 8, SUM(plans) FROM (
            SELECT o.status, CASE WHEN o.year IS NULL THEN 0 ELSE 1 END AS dated,
                   COALESCE(o.year, 0) AS year, -1 AS plans
            FROM before_rows o JOIN after_rows n ON n.id = o.id
            WHERE o.status <> n.status OR o.year IS DISTINCT FROM n.year
            UNION ALL
            SELECT n.status, CASE WHEN n.year IS NULL THEN 0 ELSE 1 END, COALESCE(n.year, 0), 1
            FROM before_rows o JOIN after_rows n ON n.id = o.id
            WHERE o.status <> n.status OR o.year IS DISTINCT FROM n.year
        ) moved
        GROUP BY status, dated, year ORDER BY status, dated, year
        ON CONFLICT (status, dated, year, shard)
            DO UPDATE SET plans = action_plan_status_years.plans + EXCLUDED.plans;
    RETURN NULL;
END
$$;

CREATE TRIGGER action_plans_status_year_insert AFTER INSERT ON action_plans
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT
    WHEN (current_setting('jalin.tallies_deferred', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION action_plans_status_years_inserted_or_deleted();

CREATE TRIGGER action_plans_status_year_delete AFTER DELETE ON action_plans
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT
    WHEN (current_setting('jalin.tallies_deferred', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION action_plans_status_years_inserted_or_deleted();

CREATE TRIGGER action_plans_status_year_update AFTER UPDATE ON action_plans
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT
    WHEN (current_setting('jalin.tallies_deferred', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION action_plans_status_years_updated();
