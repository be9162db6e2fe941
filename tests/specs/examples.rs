//! Every `examples/queries/*.graphql` runs against the demo data without errors with the one
//! command a user runs (`examples/run.py FILE`, which reads each file's `# auth:`,
//! `# variables:` and `# group:` header), and the client snippets in `examples/clients/` work
//! against a real server.

use kinship_tests::serde_json::{self, Value, json};
use kinship_tests::spec;
use std::path::{Path, PathBuf};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

spec!(every_example_query_runs_against_the_demo_data, |app| {
    let key = app.load_demo();
    let mut files: Vec<PathBuf> = std::fs::read_dir(examples_dir().join("queries"))
        .expect("examples/queries")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "examples exist");
    for file in files {
        let run = std::process::Command::new("python3")
            .arg(examples_dir().join("run.py"))
            .arg(&file)
            .env("KINSHIP_URL", app.url("/graphql"))
            .env("KINSHIP_API_KEY", &key)
            .output()
            .expect("python3 runs examples/run.py");
        let printed = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{}: {printed}{}",
            file.display(),
            String::from_utf8_lossy(&run.stderr)
        );
        let body: Value = serde_json::from_str(&printed).expect("the runner prints the response");
        assert!(body.get("errors").is_none(), "{}: {body}", file.display());
        assert!(body["data"].is_object(), "{}: {body}", file.display());
    }
    let without_key = std::process::Command::new("python3")
        .arg(examples_dir().join("run.py"))
        .arg(examples_dir().join("queries/group-overview.graphql"))
        .env("KINSHIP_URL", app.url("/graphql"))
        .env_remove("KINSHIP_API_KEY")
        .output()
        .expect("python3 runs examples/run.py");
    let said = String::from_utf8_lossy(&without_key.stderr);
    assert!(!without_key.status.success());
    assert_eq!(
        said.lines().count(),
        1,
        "one line says what is missing: {said}"
    );
    assert!(said.contains("KINSHIP_API_KEY"), "{said}");
});

spec!(the_curl_and_python_clients_work, |app| {
    let key = app.load_demo();
    let clients = examples_dir().join("clients");
    for (program, script) in [("bash", "viewer.sh"), ("python3", "viewer.py")] {
        let output = std::process::Command::new(program)
            .arg(clients.join(script))
            .env("KINSHIP_URL", app.url("/graphql"))
            .env("KINSHIP_API_KEY", &key)
            .output()
            .unwrap_or_else(|e| panic!("{program} runs: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("\"API_KEY\""), "{script}: {stdout}");
        assert!(stdout.contains("\"demo\""), "{script}: {stdout}");

        let refused = std::process::Command::new(program)
            .arg(clients.join(script))
            .env("KINSHIP_URL", app.url("/graphql"))
            .env("KINSHIP_API_KEY", "kinship_wrong")
            .output()
            .expect("runs");
        assert!(!refused.status.success(), "{script} fails on a wrong key");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&refused.stdout),
            String::from_utf8_lossy(&refused.stderr)
        );
        assert!(
            said.contains("UNAUTHENTICATED"),
            "{script} shows the server's error: {said}"
        );
    }
});

spec!(a_member_joins_a_group_with_the_python_client, |app| {
    let key = app.load_demo();
    let output = std::process::Command::new("python3")
        .arg(examples_dir().join("clients/member_joins.py"))
        .env("KINSHIP_URL", app.url("/graphql"))
        .env("KINSHIP_API_KEY", &key)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["joined"]["state"], "ACTIVE");
    assert_eq!(report["viewer"]["member"]["displayName"], "Casey");
    assert_eq!(
        report["viewer"]["member"]["groups"]["edges"][0]["state"],
        "ACTIVE"
    );
});

spec!(
    a_clinic_schedules_meetings_across_daylight_saving_with_the_python_client,
    |app| {
        let key = app.load_demo();
        let output = std::process::Command::new("python3")
            .arg(examples_dir().join("clients/clinic_schedules.py"))
            .env("KINSHIP_URL", app.url("/graphql"))
            .env("KINSHIP_API_KEY", &key)
            .output()
            .expect("python3 runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let march = &report["Tuesday Night Discussion"]["march"];
        assert_eq!(
            march[0],
            json!({ "localStart": "2026-03-03T19:00:00-05:00", "status": "CANCELLED", "note": "Snow day" })
        );
        assert_eq!(march[1]["localStart"], "2026-03-11T19:00:00-04:00");
        assert_eq!(march[1]["status"], "RESCHEDULED");
        assert_eq!(march[2]["localStart"], "2026-03-17T19:00:00-04:00");
        let november: Vec<&str> = report["Tuesday Night Discussion"]["november"]
            .as_array()
            .expect("occurrences")
            .iter()
            .map(|o| o["localStart"].as_str().expect("local"))
            .collect();
        assert_eq!(
            november[..3],
            [
                "2026-10-27T19:00:00-04:00",
                "2026-11-03T19:00:00-05:00",
                "2026-11-10T19:00:00-05:00"
            ]
        );
        assert_eq!(
            report["Last Friday Speaker"]["march"],
            json!([{ "localStart": "2026-03-27T20:00:00-04:00", "status": "SCHEDULED", "note": null }])
        );
    }
);

spec!(each_demo_start_revokes_the_previous_demo_key, |app| {
    let first = app.load_demo();
    let second = app.load_demo();
    assert_ne!(first, second);
    assert_eq!(
        app.post(Some(&first), "{ viewer { kind } }", json!({})).0,
        401
    );
    assert_eq!(
        app.post(Some(&second), "{ viewer { kind } }", json!({})).0,
        200
    );
});

spec!(a_chosen_demo_key_stays_the_same_across_starts, |app| {
    let chosen = "kinship_demo-key-for-my-laptop-0123456789abcdef";
    let start = || {
        let (db, _) = kinship_api::cli::migrate(&app.config).expect("connect");
        let mut conn = db.conn().expect("a connection");
        kinship_schema::demo::load(&mut conn, Some(chosen))
            .expect("demo data")
            .key
            .secret
    };
    assert_eq!(start(), chosen);
    assert_eq!(start(), chosen, "a restart keeps it");
    assert_eq!(
        app.post(Some(chosen), "{ viewer { kind } }", json!({})).0,
        200
    );
    let random = app.load_demo();
    assert_ne!(random, chosen);
    assert_eq!(
        app.post(Some(chosen), "{ viewer { kind } }", json!({})).0,
        401,
        "a start without it issues a new key and retires the chosen one"
    );
});
