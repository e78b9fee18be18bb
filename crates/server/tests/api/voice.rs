//! The phone line end to end, on SQLite and PostgreSQL: Twilio's webhooks posted to the
//! real server with correctly signed requests, the TwiML answers parsed as XML, and the
//! call log read back from the database.

use frontdesk_core::conversation::BusinessId;
use frontdesk_core::notify::PhoneNumber;
use frontdesk_core::voice::{AuthToken, PhoneSettings};
use frontdesk_store::testing::BACKENDS;
use frontdesk_store::{parse_orders_csv, Backend, Keyring};
use sqlx::Row;

use crate::helpers::{spawn_app_with, TestApp};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const ESCALATION: &str = "+15125550100";
/// On order 1001 (shipped with UPS) and 1002.
const CUSTOMER: &str = "+15125550142";
const STRANGER: &str = "+15125550111";
const ORDERS: &str = "order_number,placed_at,payment_status,fulfillment_status,carrier,tracking_number,tracking_url,phone,email\n\
    1001,2026-11-20,paid,fulfilled,UPS,1Z999AA10123456784,https://ups.example/t/1Z999,+15125550142,ana@example.com\n\
    1002,2026-11-22,paid,unfulfilled,,,,+15125550142,ana@example.com\n";

/// What a TwiML answer does, read with an XML parser.
#[derive(Debug, Default)]
struct Answer {
    /// Every `<Say>`, in document order (nested in `<Gather>` or not).
    says: Vec<String>,
    /// The `<Gather>`'s action, when the line listens again.
    gather: Option<String>,
    /// Whether the `<Say>` of the `<Gather>` is nested inside it (so callers can interrupt).
    prompt_nested: bool,
    /// `<Dial>`'s number and action.
    dial: Option<(String, String)>,
    hangup: bool,
}

impl Answer {
    fn text(&self) -> String {
        self.says.join(" ")
    }
}

fn parse_twiml(xml: &str) -> Answer {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "Response", "{xml}");
    let mut answer = Answer::default();
    for verb in root.children().filter(|n| n.is_element()) {
        match verb.tag_name().name() {
            "Say" => answer.says.push(verb.text().unwrap_or("").to_owned()),
            "Gather" => {
                assert_eq!(verb.attribute("input"), Some("speech dtmf"), "{xml}");
                answer.gather = verb.attribute("action").map(str::to_owned);
                for say in verb.children().filter(|n| n.has_tag_name("Say")) {
                    answer.prompt_nested = true;
                    answer.says.push(say.text().unwrap_or("").to_owned());
                }
            }
            "Dial" => {
                answer.dial = Some((
                    verb.text().unwrap_or("").trim().to_owned(),
                    verb.attribute("action").unwrap_or("").to_owned(),
                ))
            }
            "Hangup" => answer.hangup = true,
            other => panic!("unexpected verb {other} in {xml}"),
        }
    }
    answer
}

/// A caller on the line of the demo business.
struct Caller<'a> {
    app: &'a TestApp,
    sid: String,
    from: &'a str,
}

impl<'a> Caller<'a> {
    fn new(app: &'a TestApp, sid: &str, from: &'a str) -> Self {
        Self {
            app,
            sid: sid.to_owned(),
            from,
        }
    }

    fn params(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut params = vec![
            ("CallSid".to_owned(), self.sid.clone()),
            ("AccountSid".to_owned(), format!("AC{}", "ab".repeat(16))),
            ("From".to_owned(), self.from.to_owned()),
            ("To".to_owned(), "+15125550000".to_owned()),
        ];
        params.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        params
    }

    /// Posts a signed webhook; returns status and body.
    async fn post(&self, path: &str, extra: &[(&str, &str)]) -> (u16, String) {
        let url = self.app.url(path);
        let params = self.params(extra);
        let signature = frontdesk_twilio::sign(TOKEN, &url, &params);
        post_signed(self.app, &url, &params, Some(&signature)).await
    }

    async fn answer(&self, path: &str, extra: &[(&str, &str)]) -> Answer {
        let (status, body) = self.post(path, extra).await;
        assert_eq!(status, 200, "{path}: {body}");
        parse_twiml(&body)
    }

