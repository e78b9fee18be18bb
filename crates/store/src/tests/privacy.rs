//! Data-subject requests, account closure and the retention jobs, on SQLite and
//! PostgreSQL.

use frontdesk_core::accounts::Role;
use frontdesk_core::assistant::ConversationStore;
use frontdesk_core::audit::{Actor, AuditAction, AuditEvent, AuditVerification};
use frontdesk_core::business::Business;
use frontdesk_core::conversation::{BusinessId, ConversationId};
use frontdesk_core::retention::RetentionPolicy;
use jiff::{SignedDuration, Timestamp, ToSpan};

use super::{at, turn, with_business, BUSINESS};
use crate::testing::BACKENDS;
use crate::{NewAppointment, NewLead, NewSession, NewUser, PurgeOptions, Store, VisitorQuery};

/// A visitor's conversation with one turn, a lead and an appointment.
async fn visit(
    store: &Store,
    business: BusinessId,
    visitor: &str,
    email: &str,
    phone: &str,
    minute: i64,
) -> ConversationId {
    let conversation = ConversationId::new();
    let when = at(minute * 60);
    store
        .record_turn(&turn(
            business,
            conversation,
            true,
            visitor,
            "hi there",
            when,
        ))
        .await
        .unwrap();
    let lead = store
        .save_lead(
            business,
            &NewLead {
                conversation: Some(conversation),
                visitor: Some(visitor.to_owned()),
                channel: "web".into(),
                name: Some("Ana".into()),
                email: Some(email.to_owned()),
                phone: Some(phone.to_owned()),
                ..NewLead::default()
            },
            when,
        )
        .await
        .unwrap();
    store
        .book_appointment(
            business,
            &NewAppointment {
                service: Some("Cleaning".into()),
                starts_at: at(86_400 * 3 + minute * 3600),
                ends_at: at(86_400 * 3 + minute * 3600 + 1800),
                buffer: SignedDuration::ZERO,
                conversation: Some(conversation),
                lead: Some(lead),
                visitor: Some(visitor.to_owned()),
            },
            when,
        )
        .await
        .unwrap();
    conversation
}

fn by_visitor(id: &str) -> VisitorQuery {
    VisitorQuery {
        visitor_id: Some(id.to_owned()),
        ..VisitorQuery::default()
    }
}

#[tokio::test]
async fn export_delete_export_again_finds_nothing_and_leaves_others_alone() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let other_source = BUSINESS.replace("slug = \"demo\"", "slug = \"other\"");
        let (elsewhere, _) = store
            .import_business(
                &Business::from_toml(&other_source).unwrap(),
                &other_source,
                at(0),
            )
            .await
            .unwrap();
        visit(
            &store,
            business,
            "visitor-ana1",
            "ana@example.test",
            "+15125550100",
            1,
        )
        .await;
        // The same person from another browser, found by the email on her lead.
        visit(
            &store,
            business,
            "visitor-ana2",
            "ANA@example.test",
            "+15125550111",
            2,
        )
        .await;
        visit(
            &store,
            business,
            "visitor-bob1",
            "bob@example.test",
            "+15125550199",
            3,
        )
        .await;
        // The same visitor id and email in another business: never reached from here.
        visit(
            &store,
            elsewhere,
            "visitor-ana1",
            "ana@example.test",
            "+15125550100",
            4,
        )
        .await;

        let ana = VisitorQuery {
            visitor_id: Some("visitor-ana1".into()),
            email: Some("ana@example.test".into()),
            phone: None,
        };
        let bob_before = store
            .find_visitor_data(business, &by_visitor("visitor-bob1"))
            .await
            .unwrap();
        let elsewhere_before = store.find_visitor_data(elsewhere, &ana).await.unwrap();

        let exported = store.find_visitor_data(business, &ana).await.unwrap();
        let count = |name: &str| {
            exported
                .counts()
                .into_iter()
                .find(|(n, _)| *n == name)
                .unwrap()
                .1
        };
        assert_eq!(count("conversations"), 2, "{backend:?}");
        assert_eq!(count("messages"), 4, "{backend:?}");
        assert_eq!(count("leads"), 2, "{backend:?}");
        assert_eq!(count("appointments"), 2, "{backend:?}");
        let leads = exported
            .categories
            .iter()
            .find(|c| c.name == "leads")
            .unwrap();
        let email_column = leads.columns.iter().position(|c| *c == "email").unwrap();
        assert!(leads.rows.iter().all(|row| row[email_column]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case("ana@example.test")));

        // Found by phone alone too.
        let by_phone = VisitorQuery {
            phone: Some("+15125550111".into()),
            ..VisitorQuery::default()
        };
        assert_eq!(
            store.find_visitor_data(business, &by_phone).await.unwrap().total(),
            1 + 2 + 1 + 1,
            "{backend:?}: the lead, its conversation's two messages, the conversation and the appointment"
        );

        let deleted = store.delete_visitor_data(business, &ana).await.unwrap();
        let deleted_total: u64 = deleted.iter().map(|(_, n)| n).sum();
        assert_eq!(deleted_total as usize, exported.total(), "{backend:?}");

        let again = store.find_visitor_data(business, &ana).await.unwrap();
        assert_eq!(again.total(), 0, "{backend:?}: {:?}", again.counts());
        assert_eq!(
            store
                .find_visitor_data(business, &by_visitor("visitor-bob1"))
                .await
                .unwrap(),
            bob_before,
            "{backend:?}"
        );
        assert_eq!(
            store.find_visitor_data(elsewhere, &ana).await.unwrap(),
            elsewhere_before,
            "{backend:?}"
        );
        assert!(elsewhere_before.total() > 0);
    }
}

