-- Back to the agreements of before the lifecycle: fails on institutional agreements, which
-- the old CHECK does not allow (delete them first).
PRAGMA foreign_keys = OFF;
BEGIN;

DROP TABLE agreement_organizations;

CREATE TABLE agreements_rebuilt (
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
INSERT INTO agreements_rebuilt (id, key, title, kind, instrument, status, signed_on,
        effective_from, expires_on, facilitator, legal_basis, full_power_letter_ref,
        full_power_letter_issued_on, document_url, renews_agreement_id, notes, version,
        created_at, updated_at)
    SELECT id, key, title, kind, instrument, status, signed_on, effective_from, expires_on,
        facilitator, legal_basis, full_power_letter_ref, full_power_letter_issued_on,
        document_url, renews_agreement_id, notes, version, created_at, updated_at
    FROM agreements;
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

COMMIT;
PRAGMA foreign_keys = ON;
