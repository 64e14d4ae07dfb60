DROP TRIGGER milestones_stage_insert;
DROP TRIGGER milestones_stage_delete;
DROP TRIGGER milestones_stage_update;
DROP VIEW done_stages;

-- The triggers of migration 000012, as they were.
CREATE TRIGGER milestones_stage_insert AFTER INSERT ON milestones
BEGIN
    UPDATE agreements SET stage = (SELECT m.stage FROM milestones m
            WHERE m.agreement_id = NEW.agreement_id AND m.status = 'done' AND m.stage <> 'other'
            ORDER BY CASE m.stage WHEN 'exploration' THEN 0 WHEN 'letter_of_intent' THEN 1 WHEN 'cooperation_plan' THEN 2 WHEN 'dprd_approval' THEN 3 WHEN 'central_government_review' THEN 4 WHEN 'full_power_letter' THEN 5 WHEN 'signing' THEN 6 WHEN 'deposit' THEN 7 WHEN 'evaluation' THEN 8 WHEN 'renewal' THEN 9 WHEN 'termination' THEN 10 END DESC LIMIT 1)
        WHERE id = NEW.agreement_id;
END;

CREATE TRIGGER milestones_stage_delete AFTER DELETE ON milestones
BEGIN
    UPDATE agreements SET stage = (SELECT m.stage FROM milestones m
            WHERE m.agreement_id = OLD.agreement_id AND m.status = 'done' AND m.stage <> 'other'
            ORDER BY CASE m.stage WHEN 'exploration' THEN 0 WHEN 'letter_of_intent' THEN 1 WHEN 'cooperation_plan' THEN 2 WHEN 'dprd_approval' THEN 3 WHEN 'central_government_review' THEN 4 WHEN 'full_power_letter' THEN 5 WHEN 'signing' THEN 6 WHEN 'deposit' THEN 7 WHEN 'evaluation' THEN 8 WHEN 'renewal' THEN 9 WHEN 'termination' THEN 10 END DESC LIMIT 1)
        WHERE id = OLD.agreement_id;
END;

CREATE TRIGGER milestones_stage_update AFTER UPDATE OF agreement_id, stage, status ON milestones
BEGIN
    UPDATE agreements SET stage = (SELECT m.stage FROM milestones m
            WHERE m.agreement_id = OLD.agreement_id AND m.status = 'done' AND m.stage <> 'other'
            ORDER BY CASE m.stage WHEN 'exploration' THEN 0 WHEN 'letter_of_intent' THEN 1 WHEN 'cooperation_plan' THEN 2 WHEN 'dprd_approval' THEN 3 WHEN 'central_government_review' THEN 4 WHEN 'full_power_letter' THEN 5 WHEN 'signing' THEN 6 WHEN 'deposit' THEN 7 WHEN 'evaluation' THEN 8 WHEN 'renewal' THEN 9 WHEN 'termination' THEN 10 END DESC LIMIT 1)
        WHERE id = OLD.agreement_id;
    UPDATE agreements SET stage = (SELECT m.stage FROM milestones m
            WHERE m.agreement_id = NEW.agreement_id AND m.status = 'done' AND m.stage <> 'other'
            ORDER BY CASE m.stage WHEN 'exploration' THEN 0 WHEN 'letter_of_intent' THEN 1 WHEN 'cooperation_plan' THEN 2 WHEN 'dprd_approval' THEN 3 WHEN 'central_government_review' THEN 4 WHEN 'full_power_letter' THEN 5 WHEN 'signing' THEN 6 WHEN 'deposit' THEN 7 WHEN 'evaluation' THEN 8 WHEN 'renewal' THEN 9 WHEN 'termination' THEN 10 END DESC LIMIT 1)
        WHERE id = NEW.agreement_id AND NEW.agreement_id <> OLD.agreement_id;
END;
