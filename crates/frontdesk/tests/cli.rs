//! The `frontdesk` binary end to end on a SQLite file: importing a business, inviting
//! its first owner from the command line, and `audit verify` catching a row changed
//! behind the application's back.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sqlx::Connection;

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn frontdesk(database: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(args)
        .arg("--database")
        .arg(database)
        .env_remove("DATABASE_URL")
        .env_remove("FRONTDESK_PUBLIC_URL")
        .output()
        .expect("the binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn an_invited_owner_link_is_printed_and_a_tampered_audit_row_is_reported() {
    let dir = TempDir(std::env::temp_dir().join(format!("fd-cli-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let database = dir.0.join("cli.db");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/demo-business.toml");

    let imported = frontdesk(&database, &["business", "import", demo.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported));

    let invited = frontdesk(&database, &["team", "invite", "demo", "Owner@Example.test"]);
    let out = text(&invited);
    assert!(invited.status.success(), "{out}");
    assert!(out.contains("http://127.0.0.1:8080/app/invite/"), "{out}");
    let unknown = frontdesk(&database, &["team", "invite", "nope", "a@example.test"]);
    assert!(!unknown.status.success());
    assert!(text(&unknown).contains("no business"));
    let bad_role = frontdesk(
        &database,
        &["team", "invite", "demo", "b@example.test", "--role", "boss"],
    );
    assert!(text(&bad_role).contains("unknown role"));

    let verified = frontdesk(&database, &["audit", "verify"]);
    assert!(verified.status.success(), "{}", text(&verified));
    assert!(
        text(&verified).contains("OK: 2 events in 1 chains"),
        "the import and the invite are audited: {}",
        text(&verified)
    );

    let url = format!("sqlite://{}", database.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("DROP TRIGGER audit_events_no_update")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET detail = 'nothing changed' WHERE seq = 1")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let tampered = frontdesk(&database, &["audit", "verify", "--business", "demo"]);
    let out = text(&tampered);
    assert!(!tampered.status.success(), "{out}");
    assert!(
        out.contains("BROKEN: business demo event #1"),
        "names the broken link: {out}"
    );
}

#[tokio::test]
async fn purge_dry_run_counts_per_category_and_purge_removes_what_it_counted() {
    let dir = TempDir(std::env::temp_dir().join(format!("fd-cli-purge-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let database = dir.0.join("purge.db");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/demo-business.toml");
    let imported = frontdesk(&database, &["business", "import", demo.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported));

    let url = format!("sqlite://{}", database.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    // Two failed sign-ins from long ago (an IP address among them), one just now.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    for (scope, key, at) in [
        ("ip", "203.0.113.9", 1_000),
        ("account", "a@example.test", 2_000),
        ("ip", "203.0.113.10", now),
    ] {
        sqlx::query("INSERT INTO login_failures (scope, key, at) VALUES ($1, $2, $3)")
            .bind(scope)
            .bind(key)
            .bind(at)
            .execute(&mut conn)
            .await
            .unwrap();
    }

    let dry = frontdesk(&database, &["purge", "--dry-run"]);
    let out = text(&dry);
    assert!(dry.status.success(), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("login_failures_and_ip_addresses")
                && l.ends_with("would remove 2")),
        "{out}"
    );
    assert!(out.contains("expired_sessions"), "{out}");
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 3, "a dry run deletes nothing");

    let purged = frontdesk(&database, &["purge"]);
    let out = text(&purged);
    assert!(purged.status.success(), "{out}");
    assert!(out.contains("removed 2"), "{out}");
    let left: Vec<String> = sqlx::query_scalar("SELECT key FROM login_failures")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, vec!["203.0.113.10".to_owned()]);
    let again = frontdesk(&database, &["purge", "--dry-run"]);
    assert!(text(&again).contains("total"), "{}", text(&again));
    assert!(text(&again)
        .lines()
        .last()
        .unwrap()
        .ends_with("would remove 0"));
    conn.close().await.unwrap();
}

#[test]
fn serve_refuses_a_telnyx_public_key_that_is_not_one() {
    let dir = TempDir(std::env::temp_dir().join(format!("fd-cli-telnyx-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let database = dir.0.join("frontdesk.db");
    let output = frontdesk(
        &database,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--telnyx-public-key",
            "c2hvcnQ=",
        ],
    );
    assert!(!output.status.success());
    assert!(
        text(&output).contains("Telnyx public key is 5 bytes"),
        "{}",
        text(&output)
    );
}

#[tokio::test]
async fn orders_are_imported_from_csv_all_or_nothing_with_every_bad_line_named() {
    let dir = TempDir(std::env::temp_dir().join(format!("fd-cli-orders-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let database = dir.0.join("cli.db");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/demo-business.toml");
    let imported = frontdesk(&database, &["business", "import", demo.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported));

    let header = "order_number,placed_at,payment_status,fulfillment_status,carrier,tracking_number,tracking_url,phone,email\n";
    let bad = dir.0.join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{header}1001,2026-11-20,paid,fulfilled,UPS,1Z9,,+15125550142,ana@example.com\n\
             1002,someday,paid,fulfilled,,,,,\n\
             1003,2026-11-20,paid,lost,,,,,\n"
        ),
    )
    .unwrap();
    let refused = frontdesk(
        &database,
        &["orders", "import", "demo", bad.to_str().unwrap()],
    );
    let out = text(&refused);
    assert!(!refused.status.success(), "{out}");
    assert!(
        out.contains("2 invalid line(s); nothing was imported"),
        "{out}"
    );
    assert!(out.contains("line 3: placed_at \"someday\""), "{out}");
    assert!(out.contains("line 4: fulfillment_status \"lost\""), "{out}");

    let good = dir.0.join("good.csv");
    std::fs::write(
        &good,
        format!(
            "{header}1001,2026-11-20,paid,fulfilled,UPS,1Z9,,+15125550142,ana@example.com\n\
             1002,2026-11-21,pending,unfulfilled,,,,,\n"
        ),
    )
    .unwrap();
    let first = frontdesk(
        &database,
        &["orders", "import", "demo", good.to_str().unwrap()],
    );
    assert!(
        text(&first).contains("2 new, 0 updated"),
        "{}",
        text(&first)
    );
    let again = frontdesk(
        &database,
        &["orders", "import", "demo", good.to_str().unwrap()],
    );
    assert!(
        text(&again).contains("0 new, 2 updated"),
        "{}",
        text(&again)
    );

    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(count, 2);

    let unknown = frontdesk(
        &database,
        &["orders", "import", "nobody", good.to_str().unwrap()],
    );
    assert!(!unknown.status.success());
}

#[tokio::test]
async fn the_terminal_phone_calls_a_running_server_through_signed_webhooks() {
    use std::io::Write;
    use std::sync::Arc;

    use frontdesk_core::voice::{AuthToken, PhoneSettings};
    use frontdesk_store::Keyring;

    let dir = TempDir(std::env::temp_dir().join(format!("fd-cli-call-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let database = dir.0.join("call.db");
    let mut config = frontdesk_server::Config::new(database.display().to_string());
    config.keyring = Some(Keyring::parse(&Keyring::generate_entry("t")).unwrap());
    config.mailer = Arc::new(frontdesk_server::OutboxMailer::new(dir.0.join("outbox")));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = frontdesk_server::Application::build(config, listener)
        .await
        .unwrap();
    let url = format!("http://{}", app.local_addr().unwrap());
    let store = app.store().clone();
    let business = store.business_by_slug("demo").await.unwrap().unwrap().id;
    let settings = PhoneSettings {
        account_sid: format!("AC{}", "1".repeat(32)),
        auth_token: AuthToken::parse("cli-token").unwrap(),
        escalation: None,
    };
    store
        .set_phone_settings(business, Some(&settings), jiff::Timestamp::now())
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));

    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["call", "demo", "--url", &url, "--auth-token", "cli-token"])
        .env_remove("FRONTDESK_PUBLIC_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"what are your hours\n2\n\n\n\n")
        .unwrap();
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    assert!(
        out.contains("line> Thanks for calling Maple Street Dental Studio"),
        "{out}"
    );
    assert!(out.contains("Monday to Thursday"), "{out}");
    assert!(
        out.contains("Goodbye") && out.contains("(call ended)"),
        "{out}"
    );

    let calls = store.calls(business, 10, 0).await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].status, "completed");
    let _ = stop.send(());
    let _ = server.await;
}

/// A `frontdesk serve` process on `database`, killed when dropped.
struct Served {
    child: std::process::Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `frontdesk serve` on a free port and reads the address it prints.
fn serve(database: &str, keys: &Path, extra: &[&str]) -> Served {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database", database])
        .arg("--secret-keys-file")
        .arg(keys)
        .args(extra)
        .env_remove("DATABASE_URL")
        .env_remove("FRONTDESK_PUBLIC_URL")
        .env_remove("FRONTDESK_REDIS_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary runs");
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("serve prints its address before anything else")
            .unwrap();
        if let Some(url) = line.strip_prefix("frontdesk listening on ") {
            break url.trim().to_owned();
        }
    };
    // Keep reading what it prints: a closed pipe would end the server at its next line.
    std::thread::spawn(move || lines.for_each(drop));
    Served { child, url }
}

#[tokio::test]
async fn two_server_processes_sharing_postgresql_share_one_rate_limit() {
    let db = frontdesk_store::testing::TestDatabase::new(frontdesk_store::Backend::Postgres).await;
    let dir = TempDir(std::env::temp_dir().join(format!("fd-cli-limits-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let keys = dir.0.join("frontdesk.keys");
    let limits = [
        "--rate-limit-per-ip",
        "4",
        "--rate-limit-window-secs",
        "3600",
    ];
    let first = serve(&db.url, &keys, &limits);
    let second = serve(&db.url, &keys, &limits);
    assert_ne!(first.url, second.url);

    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for turn in 0..6 {
        let server = if turn % 2 == 0 { &first } else { &second };
        let response = client
            .post(format!("{}/api/v1/businesses/demo/messages", server.url))
            .json(&serde_json::json!({
                "visitor_id": format!("v_twoprocesses{turn:04}"),
                "text": "what are your hours?",
            }))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(
        statuses,
        vec![200, 200, 200, 200, 429, 429],
        "the allowance of 4 is shared by both processes"
    );
}

#[test]
fn a_shop_is_connected_to_shopify_with_its_secrets_from_the_environment() {
    let dir = TempDir(std::env::temp_dir().join(format!("fd-cli-shopify-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let database = dir.0.join("cli.db");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/demo-business.toml");
    let imported = frontdesk(&database, &["business", "import", demo.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported));
    let keys = dir.0.join("frontdesk.keys");
    let connect = |with_secrets: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_frontdesk"));
        command
            .args([
                "orders",
                "connect-shopify",
                "demo",
                "--shop",
                "maple.myshopify.com",
            ])
            .arg("--secret-keys-file")
            .arg(&keys)
            .arg("--database")
            .arg(&database)
            .env_remove("FRONTDESK_SECRET_KEYS")
            .env_remove("FRONTDESK_SHOPIFY_ACCESS_TOKEN")
            .env_remove("FRONTDESK_SHOPIFY_WEBHOOK_SECRET");
        if with_secrets {
            command
                .env("FRONTDESK_SHOPIFY_ACCESS_TOKEN", "shpat_cli_token")
                .env("FRONTDESK_SHOPIFY_WEBHOOK_SECRET", "cli_webhook_secret");
        }
        command.output().expect("the binary runs")
    };
    let missing = connect(false);
    assert!(!missing.status.success(), "{}", text(&missing));
    let connected = connect(true);
    let out = text(&connected);
    assert!(connected.status.success(), "{out}");
    assert!(out.contains("/webhooks/shopify/demo"), "{out}");
    assert!(!out.contains("shpat_cli_token") && !out.contains("cli_webhook_secret"));
}
