//! The dashboard end to end, on SQLite and PostgreSQL: sign-up, sign-in with a second
//! factor, roles, tenant isolation on every route, CSRF, rate limits, session expiry and
//! the audit trail.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use frontdesk_core::accounts::TotpSecret;
use frontdesk_core::assistant::{BuiltinEngine, ReplyProvider};
use frontdesk_core::audit::{AuditAction, AuditVerification};
use frontdesk_core::clock::ManualClock;
use frontdesk_core::conversation::BusinessId;
use frontdesk_core::llm::{ModelSettings, ModelVendor};
use frontdesk_server::{OutboxMailer, ProviderFactory};
use frontdesk_store::testing::BACKENDS;
use frontdesk_store::{AuditRange, Backend, NewLead};
use jiff::SignedDuration;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

use crate::helpers::{spawn_app_with, TestApp, MONDAY_MORNING};

pub const PASSWORD: &str = "correct horse battery staple";

/// A browser: keeps cookies, does not follow redirects, and remembers the last CSRF
/// token a page carried.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
    csrf: Option<String>,
}

/// A response read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the first `name="…" value="…"` input with this name.
    pub fn input(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].to_owned())
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.address.clone(),
            cookies: HashMap::new(),
            csrf: None,
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn read(&mut self, response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let body = response.text().await.unwrap();
        let page = Page {
            status,
            headers,
            body,
        };
        if let Some(csrf) = page.input("csrf") {
            self.csrf = Some(csrf);
        }
        page
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("user-agent", "e2e-browser/1.0")
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// Posts a form with the CSRF token of the last page seen.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf.clone().unwrap_or_default();
        self.post_with_csrf(path, fields, &csrf).await
    }

    pub async fn post_with_csrf(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        csrf: &str,
    ) -> Page {
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("user-agent", "e2e-browser/1.0")
            .form(&form)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// Signs up a new business and its owner; the browser is then signed in.
    pub async fn sign_up(&mut self, name: &str, email: &str, business: &str) -> Page {
        self.get("/app/signup").await;
        let page = self
            .post(
                "/app/signup",
                &[
                    ("name", name),
                    ("email", email),
                    ("business_name", business),
                    ("timezone", "America/Chicago"),
                    ("password", PASSWORD),
                    ("confirm", PASSWORD),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        self.get("/app").await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        self.get("/app/login").await;
        self.post("/app/login", &[("email", email), ("password", password)])
            .await
    }
}

pub struct Dashboard {
    pub app: TestApp,
    pub clock: Arc<ManualClock>,
    outbox: PathBuf,
}

pub async fn dashboard(backend: Backend) -> Dashboard {
    dashboard_with(backend, |_| {}).await
}

/// [`dashboard`] with the configuration adjusted by `configure`.
pub async fn dashboard_with(
    backend: Backend,
    configure: impl FnOnce(&mut frontdesk_server::Config),
) -> Dashboard {
    let clock = Arc::new(ManualClock::new(MONDAY_MORNING.parse().unwrap()));
    let outbox = std::env::temp_dir().join(format!("fd-outbox-{}", uuid::Uuid::new_v4()));
    let (c, o) = (clock.clone(), outbox.clone());
    let app = spawn_app_with(backend, move |config| {
        config.clock = c;
        config.model_providers =
            Some(ProviderFactory(Arc::new(
                |settings: &ModelSettings| match settings.vendor {
                    ModelVendor::OpenAi => Ok(Arc::new(BuiltinEngine) as Arc<dyn ReplyProvider>),
                    ModelVendor::Anthropic => Err("anthropic needs an API key".to_owned()),
                },
            )));
        config.mailer = Arc::new(OutboxMailer::new(o));
        config.keyring = Some(
            frontdesk_store::Keyring::parse(&frontdesk_store::Keyring::generate_entry("t1"))
                .unwrap(),
        );
        configure(config);
    })
    .await;
    Dashboard { app, clock, outbox }
}

impl Dashboard {
    /// The link in the newest mail to `to`, waiting a little: reset links are mailed
    /// after the answer, so the answer can't reveal whether an account exists.
    pub async fn link_in_mail(&self, to: &str) -> String {
        for _ in 0..100 {
            if let Some(text) = self.newest_mail(to) {
                let start = text.find(&self.app.address).expect("a link to this server");
                let link = text[start..].split_whitespace().next().unwrap();
                return link.trim_start_matches(&self.app.address).to_owned();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no mail to {to}");
    }

    fn newest_mail(&self, to: &str) -> Option<String> {
        let mut mails: Vec<_> = std::fs::read_dir(&self.outbox)
            .ok()?
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        mails.sort();
        mails
            .iter()
            .rev()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .find(|t| t.starts_with(&format!("To: {to}\r\n")))
    }

    fn unix_now(&self) -> u64 {
        use frontdesk_core::clock::Clock;
        self.clock.now().as_second() as u64
    }

    pub async fn business_of(&self, email: &str) -> BusinessId {
        self.app
            .store
            .user_by_email(email)
            .await
            .unwrap()
            .unwrap()
            .business
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.outbox);
    }
}

pub async fn actions(app: &TestApp, business: BusinessId) -> Vec<AuditAction> {
    let mut events = app
        .store
        .audit_events(business, AuditRange::default(), 500, None)
        .await
        .unwrap();
    events.reverse();
    events.into_iter().map(|r| r.event.action).collect()
}

#[tokio::test]
async fn sign_up_enrol_two_factor_sign_out_and_sign_in_with_a_code() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut browser = Browser::new(&d.app);
        let home = browser
            .sign_up("Ana Diaz", "ana@bright.test", "Bright Smiles")
            .await;
        assert_eq!(home.status, StatusCode::OK, "{backend:?}");
        assert!(home.body.contains("Bright Smiles"));
        assert!(home.body.contains("conversations in the last 30 days"));
        assert!(home.body.contains("<svg"), "the activity chart");

        browser.get("/app/security").await;
        let setup = browser.post("/app/security/2fa/start", &[]).await;
        assert_eq!(setup.status, StatusCode::OK);
        assert!(setup.body.contains("<svg"), "QR code rendered inline");
        let secret = setup.input("secret").expect("the setup key");
        let totp = TotpSecret::from_base32(&secret).unwrap();
        let wrong = browser
            .post(
                "/app/security/2fa/confirm",
                &[("secret", &secret), ("code", "000000")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let code = totp.code_at(d.unix_now());
        let enrolled = browser
            .post(
                "/app/security/2fa/confirm",
                &[("secret", &secret), ("code", &code)],
            )
            .await;
        assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.body);
        let codes: Vec<&str> = enrolled
            .body
            .split("<li>")
            .skip(1)
            .filter_map(|chunk| chunk.split("</li>").next())
            .filter(|c| c.len() == 9 && c.as_bytes()[4] == b'-')
            .collect();
        assert_eq!(codes.len(), 10, "ten recovery codes shown once");
        let recovery = codes[0].to_owned();
        let other = TotpSecret::generate();
        let replace = browser
            .post(
                "/app/security/2fa/confirm",
                &[
                    ("secret", &other.to_base32()),
                    ("code", &other.code_at(d.unix_now())),
                ],
            )
            .await;
        assert_eq!(
            replace.status,
            StatusCode::CONFLICT,
            "{backend:?}: an enrolment was replaced without a code"
        );

        browser.get("/app").await;
        let out = browser.post("/app/logout", &[]).await;
        assert_eq!(out.location(), "/app/login?done=signed-out");
        assert_eq!(browser.get("/app").await.location(), "/app/login");

        let half = browser.sign_in("ana@bright.test", PASSWORD).await;
        assert_eq!(half.location(), "/app/login/code", "{backend:?}");
        assert_eq!(
            browser.get("/app").await.location(),
            "/app/login",
            "a password alone opens nothing"
        );
        browser.get("/app/login/code").await;
        let reused = browser.post("/app/login/code", &[("code", &code)]).await;
        assert!(
            reused.body.contains("not right"),
            "the enrolment code can't sign in again"
        );
        d.clock.advance(SignedDuration::from_secs(30));
        let fresh = totp.code_at(d.unix_now());
        let signed_in = browser.post("/app/login/code", &[("code", &fresh)]).await;
        assert_eq!(
            signed_in.location(),
            "/app",
            "{backend:?}: {}",
            signed_in.body
        );
        assert_eq!(browser.get("/app").await.status, StatusCode::OK);

        browser.post("/app/logout", &[]).await;
        browser.sign_in("ana@bright.test", PASSWORD).await;
        browser.get("/app/login/code").await;
        let by_recovery = browser
            .post("/app/login/code", &[("code", &recovery)])
            .await;
        assert_eq!(by_recovery.location(), "/app");
        browser.post("/app/logout", &[]).await;
        browser.sign_in("ana@bright.test", PASSWORD).await;
        browser.get("/app/login/code").await;
        let spent = browser
            .post("/app/login/code", &[("code", &recovery)])
            .await;
        assert!(
            spent.body.contains("not right"),
            "a recovery code works once"
        );

        let business = d.business_of("ana@bright.test").await;
        let trail = actions(&d.app, business).await;
        for expected in [
            AuditAction::AccountCreated,
            AuditAction::TwoFactorEnrolled,
            AuditAction::Logout,
            AuditAction::LoginSucceeded,
            AuditAction::LoginFailed,
        ] {
            assert!(
                trail.contains(&expected),
                "{backend:?}: {expected} missing from {trail:?}"
            );
        }
        let verification = d.app.store.verify_audit(Some(business)).await.unwrap();
        assert!(
            matches!(verification, AuditVerification::Intact { .. }),
            "{verification:?}"
        );
    }
}

#[tokio::test]
async fn an_invited_viewer_reads_but_cannot_export_edit_or_manage() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut owner = Browser::new(&d.app);
        owner
            .sign_up("Ana", "ana@bright.test", "Bright Smiles")
            .await;
        owner.get("/app/team").await;
        let invited = owner
            .post(
                "/app/team/invite",
                &[("email", "Vic@Bright.test"), ("role", "viewer")],
            )
            .await;
        assert_eq!(
            invited.location(),
            "/app/team?done=invited",
            "{}",
            invited.body
        );
        let link = d.link_in_mail("vic@bright.test").await;
        assert!(link.starts_with("/app/invite/"));

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
        assert_eq!(joined.location(), "/app", "{backend:?}: {}", joined.body);
        let mut again = Browser::new(&d.app);
        again.get("/app/login").await;
        let reuse = again.get(&link).await;
        assert_eq!(
            reuse.status,
            StatusCode::BAD_REQUEST,
            "an invite works once"
        );

        for path in [
            "/app",
            "/app/conversations",
            "/app/leads",
            "/app/appointments",
            "/app/team",
            "/app/security",
            "/app/account",
        ] {
            assert_eq!(
                viewer.get(path).await.status,
                StatusCode::OK,
                "{backend:?} viewer GET {path}"
            );
        }
        for path in [
            "/app/leads.csv",
            "/app/settings",
            "/app/business",
            "/app/audit",
            "/app/audit.csv",
        ] {
            assert_eq!(
                viewer.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{backend:?} viewer GET {path}"
            );
        }
        viewer.get("/app/team").await;
        let owner_id = d
            .app
            .store
            .user_by_email("ana@bright.test")
            .await
            .unwrap()
            .unwrap()
            .id;
        let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
            ("/app/business/hours".into(), vec![("mon", "closed")]),
            (
                "/app/business/file".into(),
                vec![("source", "slug = \"x\"")],
            ),
            (
                "/app/team/invite".into(),
                vec![("email", "eve@bright.test"), ("role", "owner")],
            ),
            (
                format!("/app/team/{owner_id}/role"),
                vec![("role", "viewer")],
            ),
            (format!("/app/team/{owner_id}/remove"), vec![]),
            (
                format!("/app/appointments/{}/cancel", uuid::Uuid::nil()),
                vec![],
            ),
        ];
        for (path, fields) in &posts {
            let page = viewer.post(path, fields).await;
            assert_eq!(
                page.status,
                StatusCode::FORBIDDEN,
                "{backend:?} viewer POST {path}"
            );
        }

        let business = d.business_of("ana@bright.test").await;
        assert!(actions(&d.app, business)
            .await
            .contains(&AuditAction::TeamInvited));
        assert!(actions(&d.app, business)
            .await
            .contains(&AuditAction::InviteAccepted));
        // The owner can promote the viewer, and can't demote the last owner.
        owner.get("/app/team").await;
        let vic = d
            .app
            .store
            .user_by_email("vic@bright.test")
            .await
            .unwrap()
            .unwrap()
            .id;
        let promoted = owner
            .post(&format!("/app/team/{vic}/role"), &[("role", "admin")])
            .await;
        assert_eq!(promoted.location(), "/app/team?done=role");
        assert_eq!(
            viewer.get("/app/business").await.status,
            StatusCode::OK,
            "admins edit the business"
        );
        let demote_self = owner
            .post(&format!("/app/team/{owner_id}/role"), &[("role", "admin")])
            .await;
        assert_eq!(demote_self.status, StatusCode::CONFLICT);
        assert!(demote_self.body.contains("at least one owner"));
    }
}

