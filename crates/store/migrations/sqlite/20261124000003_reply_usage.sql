-- Tokens and latency of every model-written reply, for the owner's cost view. Written in
-- the same transaction as the turn it belongs to.
CREATE TABLE reply_usage (
    id               TEXT PRIMARY KEY,
    business_id      TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    conversation_id  TEXT NOT NULL,
    model            TEXT NOT NULL,
    input_tokens     BIGINT NOT NULL,
    output_tokens    BIGINT NOT NULL,
    calls            INTEGER NOT NULL,
    latency_ms       BIGINT NOT NULL,
    first_text_ms    BIGINT,
    fallback         TEXT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX reply_usage_business ON reply_usage (business_id, created_at);
