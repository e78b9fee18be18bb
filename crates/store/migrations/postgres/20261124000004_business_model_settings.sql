-- A business's own language model. The API key is sealed with AES-256-GCM (see
-- secrets.rs); the key id beside it says which configured key opens it.
CREATE TABLE business_model_settings (
    business_id        TEXT PRIMARY KEY REFERENCES businesses(id) ON DELETE CASCADE,
    vendor             TEXT NOT NULL,
    model              TEXT NOT NULL,
    base_url           TEXT,
    api_key_sealed     TEXT,
    api_key_key_id     TEXT,
    updated_at         BIGINT NOT NULL
);