#[tokio::test]
async fn no_route_reaches_another_business() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut alice = Browser::new(&d.app);
        alice.sign_up("Alice", "alice@a.test", "Alpha Dental").await;
        let mut bob = Browser::new(&d.app);
        bob.sign_up("Bob", "bob@b.test", "Beta Bakery").await;
        let beta = d.business_of("bob@b.test").await;

        // Beta's data: a conversation, a lead, a team member, an invite, a session.
        let (status, reply) = d
            .app
            .send_to(
                "beta-bakery",
                "v_bbbbbbbbbbbbbbbb",
                None,
                "Secret Beta question about sourdough",
            )
            .await;
        assert_eq!(status, 200, "{reply}");
        let conversation = reply["conversation_id"].as_str().unwrap().to_owned();
        let lead = NewLead {
            channel: "web".into(),
            name: Some("Beta Lead".into()),
            ..Default::default()
        };
        d.app
            .store
            .save_lead(beta, &lead, MONDAY_MORNING.parse().unwrap())
            .await
            .unwrap();
        bob.get("/app/team").await;
        bob.post(
            "/app/team/invite",
            &[("email", "carol@b.test"), ("role", "admin")],
        )
        .await;
        let invite = d
            .app
            .store
            .open_invites(beta, MONDAY_MORNING.parse().unwrap())
            .await
            .unwrap()[0]
            .id;
        let bob_id = d
            .app
            .store
            .user_by_email("bob@b.test")
            .await
            .unwrap()
            .unwrap()
            .id;
        let bob_session = d
            .app
            .store
            .user_sessions(bob_id, MONDAY_MORNING.parse().unwrap())
            .await
            .unwrap()[0]
            .id
            .clone();

        alice.get("/app").await;
        let gets = [format!("/app/conversations/{conversation}")];
        for path in &gets {
            assert_eq!(
                alice.get(path).await.status,
                StatusCode::NOT_FOUND,
                "{backend:?} GET {path}"
            );
        }
        let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (format!("/app/team/{bob_id}/role"), vec![("role", "viewer")]),
            (format!("/app/team/{bob_id}/remove"), vec![]),
            (format!("/app/team/invites/{invite}/revoke"), vec![]),
            (
                format!("/app/security/sessions/{bob_session}/revoke"),
                vec![],
            ),
        ];
        for (path, fields) in &posts {
            let page = alice.post(path, fields).await;
            assert_eq!(
                page.status,
                StatusCode::NOT_FOUND,
                "{backend:?} POST {path}: {}",
                page.body
            );
        }
        for path in [
            "/app/conversations?q=sourdough",
            "/app/leads",
            "/app/leads.csv",
            "/app/team",
            "/app/audit",
            "/app/audit.csv",
            "/app/business",
            "/app/appointments",
            "/api/v1/app/leads",
            "/api/v1/app/appointments",
        ] {
            let page = alice.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            for secret in [
                "Secret Beta question",
                "Beta Lead",
                "bob@b.test",
                "carol@b.test",
                "Beta Bakery",
            ] {
                assert!(
                    !page.body.contains(secret),
                    "{backend:?} {path} shows {secret}"
                );
            }
        }
        // Beta is untouched.
        assert_eq!(
            bob.get("/app").await.status,
            StatusCode::OK,
            "bob's session survived"
        );
        assert_eq!(d.app.store.team(beta).await.unwrap().len(), 1);
        assert_eq!(
            d.app
                .store
                .open_invites(beta, MONDAY_MORNING.parse().unwrap())
                .await
                .unwrap()
                .len(),
            1
        );
        let beta_page = bob.get(&format!("/app/conversations/{conversation}")).await;
        assert!(beta_page.body.contains("sourdough"));
    }
}

