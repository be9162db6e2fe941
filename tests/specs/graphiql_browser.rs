//! GraphiQL in a real headless browser: the IDE renders from the binary alone, runs a query
//! with its run button, shows the documentation explorer, requests nothing from another origin
//! and logs no error (a Content-Security-Policy violation would be one). Drives Chromium with
//! `tests/browser/graphiql.py` (Python's standard library, the DevTools protocol over a pipe).
//! Runs when `KINSHIP_TEST_CHROMIUM` names the browser (`.ci/run` installs it and sets it);
//! skipped otherwise, so that the test command needs nothing but Rust.

use kinship_tests::{Backend, TestApp};
use std::process::Command;

#[test]
fn graphiql_renders_runs_a_query_and_shows_the_docs_in_a_headless_browser() {
    let Ok(chromium) = std::env::var("KINSHIP_TEST_CHROMIUM") else {
        eprintln!("skipped: KINSHIP_TEST_CHROMIUM is not set");
        return;
    };
    let app = TestApp::start(Backend::Sqlite, |_| {}).expect("SQLite always runs");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/browser/graphiql.py");
    let run = Command::new("python3")
        .args([script, &app.url(""), &chromium])
        .output()
        .expect("python3 runs the browser script");
    let report = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(report.contains("\"elsewhere\": []"), "{report}");
}
