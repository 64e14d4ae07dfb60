-- The register of an agreement's papers, with the file itself when there is one. A file's
-- bytes live in `document_files`, in chunks of at most 256 KiB in order (`seq`), so that an
-- upload is written and a download read a chunk at a time, never whole, and so that lists,
-- which read `documents` only, never load them. Its description (type, size, SHA-256) stays
-- on the document, which a list shows.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE RESTRICT,
    action_plan_id BIGINT REFERENCES action_plans (id) ON DELETE RESTRICT,
    category TEXT NOT NULL CHECK (category IN ('letter_of_intent', 'memorandum_of_understanding', 'cooperation_agreement', 'work_plan', 'dprd_decision', 'full_power_letter', 'minutes', 'report', 'correspondence', 'other')),
    title TEXT NOT NULL,
    issued_on DATE,
    language TEXT,
    reference TEXT,
    url TEXT,
    notes TEXT,
    file_media_type TEXT,
    file_size BIGINT,
    file_sha256 TEXT,
    file_uploaded_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- A file is described whole or not at all.
    CHECK ((file_sha256 IS NULL) = (file_media_type IS NULL) AND (file_sha256 IS NULL) = (file_size IS NULL)
        AND (file_sha256 IS NULL) = (file_uploaded_at IS NULL))
);
CREATE INDEX documents_agreement_id_idx ON documents (agreement_id);
CREATE INDEX documents_action_plan_id_idx ON documents (action_plan_id);
CREATE INDEX documents_category_idx ON documents (category);
CREATE INDEX documents_language_idx ON documents (language);
CREATE INDEX documents_issued_on_idx ON documents (issued_on);
CREATE INDEX documents_title_idx ON documents (title);

CREATE TABLE document_files (
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (document_id, seq)
);

-- The paper a step of the procedure produced (a document of the same agreement).
ALTER TABLE milestones ADD COLUMN document_id BIGINT REFERENCES documents (id) ON DELETE RESTRICT;
CREATE INDEX milestones_document_id_idx ON milestones (document_id);