#[tokio::test]
async fn forms_need_their_csrf_token_and_our_origin() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut browser = Browser::new(&d.app);
        browser
            .sign_up("Ana", "ana@bright.test", "Bright Smiles")
            .await;
        browser.get("/app/business").await;
        let forged = browser
            .post_with_csrf("/app/business/hours", &[("mon", "closed")], "not-the-token")
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{backend:?}");
        let missing = browser.post_with_csrf("/app/logout", &[], "").await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN);
        let csrf = browser.csrf.clone().unwrap();
        let cross_site = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(d.app.url("/app/logout"))
            .header("cookie", browser.cookie_header())
            .header("origin", "https://evil.example")
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            browser.get("/app").await.status,
            StatusCode::OK,
            "still signed in"
        );

        let mut stranger = Browser::new(&d.app);
        stranger.get("/app/login").await;
        let no_cookie_token = stranger
            .post_with_csrf(
                "/app/login",
                &[("email", "ana@bright.test"), ("password", PASSWORD)],
                "guess",
            )
            .await;
        assert_eq!(no_cookie_token.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn failed_sign_ins_are_limited_per_account_with_a_clear_message() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut owner = Browser::new(&d.app);
        owner
            .sign_up("Ana", "ana@bright.test", "Bright Smiles")
            .await;
        let mut attacker = Browser::new(&d.app);
        for _ in 0..5 {
            let page = attacker
                .sign_in("ana@bright.test", "wrong password 123")
                .await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains("email or password is not right"));
        }
        let limited = attacker.sign_in("ana@bright.test", PASSWORD).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{backend:?}");
        let retry: u64 = limited.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry));
        assert!(
            limited.body.contains("try again in 15 minutes"),
            "{}",
            limited.body
        );
        d.clock.advance(SignedDuration::from_mins(16));
        let later = attacker.sign_in("ana@bright.test", PASSWORD).await;
        assert_eq!(later.location(), "/app", "the window passed");
        let business = d.business_of("ana@bright.test").await;
        let failures = actions(&d.app, business)
            .await
            .iter()
            .filter(|a| **a == AuditAction::LoginFailed)
            .count();
        assert_eq!(failures, 5);
    }
}

