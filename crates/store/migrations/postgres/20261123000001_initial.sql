-- Businesses keep the owner's TOML source so it can be exported and edited as written.
CREATE TABLE businesses (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE conversations (
    id           TEXT PRIMARY KEY,
    business_id  TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    visitor_id   TEXT NOT NULL,
    channel      TEXT NOT NULL,
    page_url     TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX conversations_business_updated ON conversations (business_id, updated_at);
CREATE INDEX conversations_business_visitor ON conversations (business_id, visitor_id);

-- business_id is repeated on messages so every tenant query filters on one column.
CREATE TABLE messages (
    id               TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    business_id      TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('visitor', 'assistant')),
    text             TEXT NOT NULL,
    safety_verdict   TEXT NOT NULL,
    safety_rules     TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX messages_conversation_order ON messages (conversation_id, created_at, id);
