-- Appointments booked by the assistant. Booking takes the business row's write lock
-- first, then checks for overlaps and inserts, so two visitors never get one slot.
CREATE TABLE appointments (
    id                 TEXT PRIMARY KEY,
    business_id        TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    -- What the visitor quotes to reschedule or cancel; unique within the business.
    code               TEXT NOT NULL,
    service            TEXT,
    starts_at          BIGINT NOT NULL,
    ends_at            BIGINT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'no_show')),
    conversation_id    TEXT REFERENCES conversations(id) ON DELETE SET NULL,
    lead_id            TEXT REFERENCES leads(id) ON DELETE SET NULL,
    visitor_id         TEXT,
    calendar_event_id  TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    CHECK (ends_at > starts_at),
    UNIQUE (business_id, code)
);
CREATE INDEX appointments_business_time ON appointments (business_id, starts_at);
