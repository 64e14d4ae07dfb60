DROP INDEX organizations_key_bytes_idx;
DROP INDEX contacts_key_bytes_idx;
ALTER TABLE milestones DROP COLUMN document_id;
DROP TABLE document_files;
DROP TABLE documents;
