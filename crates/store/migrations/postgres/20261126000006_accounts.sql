-- Team members, their sessions, invites, password resets, and the login limiter.
--
-- users, sessions, invites and password_resets are looked up before a tenant is known
-- (by email at login, by token hash from a cookie or a link), so they carry business_id
-- for scoping but no row-level security; every query on them still filters by business
-- once the user is known. Tokens are stored only as SHA-256 hashes.

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    business_id      TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    -- Lowercased; one account per email across the installation.
    email            TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
    -- The TOTP secret, sealed with the keyring (AES-256-GCM) and its key id.
    totp_sealed      TEXT,
    totp_key_id      TEXT,
    -- The last accepted TOTP time step: a code is accepted once.
    totp_last_step   BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX users_business ON users (business_id);

CREATE TABLE recovery_codes (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    business_id       TEXT NOT NULL,
    csrf_token        TEXT NOT NULL,
    -- 1 while the password was right but the second factor is still to come.
    pending_second_factor BIGINT NOT NULL DEFAULT 0,
    user_agent        TEXT,
    created_at        BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    revoked_at        BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE invites (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    business_id  TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
    invited_by   TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    accepted_at  BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX invites_business ON invites (business_id);

CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);

-- Failed logins within the limiter's window; older rows are deleted as new ones arrive,
-- so an IP address is never kept longer than the window.
CREATE TABLE login_failures (
    scope  TEXT NOT NULL CHECK (scope IN ('account', 'ip')),
    key    TEXT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (scope, key, at);

-- Leads captured in conversations (filled by lead capture; listed and exported here).
CREATE TABLE leads (
    id               TEXT PRIMARY KEY,
    business_id      TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    conversation_id  TEXT REFERENCES conversations(id) ON DELETE SET NULL,
    visitor_id       TEXT,
    channel          TEXT NOT NULL,
    page_url         TEXT,
    name             TEXT,
    phone            TEXT,
    email            TEXT,
    interest         TEXT,
    preferred_time   TEXT,
    consent          BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX leads_business_created ON leads (business_id, created_at);
