-- Contacts: the focal points of an agency, an organization or a region (personal data: every
-- contacts endpoint needs a token).
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    position TEXT,
    email TEXT,
    phone TEXT,
    agency_id BIGINT REFERENCES agencies (id) ON DELETE RESTRICT,
    organization_id BIGINT REFERENCES organizations (id) ON DELETE RESTRICT,
    region_id BIGINT REFERENCES regions (id) ON DELETE RESTRICT,
    -- A JSON array of BCP 47 tags.
    languages TEXT NOT NULL DEFAULT '[]',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    notes TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- Exactly one of whom the contact works for.
    CHECK ((agency_id IS NOT NULL) + (organization_id IS NOT NULL) + (region_id IS NOT NULL) = 1)
);
CREATE INDEX contacts_agency_id_idx ON contacts (agency_id);
CREATE INDEX contacts_organization_id_idx ON contacts (organization_id);
CREATE INDEX contacts_region_id_idx ON contacts (region_id);
CREATE INDEX contacts_active_idx ON contacts (active);
CREATE INDEX contacts_name_idx ON contacts (name);
