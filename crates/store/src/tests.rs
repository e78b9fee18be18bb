//! The storage contract, run against SQLite and PostgreSQL alike.

use frontdesk_core::assistant::{ConversationStore, DraftChange, StoreError, TurnRecord};
use frontdesk_core::business::Business;
use frontdesk_core::conversation::{BusinessId, Channel, ConversationId, Message, Role, VisitorId};
use frontdesk_core::safety::Safety;
use jiff::{Timestamp, ToSpan};

use crate::testing::{TestDatabase, BACKENDS};
use crate::{Backend, ImportOutcome, Store};

mod accounts;
mod appointments;
mod audit;
mod billing;
mod calendar;
mod calls;
mod privacy;
mod rate_limits;
mod rls;
mod sms;

pub(crate) const BUSINESS: &str = include_str!("../../../demo/demo-business.toml");

pub(crate) fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_795_000_000 + seconds).unwrap()
}

fn visitor(id: &str) -> VisitorId {
    VisitorId::parse(id).unwrap()
}

pub(crate) fn turn(
    business: BusinessId,
    conversation: ConversationId,
    is_new: bool,
    who: &str,
    text: &str,
    when: Timestamp,
) -> TurnRecord {
    TurnRecord {
        business,
        conversation,
        is_new,
        visitor: visitor(who),
        channel: Channel::Web,
        page_url: Some("https://example.test/contact".to_owned()),
        visitor_message: Message {
            role: Role::Visitor,
            text: text.to_owned(),
            created_at: when,
        },
        assistant_message: Message {
            role: Role::Assistant,
            text: format!("reply to {text}"),
            created_at: when + 1.millisecond(),
        },
        safety: Safety::allowed(),
        usage: None,
        lead_draft: DraftChange::Keep,
        lead: None,
        handoff: false,
        flag_child: false,
    }
}

pub(crate) async fn with_business(backend: Backend) -> (TestDatabase, Store, BusinessId) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let business = Business::from_toml(BUSINESS).unwrap();
    let (id, outcome) = store
        .import_business(&business, BUSINESS, at(0))
        .await
        .unwrap();
    assert_eq!(outcome, ImportOutcome::Created);
    (db, store, id)
}

#[tokio::test]
async fn import_creates_then_updates_in_place() {
    for backend in BACKENDS {
        let (_db, store, id) = with_business(backend).await;
        let renamed = BUSINESS.replace(
            "name = \"Maple Street Dental Studio\"",
            "name = \"Maple Dental\"",
        );
        let business = Business::from_toml(&renamed).unwrap();
        let (again, outcome) = store
            .import_business(&business, &renamed, at(5))
            .await
            .unwrap();
        assert_eq!(
            (again, outcome),
            (id, ImportOutcome::Updated),
            "{backend:?}"
        );
        let stored = store.business_by_slug("demo").await.unwrap().unwrap();
        assert_eq!(stored.name, "Maple Dental");
        assert_eq!(stored.source, renamed);
        assert_eq!(stored.updated_at, at(5));
        assert!(store.business_by_slug("nope").await.unwrap().is_none());
        let list = store.list_businesses().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].conversations, 0);
    }
}

