-- Team notifications: each member chooses what they hear about and how, and every
-- notification waits in a durable outbox (written in the same transaction as the change
-- it reports) until it is delivered. Rows hold the event's kind and ids only, never
-- visitor data: the text is composed when it is sent.
ALTER TABLE users ADD COLUMN notify_leads BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN notify_appointments BIGINT NOT NULL DEFAULT 1;
-- E.164; NULL: no text messages.
ALTER TABLE users ADD COLUMN sms_phone TEXT;

-- No row-level security: the delivery worker serves every business, and a row holds
-- only an event id and a team member's own address.
CREATE TABLE notification_outbox (
    id               TEXT PRIMARY KEY,
    business_id      TEXT NOT NULL,
    event_kind       TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    starts_at        BIGINT,
    user_id          TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    destination      TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_at);
CREATE INDEX notification_outbox_business ON notification_outbox (business_id, status);
