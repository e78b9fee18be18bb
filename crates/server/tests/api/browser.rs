//! The widget in real headless Chromium, driven by playwright-core (tests/browser).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use frontdesk_store::Backend;

use crate::helpers::spawn_app_with_pace;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Runs one script of tests/browser against a server and returns its output; panics
/// with the whole output if it fails.
async fn run_script(script: &str, address: &str, extra_env: &[(&str, PathBuf)]) -> String {
    let root = workspace_root();
    let script_dir = root.join("tests/browser");
    assert!(
        script_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci --prefix tests/browser` (scripts/test does this)"
    );
    let chromium =
        std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(PathBuf::from(&chromium).exists(), "Chromium not found at {chromium}: install Debian's `chromium` package (scripts/test does this)");
    let mut command = Command::new("node");
    command
        .arg(script)
        .current_dir(&script_dir)
        .env("FRONTDESK_URL", address)
        .env("CHROMIUM_PATH", &chromium);
    for (key, value) in extra_env {
        command.env(key, value);
    }
    let output = tokio::task::spawn_blocking(move || command.output().expect("node runs"))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_chats_streams_and_remembers_in_chromium() {
    let app = spawn_app_with_pace(Backend::Sqlite, Duration::from_millis(25)).await;
    let screenshot = workspace_root().join("target/browser/widget.png");
    let stdout = run_script(
        "widget.test.mjs",
        &app.address,
        &[("SCREENSHOT_PATH", screenshot.clone())],
    )
    .await;
    assert!(stdout.contains("browser test passed"), "{stdout}");
    assert!(screenshot.exists(), "screenshot saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_signs_up_edits_hours_sees_them_answered_and_exports_leads_in_chromium() {
    let app = spawn_app_with_pace(Backend::Sqlite, Duration::from_millis(5)).await;
    let shots = workspace_root().join("target/browser");
    let stdout = run_script(
        "dashboard.test.mjs",
        &app.address,
        &[("SCREENSHOT_DIR", shots.clone())],
    )
    .await;
    assert!(stdout.contains("dashboard browser test passed"), "{stdout}");
    for page in [
        "signup",
        "home",
        "business",
        "preview",
        "lead-captured",
        "conversations",
        "transcript",
        "leads",
        "appointments",
        "settings",
        "team",
        "security",
        "audit",
        "account",
        "login",
    ] {
        assert!(
            shots.join(format!("dashboard-{page}.png")).exists(),
            "screenshot of {page} saved"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_accounts_widget_shows_the_notice_and_stays_shut_in_chromium() {
    let app = spawn_app_with_pace(Backend::Sqlite, Duration::ZERO).await;
    let demo = app.store.business_by_slug("demo").await.unwrap().unwrap();
    app.store
        .close_account(
            demo.id,
            &frontdesk_core::retention::RetentionPolicy::default(),
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    let stdout = run_script("closed.test.mjs", &app.address, &[]).await;
    assert!(
        stdout.contains("closed widget browser test passed"),
        "{stdout}"
    );
}
