-- Tenant isolation a second time, in the database: every tenant table only shows (and
-- only accepts) rows of the business named by the transaction's `app.business_id`
-- setting, which the store sets with `set_config('app.business_id', $1, true)` at the
-- start of each tenant transaction (see `Store::tenant_tx`). A query that forgets to
-- filter by business, or runs without the setting, sees nothing.
--
-- The application's pool works as `frontdesk_app`, a role that is not a superuser and
-- cannot bypass row-level security; the migrations run as the connecting user, who owns
-- the tables. FORCE makes the policies hold for the owner too (superusers and roles with
-- BYPASSRLS still bypass them, which is why the pool switches role).
--
-- Not under row-level security, on purpose: `businesses` (looked up by slug before a
-- tenant is known, and listed by the CLI), `audit_heads` (a business id, a counter and a
-- hash: verification of every chain starts from them) and the account tables (users,
-- sessions, invites: a sign-in finds its user before it knows the business).

-- Roles belong to the whole cluster, not to this database or schema: another database
-- (or, in tests, another schema migrating at the same moment) may have created it
-- already, hence IF NOT EXISTS and the handler for the race between check and create.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'frontdesk_app') THEN
        CREATE ROLE frontdesk_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END;
$$;

-- The migrating user must be a member to `SET ROLE frontdesk_app` on its connections
-- (superusers may anyway, and count as members).
DO $$
BEGIN
    IF NOT pg_has_role(current_user, 'frontdesk_app', 'MEMBER') THEN
        EXECUTE format('GRANT frontdesk_app TO %I', current_user);
    END IF;
EXCEPTION WHEN unique_violation THEN
    NULL;
END;
$$;

-- Rights on this schema's tables (whichever schema the migrations run in: tests use one
-- per test), except sqlx's own bookkeeping, and on tables later migrations create.
DO $$
DECLARE
    tbl text;
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO frontdesk_app', current_schema());
    FOR tbl IN
        SELECT tablename FROM pg_tables
        WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations'
    LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.%I TO frontdesk_app',
            current_schema(), tbl);
    END LOOP;
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO frontdesk_app',
        current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
        'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO frontdesk_app', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
        'GRANT USAGE ON SEQUENCES TO frontdesk_app', current_schema());
END;
$$;

-- Puts a table under tenant isolation. A migration adding a tenant table calls
-- `SELECT frontdesk_tenant_table('the_table');` after creating it.
CREATE FUNCTION frontdesk_tenant_table(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = tbl AND attname = 'business_id' AND NOT attisdropped
    ) THEN
        RAISE EXCEPTION 'table % has no business_id column to isolate tenants by', tbl;
    END IF;
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
    EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', tbl);
    EXECUTE format('CREATE POLICY tenant_isolation ON %s '
        'USING (business_id = current_setting(''app.business_id'', true)) '
        'WITH CHECK (business_id = current_setting(''app.business_id'', true))', tbl);
END;
$$;

SELECT frontdesk_tenant_table('conversations');
SELECT frontdesk_tenant_table('messages');
SELECT frontdesk_tenant_table('quality_findings');
SELECT frontdesk_tenant_table('reply_usage');
SELECT frontdesk_tenant_table('business_model_settings');
-- The append-only triggers still fire for the rows a tenant can see; the owner (or a
-- superuser) who switches them off is what the hash chain is there to catch.
SELECT frontdesk_tenant_table('audit_events');

-- Leads belong to a business; the accounts migration (version 6) may have created them
-- before this function existed.
DO $$
BEGIN
    IF to_regclass('leads') IS NOT NULL THEN
        PERFORM frontdesk_tenant_table('leads');
    END IF;
END;
$$;
