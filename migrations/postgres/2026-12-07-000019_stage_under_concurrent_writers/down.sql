CREATE OR REPLACE FUNCTION milestones_restage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM agreement_restage(OLD.agreement_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.agreement_id <> OLD.agreement_id) THEN
        PERFORM agreement_restage(NEW.agreement_id);
    END IF;
    RETURN NULL;
END
$$;

DROP FUNCTION agreement_restage(BIGINT);
CREATE FUNCTION agreement_restage(agreement BIGINT) RETURNS void LANGUAGE sql AS $$
    UPDATE agreements SET stage = (SELECT m.stage FROM milestones m
            WHERE m.agreement_id = agreement AND m.status = 'done' AND m.stage <> 'other'
            ORDER BY CASE m.stage WHEN 'exploration' THEN 0 WHEN 'letter_of_intent' THEN 1 WHEN 'cooperation_plan' THEN 2 WHEN 'dprd_approval' THEN 3 WHEN 'central_government_review' THEN 4 WHEN 'full_power_letter' THEN 5 WHEN 'signing' THEN 6 WHEN 'deposit' THEN 7 WHEN 'evaluation' THEN 8 WHEN 'renewal' THEN 9 WHEN 'termination' THEN 10 END DESC LIMIT 1)
        WHERE id = agreement;
$$;
