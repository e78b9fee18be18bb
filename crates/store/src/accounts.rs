//! Team members, sessions, invites, password resets and the login limiter.
//!
//! Tokens arrive here already hashed (see `frontdesk_core::accounts::token`): nothing in
//! these tables signs anyone in if it leaks. Every query that acts on a team member takes
//! the business too, so one business's ids are useless in another's requests.

use frontdesk_core::accounts::Role;
use frontdesk_core::assistant::StoreError;
use frontdesk_core::business::Business;
use frontdesk_core::conversation::BusinessId;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use crate::secrets::{Keyring, Sealed};
use crate::store::{backend_error, from_millis, insert_business, millis, uuid_column};
use crate::Store;

/// A team member as stored.
#[derive(Clone)]
pub struct UserRecord {
    pub id: Uuid,
    pub business: BusinessId,
    pub email: String,
    pub name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub role: Role,
    pub two_factor: bool,
    pub created_at: Timestamp,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("business", &self.business)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("two_factor", &self.two_factor)
            .finish_non_exhaustive()
    }
}

/// What creating a team member needs.
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
}

/// A session as stored, with its user.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// The SHA-256 of the cookie's token.
    pub id: String,
    pub user: UserRecord,
    pub csrf_token: String,
    /// The password was right; the second factor is still to come.
    pub pending_second_factor: bool,
    pub user_agent: Option<String>,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What starting a session needs.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user: Uuid,
    pub business: BusinessId,
    pub csrf_token: &'a str,
    pub pending_second_factor: bool,
    pub user_agent: Option<&'a str>,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}

/// An invitation that has not been accepted, revoked or let expire.
#[derive(Debug, Clone)]
pub struct InviteRecord {
    pub id: Uuid,
    pub business: BusinessId,
    pub email: String,
    pub role: Role,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Who a failed login is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitScope {
    Account,
    Ip,
}

impl LimitScope {
    fn as_str(self) -> &'static str {
        match self {
            LimitScope::Account => "account",
            LimitScope::Ip => "ip",
        }
    }
}

const USER_COLUMNS: &str =
    "u.id, u.business_id, u.email, u.name, u.password_hash, u.role, u.totp_sealed, u.created_at";

fn user_from_row(row: &AnyRow) -> Result<UserRecord, StoreError> {
    let role: String = row.try_get("role").map_err(backend_error)?;
    let totp: Option<String> = row.try_get("totp_sealed").map_err(backend_error)?;
    Ok(UserRecord {
        id: uuid_column(row, "id")?,
        business: BusinessId(uuid_column(row, "business_id")?),
        email: row.try_get("email").map_err(backend_error)?,
        name: row.try_get("name").map_err(backend_error)?,
        password_hash: row.try_get("password_hash").map_err(backend_error)?,
        role: parse_role(&role)?,
        two_factor: totp.is_some(),
        created_at: from_millis(row.try_get("created_at").map_err(backend_error)?)?,
    })
}

fn parse_role(raw: &str) -> Result<Role, StoreError> {
    raw.parse()
        .map_err(|e: frontdesk_core::accounts::UnknownRole| StoreError::Conflict(e.to_string()))
}

/// Emails are compared and stored lowercased and trimmed.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

async fn insert_user(
    conn: &mut AnyConnection,
    business: BusinessId,
    user: NewUser<'_>,
    now: Timestamp,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO users (id, business_id, email, name, password_hash, role, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id.to_string())
    .bind(business.to_string())
    .bind(normalize_email(user.email))
    .bind(user.name.trim())
    .bind(user.password_hash)
    .bind(user.role.as_str())
    .bind(millis(now))
    .execute(&mut *conn)
    .await
    .map_err(|e| {
        if unique_violation(&e) {
            StoreError::Conflict("an account with this email already exists".into())
        } else {
            backend_error(e)
        }
    })?;
    Ok(id)
}

