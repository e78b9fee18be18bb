//! Row-level security on PostgreSQL: the second guard of tenant isolation, which holds
//! even for a query that forgets to filter by business.

use frontdesk_core::assistant::{ConversationStore, ReplyUsage};
use frontdesk_core::business::Business;
use frontdesk_core::conversation::{BusinessId, ConversationId};
use frontdesk_core::llm::{ModelSettings, ModelVendor, TokenUsage};
use frontdesk_core::policy::QualityFinding;
use sqlx::{Connection, Executor};

use super::{at, turn, with_business, BUSINESS};
use crate::testing::TestDatabase;
use crate::{Backend, CallTurn, Keyring, Store};
use frontdesk_core::voice::{AuthToken, Awaiting, CallIntent, PhoneSettings};

/// Every table under row-level security.
const TENANT_TABLES: [&str; 11] = [
    "conversations",
    "messages",
    "quality_findings",
    "reply_usage",
    "business_model_settings",
    "audit_events",
    "calendar_connections",
    "phone_settings",
    "calls",
    "call_turns",
    "orders",
];

/// Rows a business gets in each of `TENANT_TABLES` from `fill(.., n)`.
fn expected(table: &str, n: i64) -> i64 {
    match table {
        "messages" => 2 * n,
        "business_model_settings" | "calendar_connections" | "phone_settings" => 1,
        _ => n,
    }
}

/// Gives a business `n` conversations (each with its messages, usage, a quality finding
/// and an audit event), its own model settings and a calendar connection, all through
/// the store.
async fn fill(store: &Store, business: BusinessId, n: i64) {
    for i in 0..n {
        let conversation = ConversationId::new();
        let mut record = turn(
            business,
            conversation,
            true,
            &format!("visitor-{i:04}"),
            "hi",
            at(i),
        );
        record.usage = Some(ReplyUsage {
            model: "test/model".to_owned(),
            tokens: TokenUsage {
                input_tokens: 10,
                output_tokens: 5,
            },
            calls: 1,
            latency: std::time::Duration::from_millis(50),
            first_text: None,
            fallback: None,
        });
        store.record_turn(&record).await.unwrap();
        let finding = QualityFinding {
            kind: "redirect",
            rule: "test-rule".to_owned(),
            detail: "hi".to_owned(),
        };
        store
            .record_quality(business, conversation, &[finding], at(i))
            .await
            .unwrap();
        store
            .append_audit(&super::audit::event(business, i + 1))
            .await
            .unwrap();
    }
    let settings = ModelSettings {
        vendor: ModelVendor::Anthropic,
        model: "claude-test".to_owned(),
        base_url: None,
        api_key: None,
    };
    store
        .set_model_settings(business, Some(&settings), at(0))
        .await
        .unwrap();
    store
        .set_calendar_connection(business, "primary", "1//refresh", at(0))
        .await
        .unwrap();
    fill_phone_line(store, business, n).await;
}

/// A phone line, `n` calls with a turn each, and `n` imported orders.
async fn fill_phone_line(store: &Store, business: BusinessId, n: i64) {
    let settings = PhoneSettings {
        account_sid: format!("AC{}", "0".repeat(32)),
        auth_token: AuthToken::parse("token").unwrap(),
        escalation: None,
    };
    store
        .set_phone_settings(business, Some(&settings), at(0))
        .await
        .unwrap();
    let mut csv = String::from("order_number,placed_at,payment_status,fulfillment_status,carrier,tracking_number,tracking_url,phone,email\n");
    for i in 0..n {
        let (call, _) = store
            .start_call(
                business,
                &format!("CA{i}"),
                "+15125550100",
                "+15125550000",
                at(i),
            )
            .await
            .unwrap();
        let turn = CallTurn {
            said: Some("hello"),
            answered: "Hi.",
            intent: CallIntent::Question,
            conversation: None,
            awaiting: Awaiting::Question,
            pending_order: None,
            silent: false,
        };
        store
            .record_call_turn(business, call.id, &turn, at(i))
            .await
            .unwrap();
        csv.push_str(&format!("{}, 2026-11-20, paid, fulfilled,,,,,\n", 1000 + i));
    }
    let orders = crate::parse_orders_csv(csv.as_bytes()).unwrap();
    store.import_orders(business, &orders, at(0)).await.unwrap();
}

/// A store on PostgreSQL with business A (two of everything) and B (one).
async fn two_tenants() -> (TestDatabase, Store, BusinessId, BusinessId) {
    let (db, store, a) = with_business(Backend::Postgres).await;
    let store = store.with_keyring(Keyring::parse(&Keyring::generate_entry("k")).unwrap());
    let source = BUSINESS.replace("slug = \"demo\"", "slug = \"other\"");
    let (b, _) = store
        .import_business(&Business::from_toml(&source).unwrap(), &source, at(0))
        .await
        .unwrap();
    fill(&store, a, 2).await;
    fill(&store, b, 1).await;
    (db, store, a, b)
}