#[tokio::test]
async fn turns_are_read_back_in_order_and_only_by_their_visitor() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let conversation = ConversationId::new();
        let owner = "visitor-0001";
        store
            .record_turn(&turn(business, conversation, true, owner, "first", at(1)))
            .await
            .unwrap();
        store
            .record_turn(&turn(business, conversation, false, owner, "second", at(2)))
            .await
            .unwrap();
        store
            .record_turn(&turn(business, conversation, false, owner, "third", at(3)))
            .await
            .unwrap();

        let all = store
            .transcript(business, conversation, &visitor(owner))
            .await
            .unwrap();
        let texts: Vec<&str> = all.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "first",
                "reply to first",
                "second",
                "reply to second",
                "third",
                "reply to third"
            ],
            "{backend:?}"
        );
        assert_eq!(all[0].created_at, at(1));

        let recent = store
            .recent_messages(business, conversation, &visitor(owner), 2)
            .await
            .unwrap();
        let texts: Vec<&str> = recent.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, ["third", "reply to third"], "{backend:?}");

        let stranger = store
            .transcript(business, conversation, &visitor("visitor-0002"))
            .await;
        assert!(matches!(stranger, Err(StoreError::NotFound)), "{backend:?}");
        let other_business = store
            .transcript(
                BusinessId(uuid::Uuid::now_v7()),
                conversation,
                &visitor(owner),
            )
            .await;
        assert!(
            matches!(other_business, Err(StoreError::NotFound)),
            "{backend:?}"
        );
        let unknown = store
            .transcript(business, ConversationId::new(), &visitor(owner))
            .await;
        assert!(matches!(unknown, Err(StoreError::NotFound)), "{backend:?}");
        assert_eq!(store.list_businesses().await.unwrap()[0].conversations, 1);
    }
}

#[tokio::test]
async fn a_failed_turn_leaves_nothing_behind() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let conversation = ConversationId::new();
        store
            .record_turn(&turn(
                business,
                conversation,
                true,
                "visitor-0001",
                "hello",
                at(1),
            ))
            .await
            .unwrap();
        // Starting the same conversation twice violates its primary key: the whole turn
        // must roll back, including the messages written before the failure.
        let duplicate = store
            .record_turn(&turn(
                business,
                conversation,
                true,
                "visitor-0001",
                "again",
                at(2),
            ))
            .await;
        assert!(duplicate.is_err(), "{backend:?}");
        let texts: Vec<String> = store
            .transcript(business, conversation, &visitor("visitor-0001"))
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.text)
            .collect();
        assert_eq!(texts, ["hello", "reply to hello"], "{backend:?}");
    }
}

#[tokio::test]
async fn concurrent_turns_are_all_kept() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let mut tasks = Vec::new();
        for n in 0..40 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let who = format!("visitor-{n:04}");
                store
                    .record_turn(&turn(
                        business,
                        ConversationId::new(),
                        true,
                        &who,
                        "hi",
                        at(n),
                    ))
                    .await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(
            store.list_businesses().await.unwrap()[0].conversations,
            40,
            "{backend:?}"
        );
    }
}

#[test]
fn bare_paths_mean_sqlite_files() {
    assert_eq!(
        crate::database_url("frontdesk.db"),
        "sqlite://frontdesk.db?mode=rwc"
    );
    assert_eq!(
        crate::database_url("sqlite://a.db"),
        "sqlite://a.db?mode=rwc"
    );
    assert_eq!(
        crate::database_url("sqlite::memory:"),
        "sqlite://:memory:?mode=rwc"
    );
    assert_eq!(
        crate::database_url("postgres://u@h/db"),
        "postgres://u@h/db"
    );
}

