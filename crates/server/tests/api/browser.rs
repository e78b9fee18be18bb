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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_chats_streams_and_remembers_in_chromium() {
    let root = workspace_root();
    let script_dir = root.join("tests/browser");
    assert!(
        script_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci --prefix tests/browser` (scripts/test does this)"
    );
    let chromium =
        std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(PathBuf::from(&chromium).exists(), "Chromium not found at {chromium}: install Debian's `chromium` package (scripts/test does this)");

    let app = spawn_app_with_pace(Backend::Sqlite, Duration::from_millis(25)).await;
    let screenshot = root.join("target/browser/widget.png");
    let address = app.address.clone();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg("widget.test.mjs")
            .current_dir(&script_dir)
            .env("FRONTDESK_URL", &address)
            .env("CHROMIUM_PATH", &chromium)
            .env("SCREENSHOT_PATH", &screenshot)
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser test failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(stdout.contains("browser test passed"), "{stdout}");
    assert!(
        root.join("target/browser/widget.png").exists(),
        "screenshot saved"
    );
}
