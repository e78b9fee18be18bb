-- The tamper-evident audit log (see crates/core/src/audit.rs for the hash chain).
--
-- business_id has no foreign key on purpose: audit events outlive the business they
-- describe (the privacy policy keeps them six years after an account is deleted).
-- The table is append-only, enforced here rather than trusted to the application:
-- UPDATE, DELETE and TRUNCATE raise an exception. A retention job will later purge events
-- older than six years; it will have to lift this guard deliberately (and re-anchor the
-- chain), it must not find a convenient delete path. There is none today.
CREATE TABLE audit_events (
    id             TEXT PRIMARY KEY,
    business_id    TEXT NOT NULL,
    seq            BIGINT NOT NULL CHECK (seq >= 1),
    at             BIGINT NOT NULL,
    actor_user_id  TEXT,
    actor_email    TEXT,
    action         TEXT NOT NULL,
    resource       TEXT,
    ip             TEXT,
    user_agent     TEXT,
    detail         TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    UNIQUE (business_id, seq)
);
CREATE INDEX audit_events_business_at ON audit_events (business_id, at);

-- The last link of each business's chain. Appends lock this row, so they take turns per
-- business; verification compares it with the events, so a truncated tail is noticed.
CREATE TABLE audit_heads (
    business_id  TEXT PRIMARY KEY,
    seq          BIGINT NOT NULL CHECK (seq >= 1),
    hash         TEXT NOT NULL
);

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- Heads move forward only, and are never removed.
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_heads_no_truncate BEFORE TRUNCATE ON audit_heads
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_heads_forward_only BEFORE UPDATE ON audit_heads
    FOR EACH ROW WHEN (NEW.seq < OLD.seq OR NEW.business_id <> OLD.business_id)
    EXECUTE FUNCTION audit_refuse_change();
