-- Orders a shop without Shopify imported from CSV (`frontdesk orders import`), one
-- shipment per order. Only what a caller may hear about their own order, plus the
-- contact used to confirm they own it.
CREATE TABLE orders (
    business_id      TEXT NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
    number           TEXT NOT NULL,
    placed_at        BIGINT NOT NULL,
    payment          TEXT NOT NULL,
    fulfillment      TEXT NOT NULL,
    carrier          TEXT,
    tracking_number  TEXT,
    tracking_url     TEXT,
    phone            TEXT,
    email            TEXT,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (business_id, number)
);
CREATE INDEX orders_by_phone ON orders (business_id, phone, placed_at);
SELECT frontdesk_tenant_table('orders');
