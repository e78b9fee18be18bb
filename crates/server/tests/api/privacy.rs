//! Privacy operations end to end, on SQLite and PostgreSQL: data-subject requests
//! (search, zip export, delete) with CSRF and roles, the transcript export, a child's
//! conversation flagged and deleted, and closing an account through to the purge of its
//! data and, six years on, of its audit log.

use std::time::Duration;

use frontdesk_core::audit::{AuditAction, AuditVerification};
use frontdesk_core::clock::Clock;
use frontdesk_core::retention::RetentionPolicy;
use frontdesk_store::testing::BACKENDS;
use frontdesk_store::{AuditRange, NewLead, PurgeOptions, VisitorQuery};
use jiff::SignedDuration;
use reqwest::StatusCode;

use crate::dashboard::{actions, dashboard, dashboard_with, Browser, PASSWORD};

/// A signed-in owner of "Bright Smiles" (slug `bright-smiles`) and a viewer of it.
async fn owner_and_viewer(d: &crate::dashboard::Dashboard) -> (Browser, Browser) {
    let mut owner = Browser::new(&d.app);
    owner
        .sign_up("Ana", "ana@bright.test", "Bright Smiles")
        .await;
    owner.get("/app/team").await;
    owner
        .post(
            "/app/team/invite",
            &[("email", "vic@bright.test"), ("role", "viewer")],
        )
        .await;
    let link = d.link_in_mail("vic@bright.test").await;
    let mut viewer = Browser::new(&d.app);
    viewer.get(&link).await;
    let joined = viewer
        .post(
            &link,
            &[
                ("name", "Vic"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert_eq!(joined.location(), "/app", "{}", joined.body);
    (owner, viewer)
}

#[tokio::test]
async fn a_visitors_data_is_found_exported_and_deleted_by_an_owner_and_never_by_a_viewer() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let (mut owner, mut viewer) = owner_and_viewer(&d).await;
        let business = d.business_of("ana@bright.test").await;
        let (status, reply) = d
            .app
            .send_to(
                "bright-smiles",
                "visitor-ana1",
                None,
                "=HYPERLINK(\"x\") hi",
            )
            .await;
        assert_eq!(status, 200, "{reply}");
        let conversation = reply["conversation_id"].as_str().unwrap().parse().unwrap();
        d.app
            .send_to("bright-smiles", "visitor-bob1", None, "hello")
            .await;
        d.app
            .store
            .save_lead(
                business,
                &NewLead {
                    conversation: Some(frontdesk_core::conversation::ConversationId(conversation)),
                    visitor: Some("visitor-ana1".into()),
                    channel: "web".into(),
                    email: Some("ana.visitor@example.test".into()),
                    phone: Some("+15125550100".into()),
                    ..NewLead::default()
                },
                jiff::Timestamp::now(),
            )
            .await
            .unwrap();

        // A viewer may neither search, export nor delete.
        assert_eq!(
            viewer
                .get("/app/privacy?email=ana.visitor%40example.test")
                .await
                .status,
            StatusCode::FORBIDDEN,
            "{backend:?}"
        );
        viewer.get("/app").await;
        for path in ["/app/privacy/export", "/app/privacy/delete"] {
            let refused = viewer
                .post(
                    path,
                    &[("email", "ana.visitor@example.test"), ("confirm", "yes")],
                )
                .await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{backend:?} {path}");
        }

        let found = owner
            .get("/app/privacy?email=ANA.visitor%40example.test")
            .await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.body);
        assert!(found.body.contains("leads: 1"), "{}", found.body);
        assert!(found.body.contains("messages: 2"), "{}", found.body);
        let bad_phone = owner.get("/app/privacy?phone=12").await;
        assert!(bad_phone.body.contains("does not look right"));

        // Without the session's token the export is refused.
        let forged = owner
            .post_with_csrf(
                "/app/privacy/export",
                &[("email", "ana.visitor@example.test")],
                "forged",
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        owner
            .get("/app/privacy?email=ana.visitor%40example.test")
            .await;
        let exported = owner
            .post("/app/privacy/export", &[("phone", "(512) 555-0100")])
            .await;
        assert_eq!(exported.status, StatusCode::OK, "{}", exported.body);
        assert_eq!(
            exported.headers["content-type"].to_str().unwrap(),
            "application/zip"
        );
        let zip = exported.body.as_bytes();
        assert!(zip.starts_with(b"PK\x03\x04"), "{backend:?}: a zip");
        let names = String::from_utf8_lossy(zip);
        for file in [
            "visitor.json",
            "leads.csv",
            "messages.csv",
            "conversations.csv",
        ] {
            assert!(names.contains(file), "{backend:?}: {file} in the zip");
        }

        // The transcript export streams every conversation, formula-safe.
        let csv = owner.get("/app/conversations.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv
            .body
            .starts_with("conversation_id,channel,visitor_id,message_id,time,role,text"));
        assert!(csv.body.contains("'=HYPERLINK"), "{}", csv.body);
        assert!(csv.body.contains("hello"));

        let bob_query = VisitorQuery {
            visitor_id: Some("visitor-bob1".into()),
            ..VisitorQuery::default()
        };
        let bob_before = d
            .app
            .store
            .find_visitor_data(business, &bob_query)
            .await
            .unwrap();
        assert!(bob_before.total() >= 3);
        owner
            .get("/app/privacy?email=ana.visitor%40example.test")
            .await;
        let unconfirmed = owner
            .post(
                "/app/privacy/delete",
                &[("email", "ana.visitor@example.test")],
            )
            .await;
        assert_eq!(unconfirmed.status, StatusCode::BAD_REQUEST);
        owner
            .get("/app/privacy?email=ana.visitor%40example.test")
            .await;
        let deleted = owner
            .post(
                "/app/privacy/delete",
                &[("email", "ana.visitor@example.test"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
        assert!(
            deleted.body.contains("records about this visitor"),
            "{}",
            deleted.body
        );
        let again = owner
            .get("/app/privacy?email=ana.visitor%40example.test")
            .await;
        assert!(again.body.contains("Nothing is held"), "{}", again.body);
        let bob = d
            .app
            .store
            .find_visitor_data(business, &bob_query)
            .await
            .unwrap();
        assert_eq!(
            bob, bob_before,
            "{backend:?}: the other visitor is untouched"
        );

        // The same through the JSON API: the session's token in X-CSRF-Token.
        let csrf = owner.get("/app/privacy").await.input("csrf").unwrap();
        let json_post = |browser: &Browser, path: &str, csrf: &str, fields: &[(&str, &str)]| {
            d.app
                .client
                .post(d.app.url(path))
                .header("cookie", browser.cookie_header())
                .header("x-csrf-token", csrf.to_owned())
                .form(fields)
                .send()
        };
        let export = json_post(
            &owner,
            "/api/v1/app/data-subject/export",
            &csrf,
            &[("visitor_id", "visitor-bob1")],
        )
        .await
        .unwrap();
        assert_eq!(export.status(), StatusCode::OK);
        let export: serde_json::Value = export.json().await.unwrap();
        assert_eq!(
            export["conversations"].as_array().unwrap().len(),
            1,
            "{export}"
        );
        assert_eq!(export["messages"][0]["text"], "hello");
        let viewer_csrf = viewer.get("/app").await.input("csrf").unwrap();
        let refused = json_post(
            &viewer,
            "/api/v1/app/data-subject/delete",
            &viewer_csrf,
            &[("visitor_id", "visitor-bob1"), ("confirm", "yes")],
        )
        .await
        .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let forged = json_post(
            &owner,
            "/api/v1/app/data-subject/delete",
            "forged",
            &[("visitor_id", "visitor-bob1"), ("confirm", "yes")],
        )
        .await
        .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let gone = json_post(
            &owner,
            "/api/v1/app/data-subject/delete",
            &csrf,
            &[("visitor_id", "visitor-bob1"), ("confirm", "yes")],
        )
        .await
        .unwrap();
        assert_eq!(gone.status(), StatusCode::OK);
        let gone: serde_json::Value = gone.json().await.unwrap();
        assert_eq!(gone["deleted"]["messages"], 2, "{gone}");
        assert_eq!(
            d.app
                .store
                .find_visitor_data(business, &bob_query)
                .await
                .unwrap()
                .total(),
            0
        );

        let audited = actions(&d.app, business).await;
        for action in [
            AuditAction::DataSubjectSearched,
            AuditAction::DataSubjectExported,
            AuditAction::DataSubjectDeleted,
            AuditAction::ConversationsExported,
        ] {
            assert!(audited.contains(&action), "{backend:?}: {action}");
        }
        let events = d
            .app
            .store
            .audit_events(business, AuditRange::default(), 500, None)
            .await
            .unwrap();
        for event in &events {
            let text = format!("{:?} {:?}", event.event.resource, event.event.detail);
            assert!(
                !text.contains("ana.visitor"),
                "{backend:?}: contact data in the audit log: {text}"
            );
            assert!(!text.contains("5550100"), "{backend:?}: {text}");
        }
    }
}

#[tokio::test]
async fn a_child_is_not_asked_for_details_and_the_conversation_is_flagged_for_deletion() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut owner = Browser::new(&d.app);
        owner
            .sign_up("Ana", "ana@bright.test", "Bright Smiles")
            .await;
        let (status, reply) = d
            .app
            .send_to(
                "bright-smiles",
                "visitor-kid1",
                None,
                "hi im 11 and i want to book a cleaning, email me at kid@example.test",
            )
            .await;
        assert_eq!(status, 200, "{reply}");
        let text = reply["reply"]["text"].as_str().unwrap();
        assert!(text.contains("parent or guardian"), "{backend:?}: {text}");
        let conversation = reply["conversation_id"].as_str().unwrap().to_owned();
        let (status, reply) = d
            .app
            .send_to(
                "bright-smiles",
                "visitor-kid1",
                Some(&conversation),
                "please call me at 512 555 0199, my name is Sam",
            )
            .await;
        assert_eq!(status, 200, "{reply}");
        assert!(
            reply["actions"].as_array().is_none_or(|a| a.is_empty()),
            "{reply}"
        );
        let business = d.business_of("ana@bright.test").await;
        assert!(
            d.app.store.leads(business, 10, 0).await.unwrap().is_empty(),
            "{backend:?}: no lead from a child"
        );

        let list = owner.get("/app/conversations").await;
        assert!(
            list.body.contains("Under 13: please delete"),
            "{}",
            list.body
        );
        let transcript = owner
            .get(&format!("/app/conversations/{conversation}"))
            .await;
        assert!(transcript.body.contains("said they are under 13"));
        assert!(
            !transcript.body.contains("kid@example.test"),
            "{backend:?}: no contact details kept"
        );
        assert!(
            !transcript.body.contains("555 0199"),
            "{backend:?}: no contact details kept"
        );
        let deleted = owner
            .post(&format!("/app/conversations/{conversation}/delete"), &[])
            .await;
        assert_eq!(deleted.location(), "/app/conversations", "{}", deleted.body);
        assert_eq!(
            owner
                .get(&format!("/app/conversations/{conversation}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert!(actions(&d.app, business)
            .await
            .contains(&AuditAction::ConversationDeleted));
    }
}

#[tokio::test]
async fn a_closed_account_stops_answering_at_once_and_is_purged_after_its_grace_period() {
    for backend in BACKENDS {
        let d = dashboard_with(backend, |config| {
            config.closure_grace = SignedDuration::from_hours(24 * 365);
        })
        .await;
        let (mut owner, mut viewer) = owner_and_viewer(&d).await;
        let business = d.business_of("ana@bright.test").await;
        let (status, _) = d
            .app
            .send_to("bright-smiles", "visitor-ana1", None, "hi")
            .await;
        assert_eq!(status, 200);

        assert_eq!(
            viewer.get("/app/account/close").await.status,
            StatusCode::FORBIDDEN,
            "{backend:?}: owners only"
        );
        let zone = owner.get("/app/account/close").await;
        assert_eq!(zone.status, StatusCode::OK);
        assert!(
            zone.body.contains("/app/conversations.csv"),
            "the exports are offered first"
        );
        let wrong_name = owner
            .post(
                "/app/account/close",
                &[("password", PASSWORD), ("business_name", "Bright smiles")],
            )
            .await;
        assert_eq!(wrong_name.status, StatusCode::UNPROCESSABLE_ENTITY);
        let wrong_password = owner
            .post(
                "/app/account/close",
                &[("password", "nope"), ("business_name", "Bright Smiles")],
            )
            .await;
        assert_eq!(wrong_password.status, StatusCode::UNPROCESSABLE_ENTITY);
        let forged = owner
            .post_with_csrf(
                "/app/account/close",
                &[("password", PASSWORD), ("business_name", "Bright Smiles")],
                "forged",
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(d
            .app
            .store
            .business_by_id(business)
            .await
            .unwrap()
            .unwrap()
            .closed_at
            .is_none());

        owner.get("/app/account/close").await;
        let closed = owner
            .post(
                "/app/account/close",
                &[("password", PASSWORD), ("business_name", "Bright Smiles")],
            )
            .await;
        assert_eq!(closed.location(), "/app/login", "{}", closed.body);

        // At once: the widget's API answers with the notice, sessions are over, sign-in
        // is refused.
        let profile = d
            .app
            .client
            .get(d.app.url("/api/v1/businesses/bright-smiles"))
            .send()
            .await
            .unwrap();
        assert_eq!(profile.status(), StatusCode::GONE);
        let body: serde_json::Value = profile.json().await.unwrap();
        assert_eq!(body["error"]["code"], "account_closed");
        let (status, body) = d
            .app
            .send_to("bright-smiles", "visitor-ana1", None, "hello?")
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (410, Some("account_closed"))
        );
        assert!(viewer
            .get("/app")
            .await
            .location()
            .starts_with("/app/login"));
        let again = owner.sign_in("ana@bright.test", PASSWORD).await;
        assert!(
            again.body.contains("This account was closed"),
            "{}",
            again.body
        );
        assert!(actions(&d.app, business)
            .await
            .contains(&AuditAction::AccountDeletionRequested));

        // The grace period is clamped to 90 days: a year was configured. The jobs run
        // here as `frontdesk purge` runs them (the server's own worker is tested below).
        let policy = RetentionPolicy::default();
        let purge = |days: i64| {
            d.clock.advance(SignedDuration::from_hours(24 * days));
            d.app
                .store
                .purge(&policy, d.clock.now(), PurgeOptions::default())
        };
        purge(89).await.unwrap();
        assert!(d
            .app
            .store
            .business_by_id(business)
            .await
            .unwrap()
            .is_some());
        let report = purge(2).await.unwrap();
        assert!(report.categories["closed_account_data"] > 0, "{report:?}");
        assert!(d
            .app
            .store
            .business_by_id(business)
            .await
            .unwrap()
            .is_none());
        assert!(d
            .app
            .store
            .user_by_email("ana@bright.test")
            .await
            .unwrap()
            .is_none());
        let kept = d
            .app
            .store
            .audit_events(business, AuditRange::default(), 500, None)
            .await
            .unwrap();
        assert!(
            !kept.is_empty(),
            "{backend:?}: the audit log outlives the data"
        );
        assert!(matches!(
            d.app.store.verify_audit(Some(business)).await.unwrap(),
            AuditVerification::Intact { .. }
        ));

        purge(366 * 6).await.unwrap();
        assert!(d
            .app
            .store
            .audit_events(business, AuditRange::default(), 500, None)
            .await
            .unwrap()
            .is_empty());
        assert!(matches!(
            d.app.store.verify_audit(None).await.unwrap(),
            AuditVerification::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn the_server_runs_the_retention_jobs_on_its_own() {
    for backend in BACKENDS {
        let d = dashboard_with(backend, |config| {
            config.closure_grace = SignedDuration::ZERO;
            config.retention_interval = Duration::from_millis(50);
        })
        .await;
        let demo = d.app.store.business_by_slug("demo").await.unwrap().unwrap();
        let policy = RetentionPolicy::new(SignedDuration::ZERO, SignedDuration::from_mins(15));
        d.app
            .store
            .close_account(demo.id, &policy, d.clock.now())
            .await
            .unwrap();
        wait_until(|| async { d.app.store.business_by_id(demo.id).await.unwrap().is_none() }).await;
    }
}

/// Polls for up to ten seconds (the server's retention worker runs every 50 ms).
async fn wait_until<F, Fut>(check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the retention worker did not get there in time");
}