#[tokio::test]
async fn sessions_expire_when_idle_and_end_everywhere_at_once() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut laptop = Browser::new(&d.app);
        laptop
            .sign_up("Ana", "ana@bright.test", "Bright Smiles")
            .await;
        let mut phone = Browser::new(&d.app);
        assert_eq!(
            phone.sign_in("ana@bright.test", PASSWORD).await.location(),
            "/app"
        );
        d.clock.advance(SignedDuration::from_mins(20));
        assert_eq!(laptop.get("/app").await.status, StatusCode::OK);
        d.clock.advance(SignedDuration::from_mins(20));
        assert_eq!(
            laptop.get("/app").await.status,
            StatusCode::OK,
            "{backend:?}: used 20 minutes ago"
        );
        assert_eq!(
            phone.get("/app").await.location(),
            "/app/login",
            "idle for 40 minutes"
        );

        let mut tablet = Browser::new(&d.app);
        tablet.sign_in("ana@bright.test", PASSWORD).await;
        laptop.get("/app/security").await;
        let everywhere = laptop.post("/app/security/sign-out-everywhere", &[]).await;
        assert_eq!(everywhere.location(), "/app/login?done=everywhere");
        assert_eq!(laptop.get("/app").await.location(), "/app/login");
        assert_eq!(
            tablet.get("/app").await.location(),
            "/app/login",
            "{backend:?}"
        );
        let business = d.business_of("ana@bright.test").await;
        assert!(actions(&d.app, business)
            .await
            .contains(&AuditAction::SessionsRevokedAll));
    }
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_an_emailed_single_use_link() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut owner = Browser::new(&d.app);
        owner
            .sign_up("Ana", "ana@bright.test", "Bright Smiles")
            .await;
        let mut browser = Browser::new(&d.app);
        browser.get("/app/forgot").await;
        let sent = browser
            .post("/app/forgot", &[("email", "ana@bright.test")])
            .await;
        assert!(sent.body.contains("If an account uses this address"));
        let unknown = browser
            .post("/app/forgot", &[("email", "nobody@bright.test")])
            .await;
        assert_eq!(
            unknown.body.replace("nobody", ""),
            sent.body.replace("nobody", ""),
            "no account enumeration"
        );
        let link = d.link_in_mail("ana@bright.test").await;
        browser.get(&link).await;
        let new_password = "a new long password for ana";
        let done = browser
            .post(
                &link,
                &[("password", new_password), ("confirm", new_password)],
            )
            .await;
        assert_eq!(
            done.location(),
            "/app/login?done=reset",
            "{backend:?}: {}",
            done.body
        );
        assert_eq!(
            owner.get("/app").await.location(),
            "/app/login",
            "old sessions ended"
        );
        assert_eq!(
            browser.sign_in("ana@bright.test", PASSWORD).await.status,
            StatusCode::OK,
            "old password refused"
        );
        assert_eq!(
            browser
                .sign_in("ana@bright.test", new_password)
                .await
                .location(),
            "/app"
        );
        let again = browser
            .post(
                &link,
                &[
                    ("password", "yet another password!"),
                    ("confirm", "yet another password!"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "the link works once");
    }
}

