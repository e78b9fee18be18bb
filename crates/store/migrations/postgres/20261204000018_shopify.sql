-- A shop's Shopify connection: the shop's address, the custom app's Admin API access
-- token and the webhook signing secret, both sealed with the server's keys (never stored
-- in clear). With one, the phone line reads orders from Shopify and Shopify's order
-- webhooks keep the local copy fresh.
CREATE TABLE shopify_connections (
    business_id           TEXT PRIMARY KEY REFERENCES businesses(id) ON DELETE CASCADE,
    shop                  TEXT NOT NULL,
    access_token_sealed   TEXT NOT NULL,
    webhook_secret_sealed TEXT NOT NULL,
    key_id                TEXT NOT NULL,
    updated_at            BIGINT NOT NULL
);
SELECT frontdesk_tenant_table('shopify_connections');
