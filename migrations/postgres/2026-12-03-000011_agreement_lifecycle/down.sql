DROP TABLE agreement_organizations;
ALTER TABLE agreements DROP COLUMN stage, DROP COLUMN amends_agreement_id;
ALTER TABLE agreements DROP CONSTRAINT agreements_kind_check;
ALTER TABLE agreements ADD CONSTRAINT agreements_kind_check
    CHECK (kind IN ('sister_province', 'sister_city', 'other'));