#[tokio::test]
async fn editing_hours_changes_the_answers_at_once_and_bad_files_are_refused() {
    let d = dashboard(Backend::Sqlite).await;
    let mut owner = Browser::new(&d.app);
    owner
        .sign_up("Ana", "ana@bright.test", "Bright Smiles")
        .await;
    owner.get("/app/business").await;
    let saved = owner
        .post(
            "/app/business/hours",
            &[
                ("mon", "07:30-12:00"),
                ("tue", "09:00-17:00"),
                ("wed", "09:00-17:00"),
                ("thu", "09:00-17:00"),
                ("fri", "09:00-17:00"),
                ("sat", "closed"),
                ("sun", ""),
            ],
        )
        .await;
    assert_eq!(saved.location(), "/app/business?saved=1", "{}", saved.body);
    let (_, reply) = d
        .app
        .send_to(
            "bright-smiles",
            "v_aaaaaaaaaaaaaaaa",
            None,
            "What are your hours on Monday?",
        )
        .await;
    let text = reply["reply"]["text"].as_str().unwrap();
    assert!(text.contains("7:30"), "{text}");

    let page = owner.get("/app/business").await;
    let source = page.body.split("<textarea").nth(1).unwrap();
    assert!(source.contains("07:30-12:00"));
    let bad = owner
        .post("/app/business/hours", &[("mon", "25:00-26:00")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("hours.mon"), "the error names the field");
    let moved = owner.post("/app/business/file", &[("source", "slug = \"elsewhere\"\nname = \"X\"\ntimezone = \"UTC\"\n[hours]\nmon = \"closed\"\n")]).await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY);
    let business = d.business_of("ana@bright.test").await;
    let changes = actions(&d.app, business)
        .await
        .iter()
        .filter(|a| **a == AuditAction::KnowledgeChanged)
        .count();
    assert_eq!(changes, 1, "only the saved change is audited");
}

