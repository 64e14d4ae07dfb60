-- Organizations: parties to agreements that are not regional governments (a foreign
-- university, a chamber of commerce, a city network, an international organization).
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    local_name TEXT,
    acronym TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('university', 'business_association', 'network',
        'international_organization', 'ngo', 'government_agency', 'other')),
    -- Only a network or an international organization may belong to no one country.
    country_code TEXT CHECK (country_code IS NOT NULL OR kind IN ('network', 'international_organization')),
    website TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organizations_kind_idx ON organizations (kind);
CREATE INDEX organizations_country_code_idx ON organizations (country_code);
CREATE INDEX organizations_name_idx ON organizations (name);