    async fn call(&self) -> Answer {
        self.answer("/voice/twilio/demo/incoming", &[]).await
    }

    async fn say(&self, speech: &str) -> Answer {
        self.answer(
            "/voice/twilio/demo/gather",
            &[("SpeechResult", speech), ("Confidence", "0.92")],
        )
        .await
    }

    async fn key(&self, digits: &str) -> Answer {
        self.answer("/voice/twilio/demo/gather", &[("Digits", digits)])
            .await
    }

    async fn silence(&self) -> Answer {
        self.answer("/voice/twilio/demo/gather", &[]).await
    }
}

async fn post_signed(
    app: &TestApp,
    url: &str,
    params: &[(String, String)],
    signature: Option<&str>,
) -> (u16, String) {
    let mut request = app.client.post(url).form(params);
    if let Some(signature) = signature {
        request = request.header("X-Twilio-Signature", signature);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(kind.starts_with("text/xml"), "{kind}");
    }
    (status, response.text().await.unwrap())
}

async fn demo_id(app: &TestApp) -> BusinessId {
    app.store
        .business_by_slug("demo")
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The server with a keyring, the demo's phone line set up and its orders imported.
async fn phone_app(backend: Backend, escalation: Option<&str>) -> TestApp {
    let app = spawn_app_with(backend, |config| {
        config.keyring = Some(Keyring::parse(&Keyring::generate_entry("t1")).unwrap());
    })
    .await;
    let business = demo_id(&app).await;
    let settings = PhoneSettings {
        account_sid: format!("AC{}", "ab".repeat(16)),
        auth_token: AuthToken::parse(TOKEN).unwrap(),
        escalation: escalation.map(|n| PhoneNumber::parse(n).unwrap()),
    };
    app.store
        .set_phone_settings(
            business,
            Some(&settings),
            "2026-11-23T00:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    let orders = parse_orders_csv(ORDERS.as_bytes()).unwrap();
    app.store
        .import_orders(business, &orders, "2026-11-23T00:00:00Z".parse().unwrap())
        .await
        .unwrap();
    app
}

async fn call_row(app: &TestApp, sid: &str) -> frontdesk_store::CallRecord {
    app.store
        .call_by_sid(demo_id(app).await, sid)
        .await
        .unwrap()
        .expect("the call is logged")
}

#[tokio::test]
async fn an_order_found_by_number_is_read_only_after_its_owner_is_confirmed() {
    for backend in BACKENDS {
        let app = phone_app(backend, Some(ESCALATION)).await;
        let caller = Caller::new(&app, "CA00000000000000000000000000000001", STRANGER);
        let greeting = caller.call().await;
        assert!(
            greeting.text().contains("Maple Street Dental Studio"),
            "{greeting:?}"
        );
        assert!(
            greeting.prompt_nested && greeting.gather.is_some(),
            "{greeting:?}"
        );
        assert!(
            greeting.text().contains("press 1"),
            "the keypad menu is offered"
        );

        let asked = caller.say("hi, where's my order?").await;
        assert!(asked.text().contains("order number"), "{asked:?}");
        let owner = caller.say("it's one zero zero one").await;
        assert!(owner.text().contains("phone number or email"), "{owner:?}");
        assert!(!owner.text().contains("UPS") && !owner.text().contains("paid"));

        // The wrong contact hears the same as for an order that does not exist.
        let refused = caller
            .say("five one two five five five zero one one one")
            .await;
        assert!(!refused.text().contains("UPS"), "{refused:?}");
        assert!(refused.gather.is_some());
        let unknown_owner = caller.say("order number 9999").await;
        assert_eq!(
            unknown_owner.text(),
            owner.text(),
            "no hint that 9999 does not exist"
        );
        let unknown = caller.say("ana at example dot com").await;
        assert_eq!(unknown.text(), refused.text(), "{backend:?}");

        caller.say("order ten oh one").await;
        let read = caller.say("ana at example dot com").await;
        let text = read.text();
        assert!(text.contains("paid") && text.contains("shipped"), "{text}");
        assert!(text.contains("UPS") && text.contains("1 Z 9 9 9"), "{text}");
        assert!(!text.contains("https"), "links are not read out: {text}");

        let call = call_row(&app, &caller.sid).await;
        let (_, turns) = app
            .store
            .call_detail(demo_id(&app).await, call.id)
            .await
            .unwrap()
            .unwrap();
        let intents: Vec<&str> = turns.iter().map(|t| t.intent.as_str()).collect();
        assert_eq!(
            intents,
            [
                "greeting",
                "order_status",
                "order_status",
                "order_confirmation",
                "order_status",
                "order_confirmation",
                "order_status",
                "order_confirmation"
            ],
            "{backend:?}"
        );
        assert_eq!(call.from, STRANGER);
        assert_eq!(call.pending_order, None);
    }
}

#[tokio::test]
async fn a_caller_is_recognised_by_caller_id_and_by_keyed_numbers() {
    for backend in BACKENDS {
        let app = phone_app(backend, Some(ESCALATION)).await;
        let caller = Caller::new(&app, "CA00000000000000000000000000000002", CUSTOMER);
        caller.call().await;
        let latest = caller.say("trak my packge please").await;
        let text = latest.text();
        assert!(
            text.contains("1 0 0 2") && text.contains("not shipped"),
            "{text}"
        );
        assert!(text.contains("another order"), "{text}");

        // The keypad: 1 for orders, then the number and pound; from the order's own
        // number it is read at once.
        let keyed = Caller::new(&app, "CA00000000000000000000000000000003", CUSTOMER);
        keyed.call().await;
        let read = keyed.key("1001#").await;
        assert!(read.text().contains("UPS"), "{backend:?}: {read:?}");

        let anonymous = Caller::new(&app, "CA00000000000000000000000000000004", "anonymous");
        anonymous.call().await;
        let asked = anonymous.key("1").await;
        assert!(asked.text().contains("order number"), "{asked:?}");
        let owner = anonymous.key("1001").await;
        assert!(owner.text().contains("phone number or email"), "{owner:?}");
        let read = anonymous.key("5125550142").await;
        assert!(read.text().contains("UPS"), "{backend:?}: {read:?}");

        let hours = anonymous.key("2").await;
        assert!(hours.gather.is_some(), "{hours:?}");
        assert!(hours.text().contains("Monday to Thursday"), "{hours:?}");
    }
}

#[tokio::test]
async fn a_transfer_nobody_answers_leaves_a_callback_request() {
    for backend in BACKENDS {
        let app = phone_app(backend, Some(ESCALATION)).await;
        let caller = Caller::new(&app, "CA00000000000000000000000000000005", STRANGER);
        caller.call().await;
        let transfer = caller.key("0").await;
        let (number, action) = transfer.dial.clone().expect("the line dials");
        assert_eq!(number, ESCALATION);
        assert_eq!(action, app.url("/voice/twilio/demo/dial"));
        assert!(transfer.gather.is_none());

        let path = "/voice/twilio/demo/dial";
        let fallback = caller
            .answer(path, &[("DialCallStatus", "no-answer")])
            .await;
        assert!(
            fallback.hangup && fallback.text().contains("call you back"),
            "{fallback:?}"
        );
        // Twilio retries the webhook: still one lead.
        caller
            .answer(path, &[("DialCallStatus", "no-answer")])
            .await;
        let business = demo_id(&app).await;
        let leads = app.store.leads(business, 10, 0).await.unwrap();
        assert_eq!(leads.len(), 1, "{backend:?}");
        assert_eq!(leads[0].phone.as_deref(), Some(STRANGER));
        let call = call_row(&app, &caller.sid).await;
        assert_eq!(call.transfer_outcome.as_deref(), Some("callback:no-answer"));

        // Asking for a person in words, and the transfer answered.
        let other = Caller::new(&app, "CA00000000000000000000000000000006", STRANGER);
        other.call().await;
        let transfer = other.say("can I talk to a real person").await;
        assert!(transfer.dial.is_some(), "{transfer:?}");
        let done = other.answer(path, &[("DialCallStatus", "completed")]).await;
        assert!(done.hangup);
        let call = call_row(&app, &other.sid).await;
        assert_eq!(call.transfer_outcome.as_deref(), Some("answered"));
    }
}

#[tokio::test]
async fn without_an_escalation_number_a_person_means_a_callback() {
    let app = phone_app(Backend::Sqlite, None).await;
    let caller = Caller::new(&app, "CA00000000000000000000000000000007", STRANGER);
    caller.call().await;
    let answer = caller.key("0").await;
    assert!(
        answer.dial.is_none() && answer.gather.is_some(),
        "{answer:?}"
    );
    assert!(answer.text().contains("call you back"));
    let leads = app.store.leads(demo_id(&app).await, 10, 0).await.unwrap();
    assert_eq!(leads.len(), 1);
    let call = call_row(&app, &caller.sid).await;
    assert_eq!(
        call.transfer_outcome.as_deref(),
        Some("callback:no-escalation-number")
    );
}

#[tokio::test]
async fn silence_is_reprompted_then_the_call_ends() {
    for backend in BACKENDS {
        let app = phone_app(backend, Some(ESCALATION)).await;
        let caller = Caller::new(&app, "CA00000000000000000000000000000008", STRANGER);
        caller.call().await;
        let first = caller.silence().await;
        assert!(first.gather.is_some() && !first.hangup, "{first:?}");
        let second = caller.silence().await;
        assert!(second.gather.is_some() && second.text().contains("press 0"));
        let last = caller.silence().await;
        assert!(last.hangup && last.gather.is_none(), "{last:?}");
        assert!(last.text().contains("Goodbye"));
        let call = call_row(&app, &caller.sid).await;
        assert_eq!(call.retries, 3, "{backend:?}");

        // Speaking resets the streak, but not the count.
        let other = Caller::new(&app, "CA00000000000000000000000000000009", STRANGER);
        other.call().await;
        other.silence().await;
        other.silence().await;
        other.say("what are your hours").await;
        let again = other.silence().await;
        assert!(again.gather.is_some(), "{again:?}");
        let call = call_row(&app, &other.sid).await;
        assert_eq!((call.retries, call.silent_streak), (3, 1));
    }
}

#[tokio::test]
async fn emergency_language_gets_911_and_the_call_ends_without_storing_the_symptom() {
    for backend in BACKENDS {
        let app = phone_app(backend, Some(ESCALATION)).await;
        let caller = Caller::new(&app, "CA00000000000000000000000000000010", STRANGER);
        caller.call().await;
        let answer = caller
            .say("my husband has crushing chest pain and can't breathe")
            .await;
        assert!(answer.text().contains("911"), "{answer:?}");
        assert!(
            answer.hangup && answer.gather.is_none(),
            "no small talk after: {answer:?}"
        );

        let symptom = Caller::new(&app, "CA00000000000000000000000000000011", STRANGER);
        symptom.call().await;
        symptom
            .say("I'm diabetic and my gums are bleeding, can I book a cleaning")
            .await;

        let mut owner = app.db.owner().await;
        let said: Vec<Option<String>> = sqlx::query_scalar("SELECT said FROM call_turns")
            .fetch_all(&mut owner)
            .await
            .unwrap();
        let messages: Vec<String> = sqlx::query_scalar("SELECT text FROM messages")
            .fetch_all(&mut owner)
            .await
            .unwrap();
        for text in said.iter().flatten().chain(messages.iter()) {
            for symptom in ["chest", "breathe", "diabetic", "bleeding"] {
                assert!(!text.contains(symptom), "{backend:?}: {text}");
            }
        }
        let channels: Vec<String> = sqlx::query("SELECT channel FROM conversations")
            .fetch_all(&mut owner)
            .await
            .unwrap()
            .iter()
            .map(|row| row.try_get("channel").unwrap())
            .collect();
        assert!(!channels.is_empty() && channels.iter().all(|c| c == "voice"));
        let call = call_row(&app, &caller.sid).await;
        assert!(call.conversation.is_some(), "one conversation per call");
    }
}

#[tokio::test]
async fn bad_signatures_unknown_lines_and_oversized_bodies_are_refused_with_nothing_stored() {
    for backend in BACKENDS {
        let app = phone_app(backend, Some(ESCALATION)).await;
        let caller = Caller::new(&app, "CA00000000000000000000000000000012", STRANGER);
        let url = app.url("/voice/twilio/demo/incoming");
        let params = caller.params(&[]);
        let (status, _) = post_signed(&app, &url, &params, None).await;
        assert_eq!(status, 403, "{backend:?}");
        let wrong = frontdesk_twilio::sign("not-the-token", &url, &params);
        let (status, _) = post_signed(&app, &url, &params, Some(&wrong)).await;
        assert_eq!(status, 403);
        // Signed for other parameters (a forged caller ID).
        let signed = frontdesk_twilio::sign(TOKEN, &url, &params);
        let forged = caller.params(&[("From", CUSTOMER)]);
        let (status, _) = post_signed(&app, &url, &forged, Some(&signed)).await;
        assert_eq!(status, 403);
        assert!(app
            .store
            .call_by_sid(demo_id(&app).await, &caller.sid)
            .await
            .unwrap()
            .is_none());

        let (status, _) = caller.post("/voice/twilio/nobody/incoming", &[]).await;
        assert_eq!(status, 404);
        let oversized = "x".repeat(64 * 1024);
        let (status, _) = caller
            .post("/voice/twilio/demo/gather", &[("SpeechResult", &oversized)])
            .await;
        assert_eq!(status, 413);
        let mut owner = app.db.owner().await;
        let calls: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calls")
            .fetch_one(&mut owner)
            .await
            .unwrap();
        assert_eq!(calls, 0, "{backend:?}");
    }
}

#[tokio::test]
async fn a_business_without_a_phone_line_is_not_found() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.keyring = Some(Keyring::parse(&Keyring::generate_entry("t1")).unwrap());
    })
    .await;
    let caller = Caller::new(&app, "CA00000000000000000000000000000013", STRANGER);
    let (status, body) = caller.post("/voice/twilio/demo/incoming", &[]).await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn status_callbacks_update_the_call_idempotently() {
    for backend in BACKENDS {
        let app = phone_app(backend, Some(ESCALATION)).await;
        let caller = Caller::new(&app, "CA00000000000000000000000000000014", STRANGER);
        caller.call().await;
        let path = "/voice/twilio/demo/status";
        let done = [("CallStatus", "completed"), ("CallDuration", "73")];
        let empty = caller.answer(path, &done).await;
        assert!(empty.says.is_empty());
        caller.answer(path, &done).await;
        caller.answer(path, &[("CallStatus", "ringing")]).await;
        let call = call_row(&app, &caller.sid).await;
        assert_eq!(call.status, "completed", "{backend:?}");
        assert_eq!(call.duration_seconds, Some(73));
        assert!(call.ended_at.is_some());
    }
}

