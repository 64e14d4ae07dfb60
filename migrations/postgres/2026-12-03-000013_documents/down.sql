ALTER TABLE milestones DROP COLUMN document_id;
DROP TABLE document_files;
DROP TABLE documents;
