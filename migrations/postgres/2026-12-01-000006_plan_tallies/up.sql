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

-- Statement-level triggers, over the rows a statement changed: a bulk statement adds its
-- plans to each tally once (a row-level trigger would update one tally row once per plan, and
-- PostgreSQL walks every version a transaction left of a row to find the latest).
CREATE FUNCTION action_plans_tally_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO action_plan_tallies (agreement_id, status, plans)
        SELECT agreement_id, status, COUNT(*) FROM added GROUP BY agreement_id, status
        ORDER BY agreement_id, status
        ON CONFLICT (agreement_id, status) DO UPDATE SET plans = action_plan_tallies.plans + EXCLUDED.plans;
    RETURN NULL;
END
$$;

CREATE FUNCTION action_plans_tally_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE action_plan_tallies t SET plans = t.plans - r.plans
        FROM (SELECT agreement_id, status, COUNT(*) AS plans FROM removed GROUP BY agreement_id, status) r
        WHERE t.agreement_id = r.agreement_id AND t.status = r.status;
    RETURN NULL;
END
$$;

CREATE FUNCTION action_plans_tally_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE action_plan_tallies t SET plans = t.plans - r.plans
        FROM (SELECT o.agreement_id, o.status, COUNT(*) AS plans
              FROM before_rows o JOIN after_rows n ON n.id = o.id
              WHERE o.agreement_id <> n.agreement_id OR o.status <> n.status
              GROUP BY o.agreement_id, o.status) r
        WHERE t.agreement_id = r.agreement_id AND t.status = r.status;
    INSERT INTO action_plan_tallies (agreement_id, status, plans)
        SELECT n.agreement_id, n.status, COUNT(*)
        FROM before_rows o JOIN after_rows n ON n.id = o.id
        WHERE o.agreement_id <> n.agreement_id OR o.status <> n.status
        GROUP BY n.agreement_id, n.status
        ORDER BY n.agreement_id, n.status
        ON CONFLICT (agreement_id, status) DO UPDATE SET plans = action_plan_tallies.plans + EXCLUDED.plans;
    RETURN NULL;
END
$$;

CREATE TRIGGER action_plans_tally_insert AFTER INSERT ON action_plans
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION action_plans_tally_added();

CREATE TRIGGER action_plans_tally_delete AFTER DELETE ON action_plans
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION action_plans_tally_removed();

CREATE TRIGGER action_plans_tally_update AFTER UPDATE ON action_plans
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION action_plans_tally_changed();