/// The `<Message>` texts of a Twilio Messaging answer.
fn messages(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    assert_eq!(doc.root_element().tag_name().name(), "Response", "{xml}");
    doc.root_element()
        .children()
        .filter(|n| n.is_element())
        .map(|verb| {
            assert_eq!(verb.tag_name().name(), "Message", "{xml}");
            verb.text().unwrap_or("").to_owned()
        })
        .collect()
}

#[tokio::test]
async fn texts_to_the_twilio_number_are_answered_in_twiml_and_stop_means_silence() {
    for backend in BACKENDS {
        let app = phone_app(backend, None).await;
        let url = app.url("/sms/twilio/demo");
        let text = |body: &str| {
            vec![
                ("MessageSid".to_owned(), format!("SM{}", body.len())),
                ("From".to_owned(), CUSTOMER.to_owned()),
                ("To".to_owned(), "+15125550000".to_owned()),
                ("Body".to_owned(), body.to_owned()),
            ]
        };
        let send = |params: Vec<(String, String)>| {
            let signature = frontdesk_twilio::sign(TOKEN, &url, &params);
            let app = &app;
            let url = url.clone();
            async move { post_signed(app, &url, &params, Some(&signature)).await }
        };

        let (status, xml) = send(text("what time do you open on monday?")).await;
        assert_eq!(status, 200, "{backend:?}: {xml}");
        let answer = messages(&xml);
        assert_eq!(answer.len(), 1, "{xml}");
        assert!(answer[0].contains("8"), "{xml}");

        let (status, xml) = send(text("Stop")).await;
        assert_eq!(status, 200, "{xml}");
        assert_eq!(messages(&xml).len(), 1, "one confirmation: {xml}");
        let (status, xml) = send(text("are you open saturday?")).await;
        assert_eq!(status, 200, "{xml}");
        assert!(messages(&xml).is_empty(), "nothing after STOP: {xml}");

        let params = text("hello");
        let wrong = frontdesk_twilio::sign("not-the-token", &url, &params);
        let (status, _) = post_signed(&app, &url, &params, Some(&wrong)).await;
        assert_eq!(status, 403, "{backend:?}");
    }
}