fn owner(email: &str) -> NewUser<'_> {
    NewUser {
        email,
        name: "Olive Owner",
        password_hash: "$argon2id$stub",
        role: Role::Owner,
    }
}

async fn audited(store: &Store, business: BusinessId, when: Timestamp) {
    store
        .append_audit(&AuditEvent {
            business,
            at: when,
            actor: Actor::system(),
            action: AuditAction::SettingsChanged,
            resource: None,
            ip: Some("203.0.113.9".into()),
            user_agent: None,
            detail: None,
        })
        .await
        .unwrap();
}

async fn audit_count(store: &Store, business: BusinessId) -> usize {
    store
        .audit_events(business, crate::AuditRange::default(), 1000, None)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_closed_account_is_purged_after_the_grace_period_and_its_audit_log_after_six_years() {
    for backend in BACKENDS {
        let (_db, store, kept) = with_business(backend).await;
        let source = BUSINESS.replace("slug = \"demo\"", "slug = \"closing\"");
        let (business, user) = store
            .create_business_with_owner(
                &Business::from_toml(&source).unwrap(),
                &source,
                owner("olive@example.test"),
                at(0),
            )
            .await
            .unwrap();
        store
            .create_session(NewSession {
                token_hash: "session-hash",
                user,
                business,
                csrf_token: "csrf",
                pending_second_factor: false,
                user_agent: None,
                now: at(1),
                expires_at: at(1) + 12.hours(),
            })
            .await
            .unwrap();
        visit(
            &store,
            business,
            "visitor-ana1",
            "ana@example.test",
            "+15125550100",
            1,
        )
        .await;
        visit(
            &store,
            kept,
            "visitor-ana1",
            "ana@example.test",
            "+15125550100",
            1,
        )
        .await;
        for minute in 0..3 {
            audited(&store, business, at(100 + minute)).await;
            audited(&store, kept, at(100 + minute)).await;
        }

        let policy = RetentionPolicy::new(
            SignedDuration::from_hours(24 * 30),
            SignedDuration::from_mins(15),
        );
        let closed = at(1_000);
        store
            .close_account(business, &policy, closed)
            .await
            .unwrap();
        assert!(store
            .close_account(business, &policy, closed)
            .await
            .is_err());
        let stored = store.business_by_id(business).await.unwrap().unwrap();
        assert_eq!(stored.closed_at, Some(closed));
        assert!(
            store.session("session-hash").await.unwrap().is_none(),
            "{backend:?}: sessions end at once"
        );

        let day = SignedDuration::from_hours(24);
        let early = store
            .purge(&policy, closed + day * 29, PurgeOptions::default())
            .await
            .unwrap();
        assert_eq!(
            early
                .categories
                .get("closed_account_data")
                .copied()
                .unwrap_or(0),
            0
        );
        assert!(store.business_by_id(business).await.unwrap().is_some());

        let after_grace = closed + day * 31;
        let dry = store
            .purge(
                &policy,
                after_grace,
                PurgeOptions {
                    dry_run: true,
                    ..PurgeOptions::default()
                },
            )
            .await
            .unwrap();
        assert!(
            store.business_by_id(business).await.unwrap().is_some(),
            "a dry run deletes nothing"
        );
        let report = store
            .purge(&policy, after_grace, PurgeOptions::default())
            .await
            .unwrap();
        assert!(report.complete);
        assert_eq!(
            dry.categories.get("closed_account_data"),
            report.categories.get("closed_account_data"),
            "{backend:?}: the dry run counted what went"
        );
        assert!(
            store.business_by_id(business).await.unwrap().is_none(),
            "{backend:?}"
        );
        assert!(store
            .user_by_email("olive@example.test")
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            store
                .find_visitor_data(business, &by_visitor("visitor-ana1"))
                .await
                .unwrap()
                .total(),
            0
        );
        // The audit log stays, verifiable; the other business is untouched.
        assert_eq!(audit_count(&store, business).await, 3, "{backend:?}");
        assert!(matches!(
            store.verify_audit(None).await.unwrap(),
            AuditVerification::Intact { .. }
        ));
        assert!(
            store
                .find_visitor_data(kept, &by_visitor("visitor-ana1"))
                .await
                .unwrap()
                .total()
                > 0
        );

        // Six years after closure the closed account's log goes; the other business's
        // events, six years old by then too, go by the general rule.
        let later = closed + day * (6 * 366);
        audited(&store, kept, later - day).await;
        store
            .purge(&policy, later, PurgeOptions::default())
            .await
            .unwrap();
        assert_eq!(audit_count(&store, business).await, 0, "{backend:?}");
        assert_eq!(
            audit_count(&store, kept).await,
            1,
            "{backend:?}: the recent event stays"
        );
        assert!(
            matches!(
                store.verify_audit(None).await.unwrap(),
                AuditVerification::Intact { .. }
            ),
            "{backend:?}: chains verify from their anchors"
        );
        // Nothing left to do: a second run removes nothing.
        let idle = store
            .purge(&policy, later, PurgeOptions::default())
            .await
            .unwrap();
        assert_eq!(idle.total(), 0, "{backend:?}: {idle:?}");
    }
}

async fn session_count(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

async fn job_totals(store: &Store, category: &str) -> (i64, i64) {
    let deleted: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(deleted) AS BIGINT) FROM retention_jobs WHERE category = $1",
    )
    .bind(category)
    .fetch_one(&store.pool)
    .await
    .unwrap();
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM retention_jobs WHERE category = $1 AND finished_at IS NULL",
    )
    .bind(category)
    .fetch_one(&store.pool)
    .await
    .unwrap();
    (deleted.unwrap_or(0), open)
}

