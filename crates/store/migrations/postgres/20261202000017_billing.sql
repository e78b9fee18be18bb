-- Billing: each business's subscription as the payment provider last reported it, and
-- every provider event already handled (by id), so a retried or replayed webhook is
-- applied once. `state_at` is the creation time of the newest event applied to the row:
-- an older event arriving late never overwrites a newer state.
--
-- No row-level security: webhooks find the business by the provider's customer id
-- before a tenant is known, and these rows hold no visitor data. Nothing here is ever
-- deleted for non-payment; the rows go with their business.
CREATE TABLE billing_subscriptions (
    business_id       TEXT PRIMARY KEY REFERENCES businesses(id) ON DELETE CASCADE,
    customer_id       TEXT UNIQUE,
    subscription_id   TEXT,
    plan_id           TEXT,
    status            TEXT,
    overdue_since     BIGINT,
    current_period_end BIGINT,
    state_at          BIGINT,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE billing_events (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    outcome      TEXT NOT NULL,
    received_at  BIGINT NOT NULL
);
