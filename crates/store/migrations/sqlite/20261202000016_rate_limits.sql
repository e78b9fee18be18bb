-- Request counters of the rate limiter, shared by every server instance using this
-- database. One row per limited key (a route, a scope and a client address or business)
-- holding the hits of its current fixed window; a hit in a later window restarts the
-- count. Rows are swept once their window is over, so a client address is never kept
-- longer than the limiter's window. No row-level security: the limiter runs before a
-- tenant is known, and a row holds only a counter.
CREATE TABLE rate_limits (
    key           TEXT PRIMARY KEY,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX rate_limits_expiry ON rate_limits (expires_at);
