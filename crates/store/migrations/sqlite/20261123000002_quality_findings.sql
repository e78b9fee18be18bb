-- What the background quality checks found, for the owner's Quality view.
CREATE TABLE quality_findings (
    id               TEXT PRIMARY KEY,
    business_id      TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    conversation_id  TEXT NOT NULL,
    kind             TEXT NOT NULL,
    rule             TEXT NOT NULL,
    detail           TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX quality_findings_business ON quality_findings (business_id, created_at);