#[tokio::test]
async fn a_purge_stopped_half_way_resumes_and_deletes_each_row_once() {
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let source = BUSINESS.replace("slug = \"demo\"", "slug = \"team\"");
        let (business, user) = store
            .create_business_with_owner(
                &Business::from_toml(&source).unwrap(),
                &source,
                owner("olive@example.test"),
                at(0),
            )
            .await
            .unwrap();
        let hashes: Vec<String> = (0..14).map(|i| format!("session-{i:02}")).collect();
        for (i, hash) in hashes.iter().enumerate() {
            // Ten expired, four live.
            let expires_at = if i < 10 { at(50) } else { at(10_000) };
            store
                .create_session(NewSession {
                    token_hash: hash,
                    user,
                    business,
                    csrf_token: "csrf",
                    pending_second_factor: false,
                    user_agent: None,
                    now: at(1),
                    expires_at,
                })
                .await
                .unwrap();
        }
        let policy = RetentionPolicy::default();
        let now = at(100);
        let small = PurgeOptions {
            batch_size: 3,
            max_batches: Some(2),
            ..PurgeOptions::default()
        };
        let first = store.purge(&policy, now, small).await.unwrap();
        assert!(!first.complete, "{backend:?}");
        assert_eq!(first.categories.get("expired_sessions"), Some(&6));
        assert_eq!(session_count(&store).await, 8);
        assert_eq!(job_totals(&store, "expired_sessions").await, (6, 1));
        // The crash: the next run starts later, but the open job keeps its cutoff, so
        // the sessions that expired meanwhile wait for a job of their own.
        let resumed_at = at(20_000);
        let second = store
            .purge(
                &policy,
                resumed_at,
                PurgeOptions {
                    max_batches: Some(1),
                    ..small
                },
            )
            .await
            .unwrap();
        assert!(!second.complete);
        assert_eq!(second.categories.get("expired_sessions"), Some(&3));
        let rest = store
            .purge(
                &policy,
                resumed_at,
                PurgeOptions {
                    max_batches: None,
                    ..small
                },
            )
            .await
            .unwrap();
        assert!(rest.complete, "{backend:?}");
        // The first job finished the last expired one; a new job took the four that
        // expired by the later run.
        assert_eq!(rest.categories.get("expired_sessions"), Some(&(1 + 4)));
        assert_eq!(session_count(&store).await, 0);
        assert_eq!(
            job_totals(&store, "expired_sessions").await,
            (14, 0),
            "{backend:?}: each row counted once"
        );
    }
}