#[tokio::test]
async fn transcript_views_and_exports_are_audited_and_the_chain_catches_tampering() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut owner = Browser::new(&d.app);
        owner
            .sign_up("Ana", "ana@bright.test", "Bright Smiles")
            .await;
        let business = d.business_of("ana@bright.test").await;
        let (_, reply) = d
            .app
            .send_to(
                "bright-smiles",
                "v_aaaaaaaaaaaaaaaa",
                None,
                "Do you open on Saturday?",
            )
            .await;
        let conversation = reply["conversation_id"].as_str().unwrap().to_owned();
        let lead = NewLead {
            channel: "web".into(),
            name: Some("=HYPERLINK(\"http://evil\")".into()),
            phone: Some("+15125550199".into()),
            consent: true,
            ..Default::default()
        };
        d.app
            .store
            .save_lead(business, &lead, MONDAY_MORNING.parse().unwrap())
            .await
            .unwrap();

        let list = owner.get("/app/conversations?q=saturday").await;
        assert!(list.body.contains(&conversation));
        let planted = reqwest::Client::new()
            .get(d.app.url(&format!("/app/conversations/{conversation}")))
            .header("cookie", owner.cookie_header())
            .header("sec-fetch-site", "cross-site")
            .send()
            .await
            .unwrap();
        assert_eq!(
            planted.status(),
            StatusCode::FORBIDDEN,
            "another site can't plant audit events"
        );
        let transcript = owner
            .get(&format!("/app/conversations/{conversation}"))
            .await;
        assert!(transcript.body.contains("Do you open on Saturday?"));
        let csv = owner.get("/app/leads.csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        assert!(csv.body.starts_with("id,created,channel,name,phone"));
        assert!(
            csv.body.contains("'=HYPERLINK"),
            "formula defused: {}",
            csv.body
        );
        let audit_csv = owner.get("/app/audit.csv?range=today").await;
        assert_eq!(audit_csv.status, StatusCode::OK);
        assert!(audit_csv.body.contains("transcript.viewed"));
        assert!(audit_csv.body.contains("leads.exported"));
        assert!(
            audit_csv.body.contains("audit.exported"),
            "the export audits itself first"
        );
        let leads_json: serde_json::Value = reqwest::Client::new()
            .get(d.app.url("/api/v1/app/leads"))
            .header("cookie", owner.cookie_header())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(leads_json[0]["phone"], "+15125550199", "{leads_json}");
        let page = owner.get("/app/audit?range=7d").await;
        assert!(page.body.contains("transcript.viewed"));

        let trail = actions(&d.app, business).await;
        assert!(trail.contains(&AuditAction::TranscriptViewed));
        let intact = d.app.store.verify_audit(Some(business)).await.unwrap();
        assert!(
            matches!(intact, AuditVerification::Intact { .. }),
            "{intact:?}"
        );

        let mut owner_conn = d.app.db.owner().await;
        // Someone with raw database access first lifts the append-only guard.
        let lift_guard = match backend {
            Backend::Postgres => "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update",
            Backend::Sqlite => "DROP TRIGGER audit_events_no_update",
        };
        sqlx::query(lift_guard)
            .execute(&mut owner_conn)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_events SET actor_email = 'someone-else@x.test' WHERE business_id = $1 AND action = 'transcript.viewed'")
            .bind(business.to_string())
            .execute(&mut owner_conn)
            .await
            .unwrap();
        let broken = d.app.store.verify_audit(Some(business)).await.unwrap();
        assert!(
            matches!(broken, AuditVerification::Broken(_)),
            "{backend:?}: {broken:?}"
        );
    }
}