#[tokio::test]
async fn model_usage_is_stored_with_its_turn_and_summarised() {
    use frontdesk_core::assistant::ReplyUsage;
    use frontdesk_core::llm::TokenUsage;
    use std::time::Duration;

    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let usage = |input, output, latency, fallback: Option<&str>| ReplyUsage {
            model: "anthropic/claude-test".to_owned(),
            tokens: TokenUsage {
                input_tokens: input,
                output_tokens: output,
            },
            calls: 2,
            latency: Duration::from_millis(latency),
            first_text: fallback.is_none().then(|| Duration::from_millis(100)),
            fallback: fallback.map(str::to_owned),
        };
        let mut first = turn(
            business,
            ConversationId::new(),
            true,
            "visitor-0001",
            "hi",
            at(1),
        );
        first.usage = Some(usage(1200, 80, 900, None));
        let mut second = turn(
            business,
            ConversationId::new(),
            true,
            "visitor-0002",
            "hey",
            at(2),
        );
        second.usage = Some(usage(
            1000,
            0,
            300,
            Some("the model provider is overloaded"),
        ));
        let free = turn(
            business,
            ConversationId::new(),
            true,
            "visitor-0003",
            "yo",
            at(3),
        );
        for record in [&first, &second, &free] {
            store.record_turn(record).await.unwrap();
        }
        let summary = store.usage_summary(business, at(0)).await.unwrap();
        assert_eq!(summary.len(), 1, "{backend:?}: {summary:?}");
        let row = &summary[0];
        assert_eq!(row.model, "anthropic/claude-test");
        assert_eq!((row.replies, row.calls), (2, 4), "{backend:?}");
        assert_eq!(
            (row.input_tokens, row.output_tokens),
            (2200, 80),
            "{backend:?}"
        );
        assert_eq!(row.fallbacks, 1, "{backend:?}");
        assert!(
            (row.mean_latency_ms - 600.0).abs() < 0.01,
            "{backend:?}: {row:?}"
        );
        assert_eq!(row.mean_first_text_ms, Some(100.0), "{backend:?}");
        assert!(store
            .usage_summary(business, at(10))
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn model_keys_are_sealed_at_rest_and_rotate() {
    use crate::Keyring;
    use frontdesk_core::llm::{ApiKey, ModelSettings, ModelVendor};

    const KEY: &str = "sk-ant-api03-very-secret-key";
    let old = Keyring::generate_entry("old");
    let new = Keyring::generate_entry("new");
    for backend in BACKENDS {
        let (db, store, business) = with_business(backend).await;
        let settings = ModelSettings {
            vendor: ModelVendor::Anthropic,
            model: "claude-test".into(),
            base_url: Some("http://127.0.0.1:9".into()),
            api_key: Some(ApiKey::new(KEY)),
        };
        let refused = store
            .set_model_settings(business, Some(&settings), at(1))
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Conflict(m)) if m.contains("FRONTDESK_SECRET_KEYS")),
            "no key, no storing: {refused:?}"
        );
        let store = store.with_keyring(Keyring::parse(&old).unwrap());
        assert_eq!(store.model_settings(business).await.unwrap(), None);
        store
            .set_model_settings(business, Some(&settings), at(2))
            .await
            .unwrap();
        assert_eq!(
            store.model_settings(business).await.unwrap().as_ref(),
            Some(&settings)
        );
        let raw: (String, String) = sqlx::query_as::<_, (String, String)>(
            "SELECT api_key_sealed, api_key_key_id FROM business_model_settings",
        )
        .fetch_one(&mut db.owner().await)
        .await
        .unwrap();
        assert!(!raw.0.contains("secret"), "{backend:?}: sealed at rest");
        assert_eq!(raw.1, "old");
        if backend == Backend::Sqlite {
            let path = db
                .url
                .trim_start_matches("sqlite://")
                .split('?')
                .next()
                .unwrap();
            for suffix in ["", "-wal"] {
                let bytes = std::fs::read(format!("{path}{suffix}")).unwrap_or_default();
                assert!(!bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()));
            }
        }
        // Rotation: the new key seals, the old one still opens until everything moved.
        let rotating = store
            .clone()
            .with_keyring(Keyring::parse(&format!("{new},{old}")).unwrap());
        assert_eq!(rotating.rotate_secrets().await.unwrap(), 1);
        assert_eq!(rotating.rotate_secrets().await.unwrap(), 0, "idempotent");
        let only_new = store.clone().with_keyring(Keyring::parse(&new).unwrap());
        assert_eq!(
            only_new.model_settings(business).await.unwrap(),
            Some(settings)
        );
        let only_old = store.with_keyring(Keyring::parse(&old).unwrap());
        assert!(only_old.model_settings(business).await.is_err());
        only_new
            .set_model_settings(business, None, at(3))
            .await
            .unwrap();
        assert_eq!(only_new.model_settings(business).await.unwrap(), None);
        let unknown = only_new
            .set_model_settings(BusinessId(uuid::Uuid::now_v7()), None, at(4))
            .await;
        assert!(matches!(unknown, Err(StoreError::NotFound)));
    }
}
