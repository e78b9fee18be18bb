//! Team accounts, sessions, invites, resets, the login limiter and the dashboard's reads,
//! on SQLite and PostgreSQL.

use frontdesk_core::accounts::Role;
use frontdesk_core::assistant::{ConversationStore, StoreError};
use frontdesk_core::business::Business;
use frontdesk_core::conversation::{BusinessId, ConversationId};
use jiff::ToSpan;
use uuid::Uuid;

use super::{at, turn, with_business, BUSINESS};
use crate::testing::BACKENDS;
use crate::{ConversationFilter, Keyring, LimitScope, NewLead, NewSession, NewUser, Store};

fn member<'a>(email: &'a str, role: Role) -> NewUser<'a> {
    NewUser {
        email,
        name: "Sam Doe",
        password_hash: "$argon2id$stub",
        role,
    }
}

async fn signed_up(store: &Store, slug: &str, email: &str) -> (BusinessId, Uuid) {
    let source = BUSINESS.replace("slug = \"demo\"", &format!("slug = \"{slug}\""));
    let business = Business::from_toml(&source).unwrap();
    store
        .create_business_with_owner(&business, &source, member(email, Role::Owner), at(0))
        .await
        .unwrap()
}

fn session<'a>(hash: &'a str, user: Uuid, business: BusinessId, pending: bool) -> NewSession<'a> {
    NewSession {
        token_hash: hash,
        user,
        business,
        csrf_token: "csrf",
        pending_second_factor: pending,
        user_agent: Some("Firefox"),
        now: at(10),
        expires_at: at(10) + 12.hours(),
    }
}

#[tokio::test]
async fn sign_up_creates_business_and_owner_and_refuses_taken_slugs_and_emails() {
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let (business, owner) = signed_up(&store, "bright-smiles", "Ana@Example.test ").await;
        let found = store
            .user_by_email("ana@example.TEST")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.id, found.business, found.role),
            (owner, business, Role::Owner)
        );
        assert_eq!(found.email, "ana@example.test");
        assert!(!found.two_factor);

        let source = BUSINESS.replace("slug = \"demo\"", "slug = \"bright-smiles\"");
        let same_slug = Business::from_toml(&source).unwrap();
        let taken = store
            .create_business_with_owner(
                &same_slug,
                &source,
                member("b@example.test", Role::Owner),
                at(1),
            )
            .await;
        assert!(
            matches!(taken, Err(StoreError::Conflict(m)) if m.contains("taken")),
            "{backend:?}"
        );

        let other = BUSINESS.replace("slug = \"demo\"", "slug = \"other\"");
        let other_business = Business::from_toml(&other).unwrap();
        let duplicate = store
            .create_business_with_owner(
                &other_business,
                &other,
                member("ANA@example.test", Role::Owner),
                at(1),
            )
            .await;
        assert!(
            matches!(duplicate, Err(StoreError::Conflict(_))),
            "{backend:?}"
        );
        assert!(
            store.business_by_slug("other").await.unwrap().is_none(),
            "nothing half-created"
        );
    }
}

