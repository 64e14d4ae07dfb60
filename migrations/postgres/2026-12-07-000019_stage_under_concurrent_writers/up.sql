-- An agreement's `stage` is recomputed from its milestones by the triggers of migration 000012.
-- At READ COMMITTED two transactions that each add a done milestone to one agreement both read
-- the milestones before either commits: each sees its own and not the other's, and the one
-- that commits last writes the stage its snapshot gave (16 writers through three processes:
-- 31 of 50 agreements left at `signing` with a `deposit` done). Each trigger now takes the
-- agreement's row first, in id order when a milestone moves between two, and reads the
-- milestones in a later statement, whose snapshot (a new one per statement in a volatile
-- function) then holds every milestone committed by the transactions that held the row before
-- it. `FOR NO KEY UPDATE` is the lock the UPDATE takes anyway, and it does not wait for the
-- key-share locks that inserting a milestone takes on its agreement.
--
-- A stage that changes is a change of the agreement as GET shows it: its `version` (its ETag)
-- and `updated_at` move on, so that a client holding the old ETag is not told `304 Not
-- Modified` about a stale stage, nor its `If-Match` taken as current.
CREATE OR REPLACE FUNCTION agreement_restage(agreement BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    derived TEXT;
BEGIN
    SELECT m.stage INTO derived FROM milestones m
        WHERE m.agreement_id = agreement AND m.status = 'done' AND m.stage <> 'other'
        ORDER BY CASE m.stage WHEN 'exploration' THEN 0 WHEN 'letter_of_intent' THEN 1 WHEN 'cooperation_plan' THEN 2 WHEN 'dprd_approval' THEN 3 WHEN 'central_government_review' THEN 4 WHEN 'full_power_letter' THEN 5 WHEN 'signing' THEN 6 WHEN 'deposit' THEN 7 WHEN 'evaluation' THEN 8 WHEN 'renewal' THEN 9 WHEN 'termination' THEN 10 END DESC
        LIMIT 1;
    UPDATE agreements
        SET stage = derived, version = version + 1, updated_at = date_trunc('microseconds', now() AT TIME ZONE 'UTC')
        WHERE id = agreement AND stage IS DISTINCT FROM derived;
END
$$;

CREATE OR REPLACE FUNCTION milestones_restage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    first_agreement BIGINT;
    second_agreement BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        first_agreement := NEW.agreement_id;
    ELSIF TG_OP = 'DELETE' OR NEW.agreement_id = OLD.agreement_id THEN
        first_agreement := OLD.agreement_id;
    ELSE
        first_agreement := LEAST(OLD.agreement_id, NEW.agreement_id);
        second_agreement := GREATEST(OLD.agreement_id, NEW.agreement_id);
    END IF;
    -- The rows first, then the milestones, each in a statement of its own.
    PERFORM 1 FROM agreements WHERE id IN (first_agreement, second_agreement) ORDER BY id FOR NO KEY UPDATE;
    PERFORM agreement_restage(first_agreement);
    IF second_agreement IS NOT NULL THEN
        PERFORM agreement_restage(second_agreement);
    END IF;
    RETURN NULL;
END
$$;
