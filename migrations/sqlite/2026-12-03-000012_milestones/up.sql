-- The steps of an agreement's legal procedure, each with its date and reference. An agreement's
-- `stage` is the last stage, in procedure order (`other` aside), among its done milestones:
-- kept on the agreement by the triggers below, in the transaction of every change to its
-- milestones, so that the agreement list filters on it and the overview counts it by index.
CREATE TABLE milestones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE RESTRICT,
    stage TEXT NOT NULL CHECK (stage IN ('exploration', 'letter_of_intent', 'cooperation_plan', 'dprd_approval', 'central_government_review', 'full_power_letter', 'signing', 'deposit', 'evaluation', 'renewal', 'termination', 'other')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'not_required')),
    date DATE,
    -- A year-only fact is stored as January 1 with precision `year`, a month as its first day.
    date_precision TEXT NOT NULL DEFAULT 'day' CHECK (date_precision IN ('day', 'month', 'year')),
    reference TEXT,
    authority TEXT,
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX milestones_agreement_id_idx ON milestones (agreement_id, status);
CREATE INDEX milestones_stage_idx ON milestones (stage);
-- The overdue ones: pending, by date.
CREATE INDEX milestones_status_date_idx ON milestones (status, date);
CREATE INDEX milestones_date_idx ON milestones (date);

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
