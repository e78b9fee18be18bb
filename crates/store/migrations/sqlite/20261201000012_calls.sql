-- The phone line: a business's Twilio account (the auth token sealed with the server's
-- keyring, its key id beside it for rotation) and the number transfers ring.
CREATE TABLE phone_settings (
    business_id        TEXT PRIMARY KEY REFERENCES businesses(id) ON DELETE CASCADE,
    account_sid        TEXT NOT NULL,
    auth_token_sealed  TEXT NOT NULL,
    auth_token_key_id  TEXT NOT NULL,
    escalation_number  TEXT,
    updated_at         BIGINT NOT NULL
);

-- One row per call, keyed by Twilio's CallSid (webhooks are retried, so every write is
-- idempotent). `awaiting` and `pending_order` carry the call's state between webhooks:
-- what the next answer is for, and the order number waiting for its owner's proof.
-- Kept 12 months, then purged by the retention job.
CREATE TABLE calls (
    id                TEXT PRIMARY KEY,
    business_id       TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    call_sid          TEXT NOT NULL,
    conversation_id   TEXT,
    from_number       TEXT NOT NULL,
    to_number         TEXT NOT NULL,
    started_at        BIGINT NOT NULL,
    ended_at          BIGINT,
    status            TEXT NOT NULL,
    duration_seconds  BIGINT,
    retries           BIGINT NOT NULL DEFAULT 0,
    silent_streak     BIGINT NOT NULL DEFAULT 0,
    awaiting          TEXT NOT NULL DEFAULT 'question',
    pending_order     TEXT,
    transfer_outcome  TEXT,
    UNIQUE (business_id, call_sid)
);
CREATE INDEX calls_by_start ON calls (business_id, started_at);

-- What was said and answered on a call, turn by turn. `said` is stored redacted exactly
-- like chat messages (health details never reach the database); NULL for silence.
CREATE TABLE call_turns (
    id           TEXT PRIMARY KEY,
    business_id  TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    call_id      TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    seq          BIGINT NOT NULL,
    said         TEXT,
    answered     TEXT NOT NULL,
    intent       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (call_id, seq)
);
