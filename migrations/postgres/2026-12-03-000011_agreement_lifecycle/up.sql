-- The cooperation lifecycle on agreements: the kind `institutional` (a region with a foreign
-- institution), organizations as parties, the procedure `stage` that milestones derive, and
-- `amends_agreement_id` (an addendum).
ALTER TABLE agreements DROP CONSTRAINT agreements_kind_check;
ALTER TABLE agreements ADD CONSTRAINT agreements_kind_check
    CHECK (kind IN ('sister_province', 'sister_city', 'institutional', 'other'));
ALTER TABLE agreements
    ADD COLUMN amends_agreement_id BIGINT REFERENCES agreements (id) ON DELETE RESTRICT,
    -- Derived from the agreement's milestones by their triggers; never written by the API.
    ADD COLUMN stage TEXT CHECK (stage IN ('exploration', 'letter_of_intent', 'cooperation_plan',
        'dprd_approval', 'central_government_review', 'full_power_letter', 'signing', 'deposit',
        'evaluation', 'renewal', 'termination'));
CREATE INDEX agreements_amends_agreement_id_idx ON agreements (amends_agreement_id);
CREATE INDEX agreements_stage_idx ON agreements (stage);

-- Organizations that are parties, after the regions, in the order given.
CREATE TABLE agreement_organizations (
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, organization_id)
);
CREATE INDEX agreement_organizations_organization_id_idx ON agreement_organizations (organization_id);
CREATE INDEX agreement_organizations_in_order_idx ON agreement_organizations (agreement_id, position, organization_id);
