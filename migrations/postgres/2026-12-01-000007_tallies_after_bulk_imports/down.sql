-- The tallies kept for every statement again, whatever the transaction.
CREATE OR REPLACE FUNCTION action_plans_tally_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO action_plan_tallies (agreement_id, status, plans)
        SELECT agreement_id, status, COUNT(*) FROM added GROUP BY agreement_id, status
        ORDER BY agreement_id, status
        ON CONFLICT (agreement_id, status) DO UPDATE SET plans = action_plan_tallies.plans + EXCLUDED.plans;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION action_plans_tally_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE action_plan_tallies t SET plans = t.plans - r.plans
        FROM (SELECT agreement_id, status, COUNT(*) AS plans FROM removed GROUP BY agreement_id, status) r
        WHERE t.agreement_id = r.agreement_id AND t.status = r.status;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION action_plans_tally_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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

