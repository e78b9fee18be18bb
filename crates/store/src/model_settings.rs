//! A business's own language model, with its API key sealed at rest.

use frontdesk_core::assistant::StoreError;
use frontdesk_core::conversation::BusinessId;
use frontdesk_core::llm::{ApiKey, ModelSettings, ModelVendor};
use jiff::Timestamp;
use sqlx::Row;

use crate::secrets::{Keyring, Sealed};
use crate::store::{backend_error, millis};
use crate::Store;

/// Binds a sealed key to its business, so it can't be moved to another one.
fn context(business: impl std::fmt::Display) -> String {
    format!("model_api_key:{business}")
}

impl Store {
    pub(crate) fn keyring(&self) -> Result<&Keyring, StoreError> {
        self.keyring
            .as_deref()
            .ok_or_else(|| StoreError::Conflict(crate::SecretError::NoKey.to_string()))
    }

    /// Sets (or with `None`, clears) the model a business uses. Touches the business so
    /// every server's cache picks the change up.
    pub async fn set_model_settings(
        &self,
        business: BusinessId,
        settings: Option<&ModelSettings>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let id = business.to_string();
        match settings {
            Some(settings) => {
                let sealed = settings
                    .api_key
                    .as_ref()
                    .map(|key| {
                        Ok::<_, StoreError>(self.keyring()?.seal(key.expose(), &context(business)))
                    })
                    .transpose()?;
                sqlx::query(
                    "INSERT INTO business_model_settings (business_id, vendor, model, base_url, api_key_sealed, api_key_key_id, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (business_id) DO UPDATE SET vendor = excluded.vendor, model = excluded.model, base_url = excluded.base_url, \
                     api_key_sealed = excluded.api_key_sealed, api_key_key_id = excluded.api_key_key_id, updated_at = excluded.updated_at",
                )
                .bind(&id)
                .bind(settings.vendor.as_str())
                .bind(settings.model.as_str())
                .bind(settings.base_url.as_deref())
                .bind(sealed.as_ref().map(|s| s.ciphertext.as_str()))
                .bind(sealed.as_ref().map(|s| s.key_id.as_str()))
                .bind(millis(at))
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
            }
            None => {
                sqlx::query("DELETE FROM business_model_settings WHERE business_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
            }
        }
        let touched = sqlx::query("UPDATE businesses SET updated_at = $1 WHERE id = $2")
            .bind(millis(at))
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        if touched.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await.map_err(backend_error)
    }

    /// The model a business uses, its key opened, or None for the global default.
    pub async fn model_settings(
        &self,
        business: BusinessId,
    ) -> Result<Option<ModelSettings>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(
            "SELECT vendor, model, base_url, api_key_sealed, api_key_key_id FROM business_model_settings WHERE business_id = $1",
        )
        .bind(business.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let vendor: String = row.try_get("vendor").map_err(backend_error)?;
        let sealed: Option<String> = row.try_get("api_key_sealed").map_err(backend_error)?;
        let key_id: Option<String> = row.try_get("api_key_key_id").map_err(backend_error)?;
        let api_key = match (sealed, key_id) {
            (Some(ciphertext), Some(key_id)) => {
                let sealed = Sealed { key_id, ciphertext };
                let key = self
                    .keyring()?
                    .open(&sealed, &context(business))
                    .map_err(|e| StoreError::Conflict(e.to_string()))?;
                Some(ApiKey::new(key))
            }
            _ => None,
        };
        Ok(Some(ModelSettings {
            vendor: ModelVendor::parse(&vendor).ok_or_else(|| {
                StoreError::Conflict(format!("stored model vendor {vendor:?} is unknown"))
            })?,
            model: row.try_get("model").map_err(backend_error)?,
            base_url: row.try_get("base_url").map_err(backend_error)?,
            api_key,
        }))
    }

    /// Re-seals every stored credential with the active key, so older keys can be
    /// retired. Returns how many were re-sealed; safe to run again after an interruption.
    ///
    /// Walks the businesses one at a time, each in its own tenant transaction (row-level
    /// security shows no settings to a query spanning businesses); a settings row can't
    /// outlive its business, whose foreign key cascades.
    pub async fn rotate_secrets(&self) -> Result<usize, StoreError> {
        let keyring = self.keyring()?;
        let mut rotated = 0;
        for business in self.business_ids().await? {
            let mut tx = self.tenant_tx(business).await?;
            let row = sqlx::query(
                "SELECT api_key_sealed, api_key_key_id FROM business_model_settings \
                 WHERE business_id = $1 AND api_key_sealed IS NOT NULL AND api_key_key_id <> $2",
            )
            .bind(business.to_string())
            .bind(keyring.active_id())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend_error)?;
            let Some(row) = row else {
                continue;
            };
            let sealed = Sealed {
                ciphertext: row.try_get("api_key_sealed").map_err(backend_error)?,
                key_id: row.try_get("api_key_key_id").map_err(backend_error)?,
            };
            let context = context(business);
            let plaintext = keyring
                .open(&sealed, &context)
                .map_err(|e| StoreError::Conflict(format!("business {business}: {e}")))?;
            let resealed = keyring.seal(&plaintext, &context);
            // Only replace what was read: a concurrent change wins over the rotation.
            let updated = sqlx::query(
                "UPDATE business_model_settings SET api_key_sealed = $1, api_key_key_id = $2 \
                 WHERE business_id = $3 AND api_key_sealed = $4",
            )
            .bind(&resealed.ciphertext)
            .bind(&resealed.key_id)
            .bind(business.to_string())
            .bind(&sealed.ciphertext)
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
            tx.commit().await.map_err(backend_error)?;
            rotated += updated.rows_affected() as usize;
        }
        Ok(rotated
            + self.rotate_totp_secrets(keyring).await?
            + self.rotate_calendar_tokens(keyring).await?
            + self.rotate_phone_tokens(keyring).await?
            + self.rotate_shopify_secrets(keyring).await?)
    }
}
