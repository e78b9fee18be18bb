//! Fresh databases for tests: every storage test runs on SQLite and on PostgreSQL.
//!
//! SQLite gets a new file in a temporary directory. PostgreSQL gets a new schema in the
//! database named by `TEST_DATABASE_URL` (default `postgres://root@127.0.0.1:5432/test`),
//! selected through the connection's `search_path`, so tests never see each other's rows.

use std::path::PathBuf;

use sqlx::{Connection, Executor};

use crate::{Backend, Store};

const DEFAULT_POSTGRES_URL: &str = "postgres://root@127.0.0.1:5432/test";

/// Schemas of test runs older than this are dropped by later runs.
const STALE_AFTER_MILLIS: i64 = 6 * 60 * 60 * 1000;

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    pub backend: Backend,
    /// Kept so the directory outlives the test's pool.
    _dir: Option<TempDir>,
}

/// A directory removed when dropped.
#[derive(Debug)]
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl TestDatabase {
    /// A new empty database of the given backend.
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir()
                    .join(format!("frontdesk-test-{}", uuid::Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir).expect("create temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
                Self {
                    url,
                    backend,
                    _dir: Some(TempDir(dir)),
                }
            }
            Backend::Postgres => {
                let base = std::env::var("TEST_DATABASE_URL")
                    .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
                let now = jiff::Timestamp::now().as_millisecond();
                let schema = format!(
                    "fdtest_{now}_{}",
                    &uuid::Uuid::new_v4().simple().to_string()[..8]
                );
                let mut conn = sqlx::PgConnection::connect(&base)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL at {base} is needed for storage tests: {e}")
                    });
                drop_stale_schemas(&mut conn, now).await;
                conn.execute(format!("CREATE SCHEMA {schema}").as_str())
                    .await
                    .expect("create schema");
                let separator = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
                Self {
                    url,
                    backend,
                    _dir: None,
                }
            }
        }
    }

    /// A store connected to this database, migrated.
    pub async fn store(&self) -> Store {
        Store::connect(&self.url).await.expect("connect test store")
    }

    /// A connection as the user in the URL, who ran the migrations and owns the tables
    /// (on PostgreSQL a superuser here, so row-level security doesn't apply to it): for
    /// tests that look past the store, or play an attacker with the owner's rights. The
    /// store's own pooled connections work as the `frontdesk_app` role instead.
    pub async fn owner(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("connect as the owner")
    }
}

async fn drop_stale_schemas(conn: &mut sqlx::PgConnection, now: i64) {
    let schemas: Vec<(String,)> =
        sqlx::query_as("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'fdtest\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for (schema,) in schemas {
        let created: Option<i64> = schema.split('_').nth(1).and_then(|t| t.parse().ok());
        if created.is_some_and(|t| now - t > STALE_AFTER_MILLIS) {
            let _ = conn
                .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
                .await;
        }
    }
}

/// Both backends, for tests that must pass on each.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];