#[tokio::test]
async fn an_admin_chooses_the_model_and_the_api_key_is_never_shown_again() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut owner = Browser::new(&d.app);
        owner
            .sign_up("Ana", "ana@bright.test", "Bright Smiles")
            .await;
        let business = d.business_of("ana@bright.test").await;
        let page = owner.get("/app/settings").await;
        assert_eq!(page.status, StatusCode::OK);
        let key = "sk-live-very-secret-0123456789";
        let saved = owner
            .post(
                "/app/settings/model",
                &[
                    ("vendor", "openai"),
                    ("model", "gpt-4o-mini"),
                    ("base_url", "http://127.0.0.1:9/"),
                    ("api_key", key),
                ],
            )
            .await;
        assert_eq!(
            saved.location(),
            "/app/settings?saved=1",
            "{backend:?}: {}",
            saved.body
        );
        let stored = d.app.store.model_settings(business).await.unwrap().unwrap();
        assert_eq!(stored.api_key.as_ref().unwrap().expose(), key);
        assert_eq!(stored.base_url.as_deref(), Some("http://127.0.0.1:9"));
        let page = owner.get("/app/settings").await;
        assert!(!page.body.contains(key), "the key is write-only");
        assert!(page.body.contains("A key is stored"));

        let kept = owner
            .post(
                "/app/settings/model",
                &[
                    ("vendor", "openai"),
                    ("model", "gpt-4.1"),
                    ("base_url", "http://127.0.0.1:9/"),
                    ("api_key", ""),
                ],
            )
            .await;
        assert_eq!(kept.location(), "/app/settings?saved=1");
        let stored = d.app.store.model_settings(business).await.unwrap().unwrap();
        assert_eq!(
            (stored.model.as_str(), stored.api_key.unwrap().expose()),
            ("gpt-4.1", key)
        );

        for (fields, expected) in [
            (
                [
                    ("vendor", "openai"),
                    ("model", "gpt 4"),
                    ("base_url", ""),
                    ("api_key", ""),
                ],
                "model's name",
            ),
            (
                [
                    ("vendor", "openai"),
                    ("model", "m"),
                    ("base_url", "ftp://x"),
                    ("api_key", ""),
                ],
                "https://",
            ),
            (
                [
                    ("vendor", "anthropic"),
                    ("model", "claude"),
                    ("base_url", ""),
                    ("api_key", ""),
                ],
                "needs an API key",
            ),
            (
                [
                    ("vendor", "gemini"),
                    ("model", "g"),
                    ("base_url", ""),
                    ("api_key", ""),
                ],
                "listed models",
            ),
        ] {
            let refused = owner.post("/app/settings/model", &fields).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(
                refused.body.contains(expected),
                "{expected}: {}",
                refused.body
            );
        }
        let elsewhere = owner
            .post(
                "/app/settings/model",
                &[
                    ("vendor", "openai"),
                    ("model", "gpt-4.1"),
                    ("base_url", "https://collector.example"),
                    ("api_key", ""),
                ],
            )
            .await;
        assert_eq!(elsewhere.location(), "/app/settings?saved=1");
        let moved = d.app.store.model_settings(business).await.unwrap().unwrap();
        assert!(
            moved.api_key.is_none(),
            "{backend:?}: the stored key would follow to another server"
        );
        let cleared = owner
            .post(
                "/app/settings/model",
                &[
                    ("vendor", "default"),
                    ("model", ""),
                    ("base_url", ""),
                    ("api_key", ""),
                ],
            )
            .await;
        assert_eq!(cleared.location(), "/app/settings?saved=1");
        assert!(d
            .app
            .store
            .model_settings(business)
            .await
            .unwrap()
            .is_none());

        let csv = owner.get("/app/audit.csv?range=today").await;
        assert!(csv.body.contains("model.settings_changed"));
        assert!(csv.body.contains("openai/gpt-4o-mini, API key replaced"));
        assert!(
            !csv.body.contains(key),
            "{backend:?}: the key reached the audit log"
        );
    }
}

