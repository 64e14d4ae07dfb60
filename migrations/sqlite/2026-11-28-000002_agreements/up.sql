-- Agreements, what is carried out under them (action plans) and what blocks them
-- (obstacles), with their link tables. Link rows belong to their owner and go with it
-- (ON DELETE CASCADE); a region, sector or agency that is still linked cannot be deleted
-- (RESTRICT), nor can an agreement that still has action plans or obstacles.

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sister_province', 'sister_city', 'other')),
    instrument TEXT CHECK (instrument IN ('letter_of_intent', 'memorandum_of_understanding',
        'cooperation_agreement', 'other')),
    status TEXT NOT NULL CHECK (status IN ('proposed', 'negotiating', 'signed', 'active',
        'expired', 'terminated')),
    signed_on DATE,
    effective_from DATE,
    expires_on DATE,
    facilitator TEXT,
    legal_basis TEXT,
    full_power_letter_ref TEXT,
    full_power_letter_issued_on DATE,
    document_url TEXT,
    renews_agreement_id BIGINT REFERENCES agreements (id) ON DELETE RESTRICT,
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agreements_status_idx ON agreements (status);
CREATE INDEX agreements_kind_idx ON agreements (kind);
CREATE INDEX agreements_signed_on_idx ON agreements (signed_on);
CREATE INDEX agreements_expires_on_idx ON agreements (expires_on);
CREATE INDEX agreements_title_idx ON agreements (title);
CREATE INDEX agreements_renews_agreement_id_idx ON agreements (renews_agreement_id);

CREATE TABLE agreement_parties (
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    region_id BIGINT NOT NULL REFERENCES regions (id) ON DELETE RESTRICT,
    -- The order the client listed the parties in.
    position INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, region_id)
);
CREATE INDEX agreement_parties_region_id_idx ON agreement_parties (region_id);

CREATE TABLE agreement_sectors (
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    sector_id BIGINT NOT NULL REFERENCES sectors (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, sector_id)
);
CREATE INDEX agreement_sectors_sector_id_idx ON agreement_sectors (sector_id);

CREATE TABLE action_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE RESTRICT,
    title TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'implemented',
        'suspended', 'cancelled')),
    -- NULL means "to be determined".
    year INTEGER,
    start_date DATE,
    end_date DATE,
    outcome TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX action_plans_agreement_id_idx ON action_plans (agreement_id);
CREATE INDEX action_plans_status_idx ON action_plans (status);
CREATE INDEX action_plans_year_idx ON action_plans (year);
CREATE INDEX action_plans_title_idx ON action_plans (title);

CREATE TABLE action_plan_sectors (
    action_plan_id BIGINT NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    sector_id BIGINT NOT NULL REFERENCES sectors (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    PRIMARY KEY (action_plan_id, sector_id)
);
CREATE INDEX action_plan_sectors_sector_id_idx ON action_plan_sectors (sector_id);

CREATE TABLE action_plan_agencies (
    action_plan_id BIGINT NOT NULL REFERENCES action_plans (id) ON DELETE CASCADE,
    agency_id BIGINT NOT NULL REFERENCES agencies (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    PRIMARY KEY (action_plan_id, agency_id)
);
CREATE INDEX action_plan_agencies_agency_id_idx ON action_plan_agencies (agency_id);

CREATE TABLE obstacles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    -- Always set: an obstacle of an action plan also belongs to the plan's agreement.
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE RESTRICT,
    action_plan_id BIGINT REFERENCES action_plans (id) ON DELETE RESTRICT,
    category TEXT NOT NULL CHECK (category IN ('regulatory', 'financial', 'language_culture',
        'education_system', 'policy_alignment', 'data_security', 'resources', 'capacity_gap',
        'governance_difference', 'other')),
    description TEXT NOT NULL,
    severity TEXT NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high')),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'mitigated', 'resolved')),
    mitigation TEXT,
    identified_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX obstacles_agreement_id_idx ON obstacles (agreement_id);
CREATE INDEX obstacles_action_plan_id_idx ON obstacles (action_plan_id);
CREATE INDEX obstacles_category_idx ON obstacles (category);
CREATE INDEX obstacles_severity_idx ON obstacles (severity);
CREATE INDEX obstacles_status_idx ON obstacles (status);
