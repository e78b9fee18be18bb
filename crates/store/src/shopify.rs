//! A shop's Shopify connection, its credentials sealed at rest like a model API key or a
//! Twilio token: only the server's keys open them, and nothing here prints them.

use std::fmt;

use frontdesk_core::assistant::StoreError;
use frontdesk_core::conversation::BusinessId;
use jiff::Timestamp;
use sqlx::Row;

use crate::secrets::{Keyring, Sealed};
use crate::store::{backend_error, from_millis, millis};
use crate::Store;

/// Where a shop's orders live in Shopify and the credentials to read them.
#[derive(Clone, PartialEq, Eq)]
pub struct ShopifyConnection {
    /// `name.myshopify.com` (or a full URL, for a proxy or a test server).
    pub shop: String,
    /// The custom app's Admin API access token.
    pub access_token: String,
    /// The secret Shopify signs order webhooks with.
    pub webhook_secret: String,
}

impl fmt::Debug for ShopifyConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShopifyConnection")
            .field("shop", &self.shop)
            .field("access_token", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .finish()
    }
}

fn context(what: &str, business: BusinessId) -> String {
    format!("shopify_{what}:{business}")
}

impl Store {
    /// Connects (or with `None`, disconnects) a business's Shopify store; durable on return.
    pub async fn set_shopify_connection(
        &self,
        business: BusinessId,
        connection: Option<&ShopifyConnection>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        match connection {
            Some(connection) => {
                let keyring = self.keyring()?;
                let token =
                    keyring.seal(&connection.access_token, &context("access_token", business));
                let secret = keyring.seal(
                    &connection.webhook_secret,
                    &context("webhook_secret", business),
                );
                sqlx::query(
                    "INSERT INTO shopify_connections (business_id, shop, access_token_sealed, webhook_secret_sealed, key_id, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (business_id) DO UPDATE SET shop = excluded.shop, \
                     access_token_sealed = excluded.access_token_sealed, webhook_secret_sealed = excluded.webhook_secret_sealed, \
                     key_id = excluded.key_id, updated_at = excluded.updated_at",
                )
                .bind(business.to_string())
                .bind(connection.shop.trim())
                .bind(&token.ciphertext)
                .bind(&secret.ciphertext)
                .bind(&token.key_id)
                .bind(millis(at))
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
            }
            None => {
                sqlx::query("DELETE FROM shopify_connections WHERE business_id = $1")
                    .bind(business.to_string())
                    .execute(&mut *tx)
                    .await
                    .map_err(backend_error)?;
            }
        }
        tx.commit().await.map_err(backend_error)
    }

    /// A business's Shopify connection with its credentials opened, if it has one.
    pub async fn shopify_connection(
        &self,
        business: BusinessId,
    ) -> Result<Option<ShopifyConnection>, StoreError> {
        let mut tx = self.tenant_tx(business).await?;
        let row = sqlx::query(
            "SELECT shop, access_token_sealed, webhook_secret_sealed, key_id FROM shopify_connections WHERE business_id = $1",
        )
        .bind(business.to_string())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let key_id: String = row.try_get("key_id").map_err(backend_error)?;
        let open = |column: &str, what: &str| -> Result<String, StoreError> {
            let sealed = Sealed {
                ciphertext: row.try_get(column).map_err(backend_error)?,
                key_id: key_id.clone(),
            };
            self.keyring()?
                .open(&sealed, &context(what, business))
                .map_err(|e| StoreError::Conflict(e.to_string()))
        };
        Ok(Some(ShopifyConnection {
            shop: row.try_get("shop").map_err(backend_error)?,
            access_token: open("access_token_sealed", "access_token")?,
            webhook_secret: open("webhook_secret_sealed", "webhook_secret")?,
        }))
    }

    /// Re-seals Shopify credentials still under an older key with the active one (part of
    /// `keys rotate`); returns how many connections changed.
    pub(crate) async fn rotate_shopify_secrets(
        &self,
        keyring: &Keyring,
    ) -> Result<usize, StoreError> {
        let mut rotated = 0;
        for business in self.business_ids().await? {
            let mut tx = self.tenant_tx(business).await?;
            let stale: Option<i64> = sqlx::query_scalar(
                "SELECT updated_at FROM shopify_connections WHERE business_id = $1 AND key_id <> $2",
            )
            .bind(business.to_string())
            .bind(keyring.active_id())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend_error)?;
            tx.commit().await.map_err(backend_error)?;
            let Some(updated_at) = stale else {
                continue;
            };
            if let Some(connection) = self.shopify_connection(business).await? {
                self.set_shopify_connection(business, Some(&connection), from_millis(updated_at)?)
                    .await?;
                rotated += 1;
            }
        }
        Ok(rotated)
    }
}