#[tokio::test]
async fn appointments_are_listed_by_week_and_changed_by_admins_in_html_and_json() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut owner = Browser::new(&d.app);
        owner
            .sign_up("Ana", "ana@bright.test", "Bright Smiles")
            .await;
        let mut other = Browser::new(&d.app);
        other.sign_up("Bo", "bo@other.test", "Other Place").await;
        let business = d.business_of("ana@bright.test").await;
        let other_business = d.business_of("bo@other.test").await;
        let at = |text: &str| -> jiff::Timestamp { text.parse().unwrap() };
        let book = |business, start: &str, end: &str| {
            let store = d.app.store.clone();
            let (start, end) = (at(start), at(end));
            async move {
                let new = frontdesk_store::NewAppointment {
                    service: Some("Cleaning".into()),
                    starts_at: start,
                    ends_at: end,
                    buffer: SignedDuration::ZERO,
                    conversation: None,
                    lead: None,
                    visitor: None,
                };
                store
                    .book_appointment(business, &new, at("2026-11-20T00:00:00Z"))
                    .await
                    .unwrap()
            }
        };
        let past = book(business, "2026-11-23T15:00:00Z", "2026-11-23T15:30:00Z").await;
        let future = book(business, "2026-11-25T15:00:00Z", "2026-11-25T15:30:00Z").await;
        let elsewhere = book(
            other_business,
            "2026-11-24T15:00:00Z",
            "2026-11-24T15:30:00Z",
        )
        .await;

        let page = owner.get("/app/appointments?week=2026-11-23").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(&past.code) && page.body.contains(&future.code),
            "{backend:?}"
        );
        assert!(
            !page.body.contains(&elsewhere.code),
            "another business's appointment is listed"
        );

        let json = reqwest::Client::new()
            .get(d.app.url("/api/v1/app/appointments?week=2026-11-23"))
            .header("cookie", owner.cookie_header())
            .send()
            .await
            .unwrap();
        assert_eq!(json.status(), StatusCode::OK);
        let list: serde_json::Value = json.json().await.unwrap();
        assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
        assert_eq!(list[0]["code"], past.code.as_str());
        let anonymous = reqwest::get(d.app.url("/api/v1/app/appointments"))
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let body: serde_json::Value = anonymous.json().await.unwrap();
        assert_eq!(body["error"]["code"], "sign_in_required");

        let post_status = |id: String, status: &'static str, csrf: Option<String>| {
            let cookie = owner.cookie_header();
            let url = d.app.url(&format!("/api/v1/app/appointments/{id}/status"));
            async move {
                let mut request = reqwest::Client::new()
                    .post(url)
                    .header("cookie", cookie)
                    .form(&[("status", status)]);
                if let Some(csrf) = csrf {
                    request = request.header("x-csrf-token", csrf);
                }
                request.send().await.unwrap().status()
            }
        };
        let csrf = owner.csrf.clone();
        assert_eq!(
            post_status(future.id.to_string(), "cancelled", None).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            post_status(future.id.to_string(), "no_show", csrf.clone()).await,
            StatusCode::CONFLICT,
            "not yet started"
        );
        assert_eq!(
            post_status(elsewhere.id.to_string(), "cancelled", csrf.clone()).await,
            StatusCode::NOT_FOUND,
            "{backend:?}"
        );
        assert_eq!(
            post_status(past.id.to_string(), "no_show", csrf.clone()).await,
            StatusCode::NO_CONTENT
        );

        owner.get("/app/appointments").await;
        let cancelled = owner
            .post(&format!("/app/appointments/{}/cancel", future.id), &[])
            .await;
        assert_eq!(cancelled.location(), "/app/appointments?done=cancelled");
        let stored = d
            .app
            .store
            .appointment_by_code(business, &future.code)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, frontdesk_store::AppointmentStatus::Cancelled);
        assert_eq!(
            d.app
                .store
                .appointment_by_code(other_business, &elsewhere.code)
                .await
                .unwrap()
                .unwrap()
                .status,
            frontdesk_store::AppointmentStatus::Booked
        );
    }
}

#[tokio::test]
async fn an_owner_sets_up_the_phone_line_and_tries_it_from_the_calls_page() {
    for backend in BACKENDS {
        let d = dashboard(backend).await;
        let mut owner = Browser::new(&d.app);
        owner
            .sign_up("Ana", "ana@bright.test", "Bright Smiles")
            .await;
        let business = d.business_of("ana@bright.test").await;
        let token = "twilio-token-0123456789abcdef";
        let sid = format!("AC{}", "ab".repeat(16));
        owner.get("/app/settings").await;
        let refused = owner
            .post(
                "/app/settings/phone",
                &[
                    ("action", "save"),
                    ("account_sid", "AC1"),
                    ("auth_token", token),
                ],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}"
        );
        assert!(d
            .app
            .store
            .phone_settings(business)
            .await
            .unwrap()
            .is_none());
        let saved = owner
            .post(
                "/app/settings/phone",
                &[
                    ("action", "save"),
                    ("account_sid", &sid),
                    ("auth_token", token),
                    ("escalation", "+15125550100"),
                ],
            )
            .await;
        assert_eq!(saved.location(), "/app/settings?saved=1", "{}", saved.body);
        let page = owner.get("/app/settings").await;
        assert!(!page.body.contains(token), "the token is write-only");
        assert!(page.body.contains("A token is stored"));
        let stored = d.app.store.phone_settings(business).await.unwrap().unwrap();
        assert_eq!(stored.auth_token.expose(), token);
        assert!(actions(&d.app, business)
            .await
            .contains(&AuditAction::SettingsChanged));
        let audit = owner.get("/app/audit").await;
        assert!(!audit.body.contains(token));

        // The simulator runs the real call flow and logs the call.
        owner.get("/app/calls").await;
        let started = owner.post("/app/calls/try", &[]).await;
        assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
        let call_page = owner.get(started.location()).await;
        assert!(
            call_page.body.contains("Thanks for calling Bright Smiles"),
            "{}",
            call_page.body
        );
        let call = call_page.input("call").expect("the call goes on");
        let answered = owner
            .post(
                "/app/calls/try",
                &[("call", &call), ("said", "can I talk to a person")],
            )
            .await;
        let page = owner.get(answered.location()).await;
        assert!(
            page.body.contains("Connecting you with the team"),
            "{}",
            page.body
        );
        let list = owner.get("/app/calls").await;
        assert!(
            list.body.contains(&format!("/app/calls/{call}")),
            "{backend:?}"
        );
        let detail = owner.get(&format!("/app/calls/{call}")).await;
        assert_eq!(detail.status, StatusCode::OK);
        assert!(detail.body.contains("can I talk to a person"));
        let other = owner
            .get(&format!("/app/calls/{}", uuid::Uuid::now_v7()))
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
    }
}