#[tokio::test]
async fn a_business_always_keeps_an_owner() {
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let (business, owner) = signed_up(&store, "bright-smiles", "ana@example.test").await;
        let last_owner = store.set_role(business, owner, Role::Admin, at(1)).await;
        assert!(
            matches!(last_owner, Err(StoreError::Conflict(_))),
            "{backend:?}"
        );
        assert!(matches!(
            store.remove_user(business, owner, at(5)).await,
            Err(StoreError::Conflict(_))
        ));

        let invite = store
            .create_invite(
                business,
                "hash-1",
                "bo@example.test",
                Role::Owner,
                Some(owner),
                at(1),
                at(1) + 168.hours(),
            )
            .await
            .unwrap();
        assert_eq!(
            store.open_invites(business, at(2)).await.unwrap()[0].id,
            invite
        );
        let second = store
            .accept_invite("hash-1", "Bo", "$argon2id$x", at(2))
            .await
            .unwrap();
        assert_eq!(second.role, Role::Owner);
        store
            .set_role(business, owner, Role::Viewer, at(3))
            .await
            .unwrap();
        assert!(matches!(
            store.remove_user(business, second.id, at(5)).await,
            Err(StoreError::Conflict(_))
        ));
        store.remove_user(business, owner, at(5)).await.unwrap();
        assert_eq!(store.team(business).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn invites_are_single_use_expiring_and_scoped_to_their_business() {
    for backend in BACKENDS {
        let (_db, store, other_business) = with_business(backend).await;
        let (business, owner) = signed_up(&store, "bright-smiles", "ana@example.test").await;
        store
            .create_invite(
                business,
                "hash-v",
                "vi@example.test",
                Role::Viewer,
                Some(owner),
                at(1),
                at(1) + 168.hours(),
            )
            .await
            .unwrap();
        let expired = store
            .invite_by_token("hash-v", at(1) + 192.hours())
            .await
            .unwrap();
        assert!(expired.is_none(), "{backend:?}");
        let viewer = store
            .accept_invite("hash-v", "Vi", "$argon2id$x", at(2))
            .await
            .unwrap();
        assert_eq!((viewer.business, viewer.role), (business, Role::Viewer));
        let again = store
            .accept_invite("hash-v", "Mallory", "$argon2id$y", at(3))
            .await;
        assert!(matches!(again, Err(StoreError::NotFound)), "{backend:?}");

        assert!(store
            .user(other_business, viewer.id)
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            store
                .set_role(other_business, viewer.id, Role::Owner, at(4))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.remove_user(other_business, viewer.id, at(5)).await,
            Err(StoreError::Conflict(_) | StoreError::NotFound)
        ));
        assert_eq!(
            store.user(business, viewer.id).await.unwrap().unwrap().role,
            Role::Viewer
        );

        let invite = store
            .create_invite(
                business,
                "hash-r",
                "re@example.test",
                Role::Admin,
                Some(owner),
                at(1),
                at(1) + 168.hours(),
            )
            .await
            .unwrap();
        assert!(matches!(
            store.revoke_invite(other_business, invite, at(2)).await,
            Err(StoreError::NotFound)
        ));
        store.revoke_invite(business, invite, at(2)).await.unwrap();
        assert!(store
            .invite_by_token("hash-r", at(3))
            .await
            .unwrap()
            .is_none());
    }
}

#[tokio::test]
async fn sessions_are_revocable_one_by_one_or_all_at_once() {
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let (business, owner) = signed_up(&store, "bright-smiles", "ana@example.test").await;
        for hash in ["s1", "s2", "s3"] {
            store
                .create_session(session(hash, owner, business, false))
                .await
                .unwrap();
        }
        let live = store.session("s1").await.unwrap().unwrap();
        assert_eq!((live.user.id, live.csrf_token.as_str()), (owner, "csrf"));
        assert!(store.revoke_session(owner, "s1", at(20)).await.unwrap());
        assert!(store.session("s1").await.unwrap().is_none(), "{backend:?}");
        assert_eq!(store.user_sessions(owner, at(20)).await.unwrap().len(), 2);
        assert_eq!(store.revoke_all_sessions(owner, at(21)).await.unwrap(), 2);
        assert!(store.session("s2").await.unwrap().is_none());
        assert!(store.user_sessions(owner, at(22)).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_second_factor_swaps_the_half_session_for_a_new_one_once() {
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let (business, owner) = signed_up(&store, "bright-smiles", "ana@example.test").await;
        store
            .create_session(session("pending", owner, business, true))
            .await
            .unwrap();
        assert!(
            store
                .session("pending")
                .await
                .unwrap()
                .unwrap()
                .pending_second_factor
        );
        store
            .complete_second_factor("pending", session("full", owner, business, false))
            .await
            .unwrap();
        assert!(
            store.session("pending").await.unwrap().is_none(),
            "{backend:?}"
        );
        assert!(
            !store
                .session("full")
                .await
                .unwrap()
                .unwrap()
                .pending_second_factor
        );
        let replay = store
            .complete_second_factor("pending", session("again", owner, business, false))
            .await;
        assert!(matches!(replay, Err(StoreError::NotFound)));
    }
}

#[tokio::test]
async fn totp_secrets_are_sealed_steps_claimed_once_and_recovery_codes_used_once() {
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let store = store.with_keyring(Keyring::parse(&Keyring::generate_entry("k1")).unwrap());
        let (business, owner) = signed_up(&store, "bright-smiles", "ana@example.test").await;
        let hashes = vec!["h1".to_owned(), "h2".to_owned()];
        store
            .set_two_factor(
                business,
                owner,
                Some(("JBSWY3DPEHPK3PXP", &hashes, 100)),
                at(1),
            )
            .await
            .unwrap();
        assert!(
            store
                .user(business, owner)
                .await
                .unwrap()
                .unwrap()
                .two_factor
        );
        assert_eq!(
            store.totp_secret(owner).await.unwrap(),
            Some(("JBSWY3DPEHPK3PXP".to_owned(), 100))
        );
        let raw: String = sqlx::query_scalar("SELECT totp_sealed FROM users WHERE id = $1")
            .bind(owner.to_string())
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert!(
            !raw.contains("JBSWY3DPEHPK3PXP"),
            "{backend:?}: secret stored in the clear"
        );
        assert!(!store.claim_totp_step(owner, 100).await.unwrap());
        assert!(store.claim_totp_step(owner, 101).await.unwrap());
        assert!(!store.claim_totp_step(owner, 101).await.unwrap());

        let codes = store.recovery_codes(owner).await.unwrap();
        assert_eq!(codes.len(), 2);
        assert!(store
            .consume_recovery_code(owner, &codes[0].0)
            .await
            .unwrap());
        assert!(!store
            .consume_recovery_code(owner, &codes[0].0)
            .await
            .unwrap());

        store
            .set_two_factor(business, owner, None, at(2))
            .await
            .unwrap();
        assert_eq!(store.totp_secret(owner).await.unwrap(), None);
        assert!(store.recovery_codes(owner).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_password_reset_works_once_before_it_expires_and_ends_every_session() {
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let (business, owner) = signed_up(&store, "bright-smiles", "ana@example.test").await;
        store
            .create_session(session("s1", owner, business, false))
            .await
            .unwrap();
        store
            .create_password_reset(owner, "reset-old", at(0), at(0) + 1.hour())
            .await
            .unwrap();
        store
            .create_password_reset(owner, "reset", at(1), at(1) + 1.hour())
            .await
            .unwrap();
        let expired = store
            .reset_password("reset-old", "$argon2id$new", at(0) + 2.hours())
            .await;
        assert!(matches!(expired, Err(StoreError::NotFound)), "{backend:?}");
        let user = store
            .reset_password("reset", "$argon2id$new", at(5))
            .await
            .unwrap();
        assert_eq!(
            (user.id, user.password_hash.as_str()),
            (owner, "$argon2id$new")
        );
        assert!(store.session("s1").await.unwrap().is_none());
        assert!(matches!(
            store
                .reset_password("reset", "$argon2id$again", at(6))
                .await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn attempts_are_counted_in_a_window_and_forgotten_after_it() {
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let ip = "203.0.113.9";
        let mut counts = Vec::new();
        for second in 0..3 {
            let window = at(second) - 15.minutes();
            counts.push(
                store
                    .record_attempt(LimitScope::Ip, ip, at(second), window)
                    .await
                    .unwrap(),
            );
        }
        assert_eq!(
            counts,
            [(1, Some(at(0))), (2, Some(at(0))), (3, Some(at(0)))],
            "{backend:?}"
        );
        let (account, _) = store
            .record_attempt(LimitScope::Account, ip, at(3), at(3) - 15.minutes())
            .await
            .unwrap();
        assert_eq!(account, 1, "scopes are counted apart");

        store
            .forget_attempt(LimitScope::Ip, ip, at(1))
            .await
            .unwrap();
        let (after_forget, _) = store
            .record_attempt(LimitScope::Ip, ip, at(4), at(4) - 15.minutes())
            .await
            .unwrap();
        assert_eq!(
            after_forget, 3,
            "one success forgotten, one more attempt counted"
        );

        store
            .record_attempt(
                LimitScope::Ip,
                "198.51.100.1",
                at(2000),
                at(2000) - 15.minutes(),
            )
            .await
            .unwrap();
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE key = $1")
            .bind(ip)
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(kept, 0, "{backend:?}: addresses outlived the window");
        store
            .clear_attempts(LimitScope::Ip, "198.51.100.1")
            .await
            .unwrap();
        let (fresh, _) = store
            .record_attempt(LimitScope::Ip, "198.51.100.1", at(2001), at(0))
            .await
            .unwrap();
        assert_eq!(fresh, 1);
    }
}

#[tokio::test]
async fn a_new_password_ends_other_reset_links_and_a_demoted_owner_s_invites() {
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let (business, owner) = signed_up(&store, "bright-smiles", "ana@example.test").await;
        store
            .create_password_reset(owner, "link-1", at(1), at(1) + 1.hour())
            .await
            .unwrap();
        store
            .create_password_reset(owner, "link-2", at(1), at(1) + 1.hour())
            .await
            .unwrap();
        store
            .reset_password("link-1", "$argon2id$new", at(2))
            .await
            .unwrap();
        assert!(
            matches!(
                store.reset_password("link-2", "$argon2id$x", at(3)).await,
                Err(StoreError::NotFound)
            ),
            "{backend:?}: the other link still worked"
        );
        store
            .create_password_reset(owner, "link-3", at(4), at(4) + 1.hour())
            .await
            .unwrap();
        store
            .set_password(business, owner, "$argon2id$changed", None, at(5))
            .await
            .unwrap();
        assert!(matches!(
            store.reset_password("link-3", "$argon2id$x", at(6)).await,
            Err(StoreError::NotFound)
        ));

        store
            .create_invite(
                business,
                "co-owner",
                "co@example.test",
                Role::Owner,
                Some(owner),
                at(7),
                at(7) + 168.hours(),
            )
            .await
            .unwrap();
        let co = store
            .accept_invite("co-owner", "Co", "$argon2id$x", at(8))
            .await
            .unwrap();
        store
            .create_invite(
                business,
                "backdoor",
                "me2@example.test",
                Role::Owner,
                Some(co.id),
                at(9),
                at(9) + 168.hours(),
            )
            .await
            .unwrap();
        store
            .set_role(business, co.id, Role::Viewer, at(10))
            .await
            .unwrap();
        assert!(
            store
                .invite_by_token("backdoor", at(11))
                .await
                .unwrap()
                .is_none(),
            "{backend:?}"
        );
        assert!(matches!(
            store
                .accept_invite("backdoor", "Me", "$argon2id$x", at(11))
                .await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn the_dashboard_lists_searches_and_reads_only_its_own_business() {
    for backend in BACKENDS {
        let (_db, store, business) = with_business(backend).await;
        let (other, _) = signed_up(&store, "bright-smiles", "ana@example.test").await;
        let first = ConversationId::new();
        let second = ConversationId::new();
        store
            .record_turn(&turn(
                business,
                first,
                true,
                "v_aaaaaaaaaaaaaaaa",
                "Do you take Delta 50%_off?",
                at(10),
            ))
            .await
            .unwrap();
        store
            .record_turn(&turn(
                business,
                second,
                true,
                "v_bbbbbbbbbbbbbbbb",
                "When do you open?",
                at(20),
            ))
            .await
            .unwrap();
        store
            .record_turn(&turn(
                other,
                ConversationId::new(),
                true,
                "v_cccccccccccccccc",
                "Delta?",
                at(30),
            ))
            .await
            .unwrap();

        let all = store
            .conversations(business, &ConversationFilter::default(), 50, 0)
            .await
            .unwrap();
        assert_eq!(
            all.iter().map(|c| c.id).collect::<Vec<_>>(),
            [second, first],
            "{backend:?}"
        );
        assert_eq!(
            all[1].opening.as_deref(),
            Some("Do you take Delta 50%_off?")
        );
        assert_eq!(all[1].messages, 2);
        let search = |text: &str| ConversationFilter {
            text: Some(text.to_owned()),
            ..Default::default()
        };
        let found = store
            .conversations(business, &search("delta"), 50, 0)
            .await
            .unwrap();
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [first]);
        assert_eq!(
            store
                .conversations(business, &search("50%_"), 50, 0)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(store
            .conversations(business, &search("5_%"), 50, 0)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store
                .conversations(business, &ConversationFilter::default(), 1, 1)
                .await
                .unwrap()[0]
                .id,
            first
        );

        let (summary, messages) = store
            .team_transcript(business, first)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((summary.id, messages.len()), (first, 2));
        assert!(
            store.team_transcript(other, first).await.unwrap().is_none(),
            "{backend:?}"
        );

        let lead = NewLead {
            channel: "web".into(),
            name: Some("Ana".into()),
            phone: Some("+15125550199".into()),
            consent: true,
            ..Default::default()
        };
        let id = store.save_lead(business, &lead, at(40)).await.unwrap();
        let leads = store.leads(business, 10, 0).await.unwrap();
        assert_eq!((leads.len(), leads[0].id, leads[0].consent), (1, id, true));
        assert!(store.leads(other, 10, 0).await.unwrap().is_empty());

        let (conversations, leads) = store.activity_since(business, at(15)).await.unwrap();
        assert_eq!((conversations.len(), leads.len()), (1, 1), "{backend:?}");
    }
}

#[tokio::test]
async fn key_rotation_reseals_totp_secrets() {
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let old = Keyring::generate_entry("old");
        let store = store.with_keyring(Keyring::parse(&old).unwrap());
        let (business, owner) = signed_up(&store, "bright-smiles", "ana@example.test").await;
        store
            .set_two_factor(business, owner, Some(("JBSWY3DPEHPK3PXP", &[], 1)), at(1))
            .await
            .unwrap();
        let both = format!("{},{old}", Keyring::generate_entry("new"));
        let store = store.with_keyring(Keyring::parse(&both).unwrap());
        assert_eq!(store.rotate_secrets().await.unwrap(), 1, "{backend:?}");
        assert_eq!(store.rotate_secrets().await.unwrap(), 0);
        let new_only = store.with_keyring(Keyring::parse(both.split(',').next().unwrap()).unwrap());
        assert_eq!(
            new_only
                .totp_secret(owner)
                .await
                .unwrap()
                .map(|(s, _)| s)
                .as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
    }
}

#[tokio::test]
async fn notifications_are_queued_per_member_claimed_once_and_retried_or_given_up() {
    use crate::{NotificationPrefs, NotifyChannel};
    use frontdesk_core::notify::TeamEvent;
    for backend in BACKENDS {
        let (_db, store, _) = with_business(backend).await;
        let (business, owner) = signed_up(&store, "bright-smiles", "ana@example.test").await;
        let prefs = NotificationPrefs {
            leads: true,
            appointments: false,
            sms_phone: Some("+15125550111".into()),
        };
        store
            .set_notification_prefs(business, owner, &prefs)
            .await
            .unwrap();
        assert_eq!(store.notification_prefs(owner).await.unwrap(), prefs);
        let mut conn = store.pool.acquire().await.unwrap();
        let lead = TeamEvent::LeadCaptured {
            lead_id: uuid::Uuid::now_v7(),
        };
        crate::notifications::enqueue(&mut conn, business, &lead, at(0))
            .await
            .unwrap();
        let booked = TeamEvent::AppointmentBooked {
            appointment_id: uuid::Uuid::now_v7(),
            starts_at: at(100),
        };
        crate::notifications::enqueue(&mut conn, business, &booked, at(0))
            .await
            .unwrap();
        drop(conn);

        let due = store.claim_due_notifications(at(1), 10).await.unwrap();
        assert_eq!(
            due.len(),
            2,
            "{backend:?}: email and SMS of the lead; appointments are off"
        );
        assert!(due.iter().all(|n| n.event == lead));
        assert!(due
            .iter()
            .any(|n| n.channel == NotifyChannel::Sms && n.destination == "+15125550111"));
        assert!(
            store
                .claim_due_notifications(at(2), 10)
                .await
                .unwrap()
                .is_empty(),
            "claimed once"
        );
        // A worker that died: its lease runs out after five minutes and the row comes back.
        assert_eq!(
            store
                .claim_due_notifications(at(400), 10)
                .await
                .unwrap()
                .len(),
            2
        );

        store.notification_sent(due[0].id, at(401)).await.unwrap();
        store
            .notification_failed(due[1].id, "rate limited", Some(at(500)), at(401))
            .await
            .unwrap();
        assert!(store
            .claim_due_notifications(at(450), 10)
            .await
            .unwrap()
            .is_empty());
        let retried = store.claim_due_notifications(at(500), 10).await.unwrap();
        assert_eq!((retried.len(), retried[0].attempts), (1, 1));
        store
            .notification_failed(retried[0].id, "401 unauthorized", None, at(501))
            .await
            .unwrap();
        assert_eq!(
            store.notification_failures(business).await.unwrap(),
            (1, Some("401 unauthorized".to_owned()))
        );
    }
}
