-- A business's Google Calendar connection: which calendar, and the refresh token sealed
-- with the server's keyring (AES-256-GCM, the key id beside it so keys can be rotated).
-- When Google revokes the grant the token columns are cleared at once and the row keeps
-- only a notice for the dashboard; a disconnect deletes the row.
CREATE TABLE calendar_connections (
    business_id     TEXT PRIMARY KEY REFERENCES businesses(id) ON DELETE CASCADE,
    calendar_id     TEXT,
    refresh_sealed  TEXT,
    refresh_key_id  TEXT,
    connected_at    BIGINT,
    revoked_notice  TEXT,
    revoked_at      BIGINT,
    CHECK ((refresh_sealed IS NULL) = (refresh_key_id IS NULL)),
    CHECK ((refresh_sealed IS NULL) = (calendar_id IS NULL))
);

-- A connect in progress: the PKCE verifier (sealed) and the OAuth state, bound to the
-- dashboard session that started it, until the callback takes it or it expires.
CREATE TABLE calendar_connect_attempts (
    session_id       TEXT PRIMARY KEY,
    business_id      TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    state            TEXT NOT NULL,
    verifier_sealed  TEXT NOT NULL,
    verifier_key_id  TEXT NOT NULL,
    expires_at       BIGINT NOT NULL
);
SELECT frontdesk_tenant_table('calendar_connections');
SELECT frontdesk_tenant_table('calendar_connect_attempts');
