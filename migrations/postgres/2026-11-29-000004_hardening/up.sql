-- Token names are the actors of the audit trail, so a live token's name must say who acts:
-- unique among live tokens, and never one of the names the system itself writes under.
-- Tokens made before this rule keep working; a name they shared or took is given a suffix.

UPDATE api_tokens SET name = name || '-' || CAST(id AS TEXT)
WHERE revoked_at IS NULL
  AND (name IN ('cli', 'demo', 'import', 'system')
       OR id NOT IN (SELECT MIN(id) FROM api_tokens WHERE revoked_at IS NULL GROUP BY name));

CREATE UNIQUE INDEX api_tokens_name_key ON api_tokens (name) WHERE revoked_at IS NULL;

-- Exports order keys by their bytes on both backends (COLLATE "C"); the unique index on `key`
-- follows the database's locale and cannot serve that order, so each list gets one that does.
CREATE INDEX regions_key_bytes_idx ON regions (key COLLATE "C");
CREATE INDEX sectors_key_bytes_idx ON sectors (key COLLATE "C");
CREATE INDEX agencies_key_bytes_idx ON agencies (key COLLATE "C");
CREATE INDEX agreements_key_bytes_idx ON agreements (key COLLATE "C");
CREATE INDEX action_plans_key_bytes_idx ON action_plans (key COLLATE "C");
CREATE INDEX obstacles_key_bytes_idx ON obstacles (key COLLATE "C");
