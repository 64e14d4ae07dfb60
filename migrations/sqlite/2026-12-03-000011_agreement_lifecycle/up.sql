-- The cooperation lifecycle on agreements: the kind `institutional` (a region with a foreign
-- institution), organizations as parties, the procedure `stage` that milestones derive, and
-- `amends_agreement_id` (an addendum). SQLite widens a CHECK only by rebuilding the table: a
-- copy under the new definition replaces the old, its ids, AUTOINCREMENT counter and indexes
-- kept; the tables that refer to agreements refer to it by name and so to the copy.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE agreements_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('sister_province', 'sister_city', 'institutional', 'other')),
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
    amends_agreement_id BIGINT REFERENCES agreements (id) ON DELETE RESTRICT,
    -- Derived from the agreement's milestones by their triggers; never written by the API.
    stage TEXT CHECK (stage IN ('exploration', 'letter_of_intent', 'cooperation_plan',
        'dprd_approval', 'central_government_review', 'full_power_letter', 'signing', 'deposit',
        'evaluation', 'renewal', 'termination')),
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

INSERT INTO agreements_rebuilt (id, key, title, kind, instrument, status, signed_on,
        effective_from, expires_on, facilitator, legal_basis, full_power_letter_ref,
        full_power_letter_issued_on, document_url, renews_agreement_id, notes, version,
        created_at, updated_at)
    SELECT id, key, title, kind, instrument, status, signed_on, effective_from, expires_on,
        facilitator, legal_basis, full_power_letter_ref, full_power_letter_issued_on,
        document_url, renews_agreement_id, notes, version, created_at, updated_at
    FROM agreements;

-- The counter goes on from where the old table's stood: an id once given is never given again.
DELETE FROM sqlite_sequence WHERE name = 'agreements_rebuilt';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'agreements_rebuilt', seq FROM sqlite_sequence WHERE name = 'agreements';

DROP TABLE agreements;
ALTER TABLE agreements_rebuilt RENAME TO agreements;

CREATE INDEX agreements_status_idx ON agreements (status);
CREATE INDEX agreements_kind_idx ON agreements (kind);
CREATE INDEX agreements_signed_on_idx ON agreements (signed_on);
CREATE INDEX agreements_expires_on_idx ON agreements (expires_on);
CREATE INDEX agreements_title_idx ON agreements (title);
CREATE INDEX agreements_renews_agreement_id_idx ON agreements (renews_agreement_id);
CREATE INDEX agreements_amends_agreement_id_idx ON agreements (amends_agreement_id);
CREATE INDEX agreements_stage_idx ON agreements (stage);

-- Organizations that are parties, after the regions, in the order given. (IF NOT EXISTS: the
-- migration runs outside diesel's transaction, so a crash between its COMMIT and diesel's
-- record of it would run it again; the rebuild above repeats safely.)
CREATE TABLE IF NOT EXISTS agreement_organizations (
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, organization_id)
);
CREATE INDEX IF NOT EXISTS agreement_organizations_organization_id_idx ON agreement_organizations (organization_id);
CREATE INDEX IF NOT EXISTS agreement_organizations_in_order_idx ON agreement_organizations (agreement_id, position, organization_id);

COMMIT;
PRAGMA foreign_keys = ON;