#[tokio::test]
async fn a_closed_account_purge_interrupted_between_batches_finishes_on_the_next_run() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        for minute in 0..6 {
            visit(
                &store,
                business,
                &format!("visitor-{minute:04}"),
                &format!("v{minute}@example.test"),
                "+15125550100",
                minute,
            )
            .await;
        }
        let policy = RetentionPolicy::default();
        let closed = at(10_000);
        store
            .close_account(business, &policy, closed)
            .await
            .unwrap();
        let due = closed + policy.closure_grace() + SignedDuration::from_secs(1);
        let dry = store
            .purge(
                &policy,
                due,
                PurgeOptions {
                    dry_run: true,
                    ..PurgeOptions::default()
                },
            )
            .await
            .unwrap();
        let expected = dry.categories["closed_account_data"];
        assert!(expected > 30, "{backend:?}: {expected}");
        let mut removed = 0;
        let mut runs = 0;
        loop {
            runs += 1;
            let report = store
                .purge(
                    &policy,
                    due,
                    PurgeOptions {
                        batch_size: 4,
                        max_batches: Some(3),
                        dry_run: false,
                    },
                )
                .await
                .unwrap();
            removed += report
                .categories
                .get("closed_account_data")
                .copied()
                .unwrap_or(0);
            if report.complete {
                break;
            }
            assert!(runs < 100);
        }
        assert!(runs > 2, "{backend:?}: the purge really was interrupted");
        assert_eq!(removed, expected, "{backend:?}");
        assert_eq!(
            job_totals(&store, "closed_account_data").await,
            (expected as i64, 0)
        );
        assert!(store.business_by_id(business).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_child_flag_is_stored_with_the_turn_and_a_flagged_conversation_can_be_deleted() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let conversation = ConversationId::new();
        let mut first = turn(business, conversation, true, "visitor-kid1", "im 9", at(1));
        first.flag_child = true;
        store.record_turn(&first).await.unwrap();
        assert!(store
            .flagged_as_child(business, conversation)
            .await
            .unwrap());
        let listed = store
            .conversations(business, &crate::ConversationFilter::default(), 10, 0)
            .await
            .unwrap();
        assert_eq!(listed[0].child_flagged_at, Some(at(1)));
        let other = ConversationId::new();
        store
            .record_turn(&turn(
                business,
                other,
                true,
                "visitor-adult",
                "hello",
                at(2),
            ))
            .await
            .unwrap();
        assert!(!store.flagged_as_child(business, other).await.unwrap());
        assert!(store
            .delete_conversation(business, conversation)
            .await
            .unwrap());
        assert!(!store
            .delete_conversation(business, conversation)
            .await
            .unwrap());
        assert!(store
            .team_transcript(business, conversation)
            .await
            .unwrap()
            .is_none());
        assert!(
            store
                .team_transcript(business, other)
                .await
                .unwrap()
                .is_some(),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_texter_and_caller_is_found_by_number_deleted_with_their_thread_and_calls_and_their_opt_out_is_kept(
) {
    use frontdesk_core::notify::PhoneNumber;
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let phone = PhoneNumber::parse("+15125550177").unwrap();
        let other = PhoneNumber::parse("+15125550188").unwrap();
        for number in [&phone, &other] {
            let thread = store.sms_thread(business, number, at(60)).await.unwrap();
            let conversation = ConversationId::new();
            store
                .record_turn(&turn(
                    business,
                    conversation,
                    true,
                    thread.visitor.as_str(),
                    "do you have anything on saturday",
                    at(60),
                ))
                .await
                .unwrap();
            store
                .continue_sms_thread(business, number, conversation, at(61))
                .await
                .unwrap();
        }
        store
            .record_sms_opt_out(business, &phone, at(120))
            .await
            .unwrap();
        // They also called, as did the other number.
        let (call, _) = store
            .start_call(
                business,
                "CA-texter",
                phone.as_str(),
                "+15125550000",
                at(130),
            )
            .await
            .unwrap();
        store
            .record_call_turn(
                business,
                call.id,
                &crate::CallTurn {
                    said: Some("what time do you open"),
                    answered: "We open at 8.",
                    intent: frontdesk_core::voice::CallIntent::Question,
                    conversation: None,
                    awaiting: frontdesk_core::voice::Awaiting::Question,
                    pending_order: None,
                    silent: false,
                },
                at(131),
            )
            .await
            .unwrap();
        store
            .start_call(
                business,
                "CA-other",
                other.as_str(),
                "+15125550000",
                at(140),
            )
            .await
            .unwrap();
        let query = VisitorQuery {
            phone: Some(phone.as_str().to_owned()),
            ..VisitorQuery::default()
        };

        let found = store.find_visitor_data(business, &query).await.unwrap();
        let count = |data: &crate::VisitorData, name: &str| {
            data.counts()
                .into_iter()
                .find(|(kind, _)| *kind == name)
                .map_or(0, |(_, n)| n)
        };
        assert_eq!(count(&found, "sms_threads"), 1, "{backend:?}");
        assert_eq!(count(&found, "sms_opt_outs"), 1, "{backend:?}");
        assert_eq!(count(&found, "conversations"), 1, "{backend:?}");
        assert_eq!(count(&found, "messages"), 2, "{backend:?}");
        assert_eq!(count(&found, "calls"), 1, "{backend:?}");
        assert_eq!(count(&found, "call_turns"), 1, "{backend:?}");

        store.delete_visitor_data(business, &query).await.unwrap();
        let again = store.find_visitor_data(business, &query).await.unwrap();
        assert_eq!(count(&again, "sms_threads"), 0, "{backend:?}");
        assert_eq!(count(&again, "conversations"), 0, "{backend:?}");
        assert_eq!(count(&again, "messages"), 0, "{backend:?}");
        assert_eq!(count(&again, "calls"), 0, "{backend:?}");
        assert_eq!(count(&again, "call_turns"), 0, "{backend:?}");
        assert_eq!(
            count(&again, "sms_opt_outs"),
            1,
            "the suppression record stays"
        );
        assert!(store.sms_opted_out(business, &phone).await.unwrap());
        // The other texter is untouched.
        let theirs = VisitorQuery {
            phone: Some(other.as_str().to_owned()),
            ..VisitorQuery::default()
        };
        let kept = store.find_visitor_data(business, &theirs).await.unwrap();
        assert_eq!(count(&kept, "conversations"), 1, "{backend:?}");
        assert_eq!(count(&kept, "calls"), 1, "{backend:?}");
    }
}
