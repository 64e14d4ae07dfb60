-- A stage that changes is a change of the agreement as GET shows it: its `version` (its ETag)
-- and `updated_at` move on with it, so that a client holding the old ETag is not told `304 Not
-- Modified` about a stale stage, nor its `If-Match` taken as current. (PostgreSQL's triggers
-- also take the agreement's row before they read its milestones: see the PostgreSQL migration
-- of the same name. SQLite lets one transaction write at a time, and a transaction begins by
-- taking that lock, `BEGIN IMMEDIATE`, so its triggers always read every milestone committed
-- before it.) `updated_at` as the service writes it: UTC, to the microsecond.
DROP TRIGGER milestones_stage_insert;
DROP TRIGGER milestones_stage_delete;
DROP TRIGGER milestones_stage_update;

-- The done steps that make a stage, with their place in procedure order (`other` aside): a
-- plain view, which SQLite reads through `milestones_agreement_id_idx` for one agreement.
CREATE VIEW done_stages AS
    SELECT agreement_id, stage, CASE stage WHEN 'exploration' THEN 0 WHEN 'letter_of_intent' THEN 1 WHEN 'cooperation_plan' THEN 2 WHEN 'dprd_approval' THEN 3 WHEN 'central_government_review' THEN 4 WHEN 'full_power_letter' THEN 5 WHEN 'signing' THEN 6 WHEN 'deposit' THEN 7 WHEN 'evaluation' THEN 8 WHEN 'renewal' THEN 9 WHEN 'termination' THEN 10 END AS step
    FROM milestones WHERE status = 'done' AND stage <> 'other';

CREATE TRIGGER milestones_stage_insert AFTER INSERT ON milestones
BEGIN
    UPDATE agreements SET stage = (SELECT stage FROM done_stages WHERE agreement_id = NEW.agreement_id ORDER BY step DESC LIMIT 1),
            version = version + 1, updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'
        WHERE id = NEW.agreement_id AND stage IS NOT (SELECT stage FROM done_stages WHERE agreement_id = NEW.agreement_id ORDER BY step DESC LIMIT 1);
END;

CREATE TRIGGER milestones_stage_delete AFTER DELETE ON milestones
BEGIN
    UPDATE agreements SET stage = (SELECT stage FROM done_stages WHERE agreement_id = OLD.agreement_id ORDER BY step DESC LIMIT 1),
            version = version + 1, updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'
        WHERE id = OLD.agreement_id AND stage IS NOT (SELECT stage FROM done_stages WHERE agreement_id = OLD.agreement_id ORDER BY step DESC LIMIT 1);
END;

CREATE TRIGGER milestones_stage_update AFTER UPDATE OF agreement_id, stage, status ON milestones
BEGIN
    UPDATE agreements SET stage = (SELECT stage FROM done_stages WHERE agreement_id = OLD.agreement_id ORDER BY step DESC LIMIT 1),
            version = version + 1, updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'
        WHERE id = OLD.agreement_id AND stage IS NOT (SELECT stage FROM done_stages WHERE agreement_id = OLD.agreement_id ORDER BY step DESC LIMIT 1);
    UPDATE agreements SET stage = (SELECT stage FROM done_stages WHERE agreement_id = NEW.agreement_id ORDER BY step DESC LIMIT 1),
            version = version + 1, updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'
        WHERE id = NEW.agreement_id AND NEW.agreement_id <> OLD.agreement_id AND stage IS NOT (SELECT stage FROM done_stages WHERE agreement_id = NEW.agreement_id ORDER BY step DESC LIMIT 1);
END;