/// Signs a Shopify webhook body like Shopify does.
fn shopify_signature(secret: &str, body: &[u8]) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn shopify_webhooks_keep_a_local_copy_that_answers_callers_while_shopify_is_down() {
    const SECRET: &str = "shpss_test_secret";
    const BUYER: &str = "+14155550100";
    let body = r##"{"id":1,"name":"#2002","created_at":"2026-11-20T10:00:00-05:00","updated_at":"2026-11-21T09:30:00-05:00","cancelled_at":null,"financial_status":"paid","fulfillment_status":"fulfilled","phone":null,"email":"ana@example.com","customer":{"id":1,"phone":"+14155550100","email":"ana@example.com"},"fulfillments":[{"id":1,"tracking_company":"FedEx","tracking_number":"777555333","tracking_url":null}],"line_items":[{"title":"Secret gift"}]}"##;
    for backend in BACKENDS {
        let app = phone_app(backend, None).await;
        let business = demo_id(&app).await;
        // Shopify itself is down for this test: every lookup gets a 503.
        let shopify = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .respond_with(wiremock::ResponseTemplate::new(503))
            .mount(&shopify)
            .await;
        let url = app.url("/webhooks/shopify/demo");
        let deliver = |signature: String| {
            app.client
                .post(url.clone())
                .header("X-Shopify-Hmac-Sha256", signature)
                .header("X-Shopify-Topic", "orders/fulfilled")
                .header(
                    "X-Shopify-Webhook-Id",
                    "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
                )
                .header("X-Shopify-Shop-Domain", "maple.myshopify.com")
                .body(body)
                .send()
        };
        let unconnected = deliver(shopify_signature(SECRET, body.as_bytes()))
            .await
            .unwrap();
        assert_eq!(unconnected.status(), 404, "{backend:?}");

        app.store
            .set_shopify_connection(
                business,
                Some(&frontdesk_store::ShopifyConnection {
                    shop: shopify.uri(),
                    access_token: "shpat_test_token".into(),
                    webhook_secret: SECRET.into(),
                }),
                "2026-11-23T00:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let forged = deliver(shopify_signature("not-the-secret", body.as_bytes()))
            .await
            .unwrap();
        assert_eq!(forged.status(), 401, "{backend:?}");
        let delivered = deliver(shopify_signature(SECRET, body.as_bytes()))
            .await
            .unwrap();
        assert_eq!(delivered.status(), 200, "{backend:?}");

        let caller = Caller::new(&app, "CA00000000000000000000000000000777", BUYER);
        caller.call().await;
        let status = caller.say("hi, where's my order?").await;
        assert!(
            status.text().contains("FedEx") && status.text().contains("2 0 0 2"),
            "{backend:?}: {status:?}"
        );
        assert!(
            !status.text().contains("Secret gift"),
            "line items never reach a reply"
        );
        assert!(
            !shopify.received_requests().await.unwrap().is_empty(),
            "Shopify was asked first"
        );
    }
}
