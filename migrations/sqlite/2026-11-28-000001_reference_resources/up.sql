-- Regions, sectors and agencies: the reference records that agreements and action plans
-- point at. Enumerations are TEXT with CHECK constraints so that a bad value cannot get in
-- even past the API; timestamps are UTC.

CREATE TABLE regions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    local_name TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('province', 'state', 'region', 'prefecture', 'county',
        'city', 'regency', 'municipality', 'district', 'other')),
    country_code TEXT NOT NULL,
    subdivision_code TEXT UNIQUE,
    capital TEXT,
    area_km2 DOUBLE PRECISION CHECK (area_km2 > 0),
    population BIGINT CHECK (population >= 0),
    population_year INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX regions_country_code_idx ON regions (country_code);
CREATE INDEX regions_kind_idx ON regions (kind);
CREATE INDEX regions_name_idx ON regions (name);

CREATE TABLE sectors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    local_name TEXT,
    description TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX sectors_name_idx ON sectors (name);

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    english_name TEXT,
    acronym TEXT,
    country_code TEXT NOT NULL,
    -- A national body has no region; a regional office cannot outlive its region.
    region_id BIGINT REFERENCES regions (id) ON DELETE RESTRICT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agencies_region_id_idx ON agencies (region_id);
CREATE INDEX agencies_country_code_idx ON agencies (country_code);
CREATE INDEX agencies_name_idx ON agencies (name);
