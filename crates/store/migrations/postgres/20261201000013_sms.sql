-- Text messages with visitors.
--
-- Opt-outs are suppression records: a number that texted STOP to a business is never
-- texted by it again (replies and team notifications alike) until it texts START. They
-- are kept when a visitor's other data is deleted, since forgetting one would text them.
CREATE TABLE sms_opt_outs (
    business_id   TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    -- E.164.
    phone         TEXT NOT NULL,
    opted_out_at  BIGINT NOT NULL,
    PRIMARY KEY (business_id, phone)
);

-- A number's ongoing conversation with a business. The visitor id is random per
-- business and number, so the same person texting two businesses can't be linked.
CREATE TABLE sms_threads (
    business_id      TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    phone            TEXT NOT NULL,
    visitor_id       TEXT NOT NULL,
    conversation_id  TEXT,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (business_id, phone)
);

-- Inbound texts by the provider's event id: stored before the webhook is acknowledged
-- (providers wait seconds at most, a model's answer can take longer), answered by the
-- server's worker, and kept as ids only once answered, so a provider's retry of the same
-- event is recognised and never answered twice.
CREATE TABLE sms_inbound_events (
    business_id      TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    provider         TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    -- The numbers and text are emptied once answered: the transcript keeps what the
    -- assistant saw, and only the event id is needed to recognise a retry.
    from_number      TEXT NOT NULL,
    to_number        TEXT NOT NULL,
    text             TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'answering', 'answered', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    received_at      BIGINT NOT NULL,
    PRIMARY KEY (business_id, provider, event_id)
);
CREATE INDEX sms_inbound_events_due ON sms_inbound_events (business_id, status, next_attempt_at);

-- Texts to visitors, written before the webhook is answered and delivered (with
-- retries) by the server's worker. The body is cleared once the text is sent or given
-- up: the transcript keeps the reply, the outbox needn't.
CREATE TABLE sms_outbox (
    id               TEXT PRIMARY KEY,
    business_id      TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    from_number      TEXT NOT NULL,
    to_number        TEXT NOT NULL,
    body             TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('regular', 'opt_out_confirmation')),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX sms_outbox_due ON sms_outbox (business_id, status, next_attempt_at);
SELECT frontdesk_tenant_table('sms_opt_outs');
SELECT frontdesk_tenant_table('sms_threads');
SELECT frontdesk_tenant_table('sms_inbound_events');
SELECT frontdesk_tenant_table('sms_outbox');