async fn count<'c, E>(executor: E, table: &str) -> i64
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(executor)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_pool_works_as_a_role_that_cannot_bypass_row_level_security() {
    let (_db, store, _) = with_business(Backend::Postgres).await;
    let (user, superuser, bypass): (String, bool, bool) = sqlx::query_as(
        "SELECT CAST(current_user AS TEXT), rolsuper, rolbypassrls FROM pg_roles \
         WHERE rolname = current_user",
    )
    .fetch_one(&store.pool)
    .await
    .unwrap();
    assert_eq!(user, "frontdesk_app");
    assert!(!superuser, "frontdesk_app must not be a superuser");
    assert!(!bypass, "frontdesk_app must not bypass row-level security");
}

#[tokio::test]
async fn without_the_tenant_setting_no_tenant_row_is_visible() {
    let (db, store, _, _) = two_tenants().await;
    let mut owner = db.owner().await;
    for table in TENANT_TABLES {
        // The rows exist (the owner here is a superuser, past the policies)...
        assert_eq!(
            count(&mut owner, table).await,
            expected(table, 2) + expected(table, 1),
            "{table}"
        );
        // ...but a plain query on the pool sees none of them.
        assert_eq!(count(&store.pool, table).await, 0, "{table}");
    }
    // The setting ends with its transaction: the connection goes back to the pool clean.
    let mut conn = store.pool.acquire().await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    tx.execute("SELECT set_config('app.business_id', (SELECT id FROM businesses LIMIT 1), true)")
        .await
        .unwrap();
    assert!(count(&mut *tx, "conversations").await > 0);
    tx.commit().await.unwrap();
    assert_eq!(count(&mut *conn, "conversations").await, 0);
}

#[tokio::test]
async fn a_tenant_transaction_sees_and_writes_only_its_business() {
    let (_db, store, a, b) = two_tenants().await;
    let mut tx = store.tenant_tx(a).await.unwrap();
    for table in TENANT_TABLES {
        assert_eq!(count(&mut *tx, table).await, expected(table, 2), "{table}");
        let others: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE business_id <> $1"
        ))
        .bind(a.to_string())
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        assert_eq!(others, 0, "{table}");
    }
    // Updates reach only A's rows, even without a WHERE.
    let touched = sqlx::query("UPDATE conversations SET updated_at = 0")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(touched.rows_affected(), 2);
    tx.commit().await.unwrap();

    // A row for B, written under A's setting, is refused (WITH CHECK)...
    let mut tx = store.tenant_tx(a).await.unwrap();
    let refused = sqlx::query(
        "INSERT INTO conversations (id, business_id, visitor_id, channel, created_at, updated_at) \
         VALUES ($1, $2, 'visitor-9999', 'web', 0, 0)",
    )
    .bind(ConversationId::new().to_string())
    .bind(b.to_string())
    .execute(&mut *tx)
    .await
    .expect_err("a row for another business is refused");
    assert!(
        refused.to_string().contains("row-level security"),
        "{refused}"
    );
    drop(tx);
    // ...and so is moving one of A's rows over to B.
    let mut tx = store.tenant_tx(a).await.unwrap();
    let refused = sqlx::query("UPDATE conversations SET business_id = $1")
        .bind(b.to_string())
        .execute(&mut *tx)
        .await
        .expect_err("moving a row to another business is refused");
    assert!(
        refused.to_string().contains("row-level security"),
        "{refused}"
    );
    drop(tx);

    // B's rows are untouched.
    let mut tx = store.tenant_tx(b).await.unwrap();
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE updated_at > 0")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(kept, 1);
}

#[tokio::test]
async fn the_audit_log_stays_append_only_for_the_application() {
    let (_db, store, a, _) = two_tenants().await;
    for sql in [
        "UPDATE audit_events SET detail = 'nothing to see'",
        "DELETE FROM audit_events",
    ] {
        let mut tx = store.tenant_tx(a).await.unwrap();
        let error = sqlx::query(sql).execute(&mut *tx).await.expect_err(sql);
        assert!(error.to_string().contains("append-only"), "{sql}: {error}");
    }
    // Emptying the table isn't even among the application's rights.
    let mut tx = store.tenant_tx(a).await.unwrap();
    let error = sqlx::query("TRUNCATE audit_events")
        .execute(&mut *tx)
        .await
        .expect_err("TRUNCATE");
    assert!(error.to_string().contains("permission denied"), "{error}");
    drop(tx);
    assert!(matches!(
        store.verify_audit(None).await.unwrap(),
        frontdesk_core::audit::AuditVerification::Intact {
            events: 3,
            chains: 2
        }
    ));
}