/// Owners left in a business if `leaving` stopped being one.
async fn owners_besides(
    conn: &mut AnyConnection,
    business: BusinessId,
    leaving: Uuid,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE business_id = $1 AND role = 'owner' AND id <> $2",
    )
    .bind(business.to_string())
    .bind(leaving.to_string())
    .fetch_one(&mut *conn)
    .await
    .map_err(backend_error)
}

const LAST_OWNER: &str = "a business needs at least one owner: make someone else owner first";

impl Store {
    /// Sign-up: a new business and its first Owner, together or not at all.
    pub async fn create_business_with_owner(
        &self,
        business: &Business,
        source: &str,
        owner: NewUser<'_>,
        now: Timestamp,
    ) -> Result<(BusinessId, Uuid), StoreError> {
        let mut tx = self.begin().await?;
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM businesses WHERE slug = $1")
            .bind(business.slug.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend_error)?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "the address `{}` is taken: choose another",
                business.slug
            )));
        }
        let business_id = insert_business(&mut tx, business, source, now).await?;
        let user = insert_user(&mut tx, business_id, owner, now).await?;
        tx.commit().await.map_err(backend_error)?;
        Ok((business_id, user))
    }

    /// The account with this email, in any business (for login and resets).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1"
        ))
        .bind(normalize_email(email))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// A team member of this business.
    pub async fn user(
        &self,
        business: BusinessId,
        user: Uuid,
    ) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.business_id = $2"
        ))
        .bind(user.to_string())
        .bind(business.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// The team of a business, owners first.
    pub async fn team(&self, business: BusinessId) -> Result<Vec<UserRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.business_id = $1 \
             ORDER BY CASE u.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, u.email"
        ))
        .bind(business.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter().map(user_from_row).collect()
    }

    /// Replaces a member's password hash and ends all their sessions but `keep`.
    pub async fn set_password(
        &self,
        business: BusinessId,
        user: Uuid,
        password_hash: &str,
        keep: Option<&str>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let changed = sqlx::query(
            "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3 AND business_id = $4",
        )
        .bind(password_hash)
        .bind(millis(now))
        .bind(user.to_string())
        .bind(business.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        revoke_sessions(&mut tx, user, keep, now).await?;
        expire_reset_links(&mut tx, user, now).await?;
        tx.commit().await.map_err(backend_error)
    }

    /// Changes a member's role, refusing to leave the business without an Owner.
    pub async fn set_role(
        &self,
        business: BusinessId,
        user: Uuid,
        role: Role,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        lock_team(&mut tx, business).await?;
        if role != Role::Owner && owners_besides(&mut tx, business, user).await? == 0 {
            return Err(StoreError::Conflict(LAST_OWNER.into()));
        }
        let changed = sqlx::query(
            "UPDATE users SET role = $1, updated_at = $2 WHERE id = $3 AND business_id = $4",
        )
        .bind(role.as_str())
        .bind(millis(now))
        .bind(user.to_string())
        .bind(business.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        if role != Role::Owner {
            revoke_invites_from(&mut tx, user, now).await?;
        }
        tx.commit().await.map_err(backend_error)
    }

    /// Removes a member (their sessions and codes go with them), never the last Owner.
    pub async fn remove_user(
        &self,
        business: BusinessId,
        user: Uuid,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        lock_team(&mut tx, business).await?;
        if owners_besides(&mut tx, business, user).await? == 0 {
            return Err(StoreError::Conflict(LAST_OWNER.into()));
        }
        let removed = sqlx::query("DELETE FROM users WHERE id = $1 AND business_id = $2")
            .bind(user.to_string())
            .bind(business.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        if removed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        revoke_invites_from(&mut tx, user, now).await?;
        tx.commit().await.map_err(backend_error)
    }

    /// Turns on TOTP with a confirmed secret and fresh recovery-code hashes, or (with
    /// `None`) turns it off and drops the codes.
    pub async fn set_two_factor(
        &self,
        business: BusinessId,
        user: Uuid,
        enrolment: Option<(&str, &[String], u64)>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let (sealed, key_id, step) = match enrolment {
            Some((secret_base32, _, step)) => {
                let sealed = self.keyring()?.seal(secret_base32, &totp_context(user));
                (
                    Some(sealed.ciphertext),
                    Some(sealed.key_id),
                    Some(step as i64),
                )
            }
            None => (None, None, None),
        };
        // Enrolling never replaces a second factor: that takes removing it with a code.
        let only_if_off = if enrolment.is_some() {
            " AND totp_sealed IS NULL"
        } else {
            ""
        };
        let changed = sqlx::query(&format!(
            "UPDATE users SET totp_sealed = $1, totp_key_id = $2, totp_last_step = $3, updated_at = $4 \
             WHERE id = $5 AND business_id = $6{only_if_off}"
        ))
        .bind(sealed)
        .bind(key_id)
        .bind(step)
        .bind(millis(now))
        .bind(user.to_string())
        .bind(business.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        for hash in enrolment.map_or(&[][..], |(_, hashes, _)| hashes) {
            sqlx::query("INSERT INTO recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)")
                .bind(Uuid::now_v7().to_string())
                .bind(user.to_string())
                .bind(hash)
                .execute(&mut *tx)
                .await
                .map_err(backend_error)?;
        }
        tx.commit().await.map_err(backend_error)
    }

    /// A member's TOTP secret (base32) and the last time step accepted, if enrolled.
    pub async fn totp_secret(&self, user: Uuid) -> Result<Option<(String, u64)>, StoreError> {
        let row = sqlx::query(
            "SELECT totp_sealed, totp_key_id, totp_last_step FROM users WHERE id = $1 AND totp_sealed IS NOT NULL",
        )
        .bind(user.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        let Some(row) = row else { return Ok(None) };
        let sealed = Sealed {
            ciphertext: row.try_get("totp_sealed").map_err(backend_error)?,
            key_id: row.try_get("totp_key_id").map_err(backend_error)?,
        };
        let step: Option<i64> = row.try_get("totp_last_step").map_err(backend_error)?;
        let secret = self
            .keyring()?
            .open(&sealed, &totp_context(user))
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        Ok(Some((secret, step.unwrap_or(0) as u64)))
    }

    /// Records that a TOTP step was used; false if it (or a later one) already was, so
    /// a code is accepted once even by two servers at the same moment.
    pub async fn claim_totp_step(&self, user: Uuid, step: u64) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step as i64)
        .bind(user.to_string())
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(claimed.rows_affected() == 1)
    }

    /// The stored recovery-code hashes of a member, with their row ids.
    pub async fn recovery_codes(&self, user: Uuid) -> Result<Vec<(String, String)>, StoreError> {
        sqlx::query_as("SELECT id, code_hash FROM recovery_codes WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(backend_error)
    }

    /// Uses up one recovery code; false if another request used it first.
    pub async fn consume_recovery_code(&self, user: Uuid, id: &str) -> Result<bool, StoreError> {
        let used = sqlx::query("DELETE FROM recovery_codes WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(used.rows_affected() == 1)
    }

    /// Starts a session.
    pub async fn create_session(&self, session: NewSession<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, business_id, csrf_token, pending_second_factor, user_agent, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        )
        .bind(session.token_hash)
        .bind(session.user.to_string())
        .bind(session.business.to_string())
        .bind(session.csrf_token)
        .bind(i64::from(session.pending_second_factor))
        .bind(session.user_agent)
        .bind(millis(session.now))
        .bind(millis(session.expires_at))
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    /// A session that has not been revoked, with its user. Expiry is the caller's call.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.id AS session_id, s.csrf_token, s.pending_second_factor, s.user_agent, \
             s.created_at AS session_created_at, s.last_seen_at, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id = $1 AND s.revoked_at IS NULL AND s.business_id = u.business_id"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.as_ref().map(session_from_row).transpose()
    }

    /// The live sessions of a member, newest first.
    pub async fn user_sessions(
        &self,
        user: Uuid,
        now: Timestamp,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.id AS session_id, s.csrf_token, s.pending_second_factor, s.user_agent, \
             s.created_at AS session_created_at, s.last_seen_at, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND s.pending_second_factor = 0 \
             ORDER BY s.last_seen_at DESC"
        ))
        .bind(user.to_string())
        .bind(millis(now))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter().map(session_from_row).collect()
    }

    /// Marks a session as used now (the idle clock restarts).
    pub async fn touch_session(&self, token_hash: &str, now: Timestamp) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(millis(now))
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    /// Replaces a half-signed-in session (password only) by a full one under a new token,
    /// so a token seen before the second factor is worth nothing after it.
    pub async fn complete_second_factor(
        &self,
        pending_hash: &str,
        session: NewSession<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let ended = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND pending_second_factor = 1 AND revoked_at IS NULL",
        )
        .bind(millis(session.now))
        .bind(pending_hash)
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if ended.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO sessions (id, user_id, business_id, csrf_token, pending_second_factor, user_agent, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $6, $6, $7)",
        )
        .bind(session.token_hash)
        .bind(session.user.to_string())
        .bind(session.business.to_string())
        .bind(session.csrf_token)
        .bind(session.user_agent)
        .bind(millis(session.now))
        .bind(millis(session.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)
    }

    /// Ends one session of a member (sign out, or revoking a device).
    pub async fn revoke_session(
        &self,
        user: Uuid,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let ended = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(token_hash)
        .bind(user.to_string())
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(ended.rows_affected() == 1)
    }

    /// Sign out everywhere: ends every session of a member. Returns how many ended.
    pub async fn revoke_all_sessions(&self, user: Uuid, now: Timestamp) -> Result<u64, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(backend_error)?;
        revoke_sessions(&mut conn, user, None, now).await
    }

    /// Records an invitation; the token's hash is what the link is checked against.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_invite(
        &self,
        business: BusinessId,
        token_hash: &str,
        email: &str,
        role: Role,
        invited_by: Option<Uuid>,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO invites (id, token_hash, business_id, email, role, invited_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.to_string())
        .bind(token_hash)
        .bind(business.to_string())
        .bind(normalize_email(email))
        .bind(role.as_str())
        .bind(invited_by.map(|id| id.to_string()))
        .bind(millis(now))
        .bind(millis(expires_at))
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(id)
    }

    /// The open invitations of a business.
    pub async fn open_invites(
        &self,
        business: BusinessId,
        now: Timestamp,
    ) -> Result<Vec<InviteRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, business_id, email, role, created_at, expires_at FROM invites \
             WHERE business_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 \
             ORDER BY created_at DESC",
        )
        .bind(business.to_string())
        .bind(millis(now))
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        rows.iter().map(invite_from_row).collect()
    }

    /// The open invitation a link's token belongs to.
    pub async fn invite_by_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<InviteRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, business_id, email, role, created_at, expires_at FROM invites \
             WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(millis(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend_error)?;
        row.as_ref().map(invite_from_row).transpose()
    }

    /// Accepts an invitation once: marks it used and creates the member, atomically.
    pub async fn accept_invite(
        &self,
        token_hash: &str,
        name: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<UserRecord, StoreError> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT id, business_id, email, role, created_at, expires_at FROM invites \
             WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(millis(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        let invite = row
            .as_ref()
            .map(invite_from_row)
            .transpose()?
            .ok_or(StoreError::NotFound)?;
        let used = sqlx::query(
            "UPDATE invites SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(millis(now))
        .bind(invite.id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(backend_error)?;
        if used.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let user = NewUser {
            email: &invite.email,
            name,
            password_hash,
            role: invite.role,
        };
        let id = insert_user(&mut tx, invite.business, user, now).await?;
        tx.commit().await.map_err(backend_error)?;
        self.user(invite.business, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Withdraws an open invitation of this business.
    pub async fn revoke_invite(
        &self,
        business: BusinessId,
        invite: Uuid,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let revoked = sqlx::query(
            "UPDATE invites SET revoked_at = $1 WHERE id = $2 AND business_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(invite.to_string())
        .bind(business.to_string())
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        if revoked.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Records a password-reset link for a member.
    pub async fn create_password_reset(
        &self,
        user: Uuid,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.to_string())
        .bind(millis(now))
        .bind(millis(expires_at))
        .execute(&self.pool)
        .await
        .map_err(backend_error)?;
        Ok(())
    }

    /// Uses a reset link once: sets the new password and ends every session of the
    /// member. Returns the member, or `NotFound` for an unknown, used or expired link.
    pub async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<UserRecord, StoreError> {
        let mut tx = self.begin().await?;
        let user: Option<String> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(millis(now))
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend_error)?;
        let user = user
            .map(|id| id.parse::<Uuid>().map_err(backend_error))
            .transpose()?
            .ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(millis(now))
            .bind(user.to_string())
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        revoke_sessions(&mut tx, user, None, now).await?;
        expire_reset_links(&mut tx, user, now).await?;
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
        ))
        .bind(user.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(backend_error)?;
        let record = user_from_row(&row)?;
        tx.commit().await.map_err(backend_error)?;
        Ok(record)
    }

    /// Counts an attempt at a guarded action (a sign-in, a code, a reset request) before
    /// its secret is checked, so parallel guesses can't slip past the limit, and returns
    /// the attempts within the window with the oldest of them. Rows older than
    /// `window_start` are deleted on the way, so nothing (an IP address included)
    /// outlives the limiter's window.
    pub async fn record_attempt(
        &self,
        scope: LimitScope,
        key: &str,
        now: Timestamp,
        window_start: Timestamp,
    ) -> Result<(i64, Option<Timestamp>), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(millis(window_start))
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        sqlx::query("INSERT INTO login_failures (scope, key, at) VALUES ($1, $2, $3)")
            .bind(scope.as_str())
            .bind(key)
            .bind(millis(now))
            .execute(&mut *tx)
            .await
            .map_err(backend_error)?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS attempts, MIN(at) AS oldest FROM login_failures WHERE scope = $1 AND key = $2 AND at >= $3",
        )
        .bind(scope.as_str())
        .bind(key)
        .bind(millis(window_start))
        .fetch_one(&mut *tx)
        .await
        .map_err(backend_error)?;
        tx.commit().await.map_err(backend_error)?;
        let oldest: Option<i64> = row.try_get("oldest").map_err(backend_error)?;
        Ok((
            row.try_get("attempts").map_err(backend_error)?,
            oldest.map(from_millis).transpose()?,
        ))
    }

    /// Forgets one attempt that succeeded, so a busy office behind one address isn't
    /// limited by its own successful sign-ins.
    pub async fn forget_attempt(
        &self,
        scope: LimitScope,
        key: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE scope = $1 AND key = $2 AND at = $3")
            .bind(scope.as_str())
            .bind(key)
            .bind(millis(at))
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    /// Forgets every attempt of a key (an account that signed in, or reset its password).
    pub async fn clear_attempts(&self, scope: LimitScope, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE scope = $1 AND key = $2")
            .bind(scope.as_str())
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
        Ok(())
    }
}

impl Store {
    /// Re-seals every TOTP secret not sealed with the active key (part of
    /// [`Store::rotate_secrets`]); a secret changed meanwhile is left to its new value.
    pub(crate) async fn rotate_totp_secrets(&self, keyring: &Keyring) -> Result<usize, StoreError> {
        let rows = sqlx::query(
            "SELECT id, totp_sealed, totp_key_id FROM users WHERE totp_sealed IS NOT NULL AND totp_key_id <> $1",
        )
        .bind(keyring.active_id())
        .fetch_all(&self.pool)
        .await
        .map_err(backend_error)?;
        let mut rotated = 0;
        for row in rows {
            let user = uuid_column(&row, "id")?;
            let sealed = Sealed {
                ciphertext: row.try_get("totp_sealed").map_err(backend_error)?,
                key_id: row.try_get("totp_key_id").map_err(backend_error)?,
            };
            let plaintext = keyring
                .open(&sealed, &totp_context(user))
                .map_err(|e| StoreError::Conflict(format!("user {user}: {e}")))?;
            let resealed = keyring.seal(&plaintext, &totp_context(user));
            let updated = sqlx::query(
                "UPDATE users SET totp_sealed = $1, totp_key_id = $2 WHERE id = $3 AND totp_sealed = $4",
            )
            .bind(&resealed.ciphertext)
            .bind(&resealed.key_id)
            .bind(user.to_string())
            .bind(&sealed.ciphertext)
            .execute(&self.pool)
            .await
            .map_err(backend_error)?;
            rotated += updated.rows_affected() as usize;
        }
        Ok(rotated)
    }
}

/// Binds a sealed TOTP secret to its user, so a ciphertext copied to another row fails.
fn totp_context(user: Uuid) -> String {
    format!("totp:{user}")
}

/// Serialises changes to one business's team (roles, removals), so two concurrent
/// demotions cannot both see another Owner and leave none.
async fn lock_team(conn: &mut AnyConnection, business: BusinessId) -> Result<(), StoreError> {
    sqlx::query("UPDATE businesses SET updated_at = updated_at WHERE id = $1")
        .bind(business.to_string())
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// Makes every open reset link of a user unusable (after a reset or a password change).
async fn expire_reset_links(
    conn: &mut AnyConnection,
    user: Uuid,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(millis(now))
        .bind(user.to_string())
        .execute(&mut *conn)
        .await
        .map_err(backend_error)?;
    Ok(())
}

/// Withdraws the open invitations someone sent, when they lose the right to send them:
/// a removed Owner must not come back through an invite they sent themselves.
async fn revoke_invites_from(
    conn: &mut AnyConnection,
    user: Uuid,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE invites SET revoked_at = $1 WHERE invited_by = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(millis(now))
    .bind(user.to_string())
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    Ok(())
}

async fn revoke_sessions(
    conn: &mut AnyConnection,
    user: Uuid,
    keep: Option<&str>,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let ended = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
    )
    .bind(millis(now))
    .bind(user.to_string())
    .bind(keep.unwrap_or(""))
    .execute(&mut *conn)
    .await
    .map_err(backend_error)?;
    Ok(ended.rows_affected())
}

fn session_from_row(row: &AnyRow) -> Result<SessionRecord, StoreError> {
    let pending: i64 = row
        .try_get("pending_second_factor")
        .map_err(backend_error)?;
    Ok(SessionRecord {
        id: row.try_get("session_id").map_err(backend_error)?,
        user: user_from_row(row)?,
        csrf_token: row.try_get("csrf_token").map_err(backend_error)?,
        pending_second_factor: pending != 0,
        user_agent: row.try_get("user_agent").map_err(backend_error)?,
        created_at: from_millis(row.try_get("session_created_at").map_err(backend_error)?)?,
        last_seen_at: from_millis(row.try_get("last_seen_at").map_err(backend_error)?)?,
        expires_at: from_millis(row.try_get("expires_at").map_err(backend_error)?)?,
    })
}

fn invite_from_row(row: &AnyRow) -> Result<InviteRecord, StoreError> {
    let role: String = row.try_get("role").map_err(backend_error)?;
    Ok(InviteRecord {
        id: uuid_column(row, "id")?,
        business: BusinessId(uuid_column(row, "business_id")?),
        email: row.try_get("email").map_err(backend_error)?,
        role: parse_role(&role)?,
        created_at: from_millis(row.try_get("created_at").map_err(backend_error)?)?,
        expires_at: from_millis(row.try_get("expires_at").map_err(backend_error)?)?,
    })
}
