-- Who may write (tokens, of which only a hash is kept) and who wrote what (the audit trail,
-- appended in the same transaction as each write and never edited).

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    -- SHA-256 of the token, hex: the token itself is shown once and never stored.
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    resource_type TEXT NOT NULL,
    resource_id BIGINT NOT NULL,
    -- {"field": [old, new], ...} as JSON text, the same on both backends.
    changes TEXT NOT NULL
);
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor);
CREATE INDEX audit_events_at_idx ON audit_events (at);
