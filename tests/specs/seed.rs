//! `kinship seed --scale N`: realistic, deterministic data for load tests.

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{TestApp, spec};

fn seed(app: &TestApp, scale: &str) -> Value {
    let out = app
        .cli(&["--json", "seed", "--scale", scale])
        .expect("seed");
    serde_json::from_str(&out).expect("a JSON report")
}

/// What the public directory shows of the seeded meetings, without ids and times of writing.
fn directory(app: &TestApp) -> Vec<String> {
    let response = app
        .client
        .get(app.url("/feeds/meeting-guide/seed-1.json"))
        .send()
        .expect("answer");
    let feed: Vec<Value> = response.json().expect("a feed");
    let mut entries: Vec<String> = feed
        .into_iter()
        .map(|mut entry| {
            let object = entry.as_object_mut().expect("object");
            for varying in ["slug", "updated", "conference_url", "notes"] {
                object.remove(varying);
            }
            entry.to_string()
        })
        .collect();
    entries.sort();
    entries
}

spec!(
    seeding_writes_realistic_data_the_same_way_every_time,
    |app| {
        let report = seed(&app, "400");
        assert_eq!(report["meetings"], 400);
        assert_eq!(report["organizations"], 1);
        let groups = report["groups"].as_u64().expect("groups");
        assert!(
            (134..=400).contains(&groups),
            "one to three meetings a group: {report}"
        );
        assert!(report["memberships"].as_u64().expect("memberships") >= 3 * groups);
        assert!(report["attendance"].as_u64().expect("attendance") > 0);
        let key = report["apiKey"].as_str().expect("a key");

        let data = app.query(
        Some(key),
        "{ meetings(first: 100, filter: { attendanceModes: [IN_PERSON] }) { totalCount edges { node { timezone schedule { rrule startTime } location { latitude } } } } }",
        json!({}),
    );
        let edges = data["meetings"]["edges"].as_array().expect("edges");
        let zones: std::collections::BTreeSet<&str> = edges
            .iter()
            .map(|e| e["node"]["timezone"].as_str().expect("zone"))
            .collect();
        assert!(zones.len() >= 4, "several time zones: {zones:?}");
        let evenings = edges
            .iter()
            .filter(|e| e["node"]["schedule"]["startTime"].as_str() >= Some("17:00"))
            .count();
        assert!(
            evenings * 2 > edges.len(),
            "evening-heavy: {evenings} of {}",
            edges.len()
        );
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["location"]["latitude"].is_number()),
            "in-person meetings have a place"
        );

        let again = app.cli(&["seed", "--scale", "400"]);
        assert!(
            again.is_err_and(|e| e.contains("already seeded")),
            "a seeded database is not seeded twice"
        );

        let other = TestApp::start(app.database.backend(), |_| {}).expect("a second app");
        seed(&other, "400");
        assert_eq!(
            directory(&other),
            directory(&app),
            "the same N gives the same data"
        );
    }
);

spec!(the_smallest_scale_writes_attendance_too, |app| {
    let report = seed(&app, "10");
    assert_eq!(report["meetings"], 10);
    assert!(
        report["attendance"].as_u64().expect("attendance") > 0,
        "{report}"
    );
});
