//! Importing Meeting Guide feeds: a sync by slug and content hash, through the CLI and the
//! staff mutation, with malformed entries rejected by line.

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{TestApp, code, spec};

const IMPORT: &str = "mutation($input: ImportMeetingGuideFeedInput!) { importMeetingGuideFeed(input: $input) { source entries meetings added updated unchanged removed dryRun rejected { line slug message } warnings { line slug message } } }";

/// A page of the caller's organization's groups, each with its meetings whatever their status.
const MEETINGS: &str = "query($org: ID, $after: String) { groups(first: 5, after: $after, filter: { organizationId: $org }) { pageInfo { hasNextPage endCursor } edges { node { name meetings(first: 20) { pageInfo { hasNextPage } nodes { name status attendanceMode timezone program languages accessibility types { code } schedule { rrule startTime durationMinutes } location { venue city region countryCode latitude } online { url } changes(first: 5) { nodes { action actor } } } } } } } }";

fn feed_of(app: &TestApp, slug: &str) -> Vec<Value> {
    let response = app
        .client
        .get(app.url(&format!("/feeds/meeting-guide/{slug}.json")))
        .send()
        .expect("answer");
    assert_eq!(response.status(), 200);
    response.json().expect("a JSON array")
}

/// A feed without what differs between organizations (ids, update times), in a stable order.
fn comparable(feed: &[Value]) -> Vec<String> {
    let mut entries: Vec<String> = feed
        .iter()
        .map(|entry| {
            let mut entry = entry.clone();
            let object = entry.as_object_mut().expect("an object");
            object.remove("updated");
            object.remove("slug");
            entry.to_string()
        })
        .collect();
    entries.sort();
    entries
}

/// The organization's meetings by name, each with its group's name under `group`.
fn meetings(app: &TestApp, key: &str) -> Vec<Value> {
    let org = app.query(Some(key), "{ viewer { organization { id } } }", json!({}));
    let org = &org["viewer"]["organization"]["id"];
    let mut meetings = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.query(Some(key), MEETINGS, json!({ "org": org, "after": after }));
        let groups = &data["groups"];
        for edge in groups["edges"].as_array().expect("edges") {
            let group = &edge["node"];
            assert_eq!(group["meetings"]["pageInfo"]["hasNextPage"], false);
            for meeting in group["meetings"]["nodes"].as_array().expect("nodes") {
                let mut meeting = meeting.clone();
                meeting["changes"] = meeting["changes"]["nodes"].clone();
                meeting["group"] = group["name"].clone();
                meetings.push(meeting);
            }
        }
        if groups["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = groups["pageInfo"]["endCursor"].clone();
    }
    meetings.sort_by_key(|m| m["name"].to_string());
    meetings
}

fn write_feed(app: &TestApp, feed: &str) -> std::path::PathBuf {
    let port = app.url("").rsplit(':').next().unwrap_or("0").to_owned();
    let path = std::env::temp_dir().join(format!(
        "kinship-import-{}-{}.json",
        std::process::id(),
        port.trim_matches('/')
    ));
    std::fs::write(&path, feed).expect("write the feed");
    path
}

spec!(
    the_demo_feed_imports_into_a_second_organization_as_the_same_meetings,
    |app| {
        let demo_key = app.load_demo();
        let demo_feed = feed_of(&app, "demo");
        let second_key = app.admin_key("second");
        let path = write_feed(
            &app,
            &serde_json::to_string_pretty(&demo_feed).expect("json"),
        );
        let file = path.to_str().expect("a path");

        let out = app
            .cli(&["--json", "import", "meeting-guide", "--org", "second", file])
            .expect("import");
        let report: Value = serde_json::from_str(&out).expect("JSON report");
        assert_eq!(
            (&report["entries"], &report["meetings"], &report["added"]),
            (&json!(demo_feed.len()), &json!(3), &json!(3)),
            "entries split by weekday merge back: {report}"
        );
        assert_eq!(report["rejected"], json!([]));

        assert_eq!(
            comparable(&feed_of(&app, "second")),
            comparable(&demo_feed),
            "the second organization publishes the same feed"
        );
        let mut originals = meetings(&app, &demo_key);
        let mut imported = meetings(&app, &second_key);
        for list in [&mut originals, &mut imported] {
            for meeting in list.iter_mut() {
                meeting.as_object_mut().expect("object").remove("changes");
            }
        }
        assert_eq!(imported, originals, "the same meetings, field by field");
        let speaker = imported
            .iter()
            .find(|m| m["name"] == "Last Friday Speaker Meeting")
            .expect("the monthly meeting");
        assert_eq!(speaker["schedule"]["rrule"], "FREQ=MONTHLY;BYDAY=-1FR");

        let again = app
            .cli(&["import", "meeting-guide", "--org", "second", file])
            .expect("second import");
        assert!(
            again.contains("added 0, updated 0, unchanged 3, removed 0"),
            "idempotent: {again}"
        );
        std::fs::remove_file(&path).ok();

        let missing = app.cli(&["import", "meeting-guide", "--org", "nobody", file]);
        assert!(missing.is_err(), "an unknown organization is an error");
    }
);

spec!(
    a_changed_feed_updates_adds_removes_and_rejects_malformed_entries_by_line,
    |app| {
        let key = app.admin_key("area");
        let entry = |slug: &str, name: &str, day: i64| {
            json!({
                "slug": slug, "name": name, "day": day, "time": "19:00", "end_time": "20:30",
                "timezone": "America/Chicago", "types": ["O", "D"], "location": "Grace Church",
                "address": "100 Main St", "city": "Springfield", "state": "IL", "country": "US",
                "latitude": 39.78, "longitude": -89.65, "group": "Springfield Group"
            })
        };
        let first = json!([
            entry("monday-night", "Monday Night", 1),
            entry("friday-night", "Friday Night", 5),
            entry("saturday-noon", "Saturday Noon", 6),
        ]);
        let import = |feed: &Value, dry_run: bool| {
            app.query(
                Some(&key),
                IMPORT,
                json!({ "input": {
                    "feed": serde_json::to_string_pretty(feed).expect("json"),
                    "program": "aa", "dryRun": dry_run
                } }),
            )["importMeetingGuideFeed"]
                .clone()
        };
        let report = import(&first, false);
        assert_eq!(
            (&report["added"], &report["removed"]),
            (&json!(3), &json!(0))
        );

        let mut second = first.as_array().expect("array").clone();
        second[0]["time"] = json!("18:30");
        second.remove(2);
        second.push(json!({ "slug": "no-time", "name": "No Time", "day": 2, "location": "Hall" }));
        second.push(json!({
            "slug": "sunday-online", "name": "Sunday Online", "day": 0, "time": "10:00",
            "timezone": "America/Chicago", "conference_url": "https://meet.example.org/s",
            "types": ["O", "NOPE", "S"]
        }));
        second.push(json!("not a meeting"));
        let second = Value::Array(second);

        let dry = import(&second, true);
        let nothing_written = meetings(&app, &key);
        assert_eq!(
            nothing_written
                .iter()
                .filter(|m| m["status"] == "ACTIVE")
                .count(),
            3,
            "a dry run writes nothing"
        );
        assert_eq!(dry["dryRun"], true);

        let report = import(&second, false);
        assert_eq!(
            (
                &report["added"],
                &report["updated"],
                &report["unchanged"],
                &report["removed"]
            ),
            (&json!(1), &json!(1), &json!(1), &json!(1)),
            "{report}"
        );
        for field in ["added", "updated", "unchanged", "removed", "rejected"] {
            assert_eq!(dry[field], report[field], "the dry run predicted {field}");
        }
        let text = serde_json::to_string_pretty(&second).expect("json");
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.contains(needle))
                .map(|i| i + 1)
                .expect("in the feed")
        };
        let rejected = report["rejected"].as_array().expect("rejected");
        assert_eq!(rejected.len(), 2, "{rejected:?}");
        assert_eq!(rejected[0]["slug"], "no-time");
        assert_eq!(
            rejected[0]["line"],
            json!(line_of("\"day\": 2") - 1),
            "the line where the entry starts"
        );
        assert!(
            rejected[0]["message"]
                .as_str()
                .expect("message")
                .contains("time")
        );
        assert_eq!(rejected[1]["line"], json!(line_of("not a meeting")));
        assert_eq!(
            report["warnings"][0]["message"],
            "type code(s) NOPE are not codes of Alcoholics Anonymous; left out"
        );

        let now = meetings(&app, &key);
        let find = |name: &str| now.iter().find(|m| m["name"] == name).cloned();
        assert_eq!(
            find("Monday Night").expect("updated")["schedule"]["startTime"],
            "18:30"
        );
        assert_eq!(
            find("Saturday Noon").expect("kept")["status"],
            "INACTIVE",
            "gone from the feed: inactive, with its history"
        );
        assert!(
            find("No Time").is_none(),
            "a rejected entry imports nothing"
        );
        let online = find("Sunday Online").expect("added");
        assert_eq!(online["attendanceMode"], "ONLINE");
        assert_eq!(online["languages"], json!(["es"]));
        assert_eq!(online["types"], json!([{ "code": "O" }]));
        assert_eq!(online["group"], "Sunday Online", "no group: its own");
        assert_eq!(
            find("Friday Night").expect("kept")["group"],
            "Springfield Group"
        );

        let changes = &find("Monday Night").expect("updated")["changes"];
        assert_eq!(changes[1]["action"], "updated", "{changes}");
        assert!(
            changes[1]["actor"]
                .as_str()
                .expect("actor")
                .starts_with("key ")
        );

        let back = import(&first, false);
        assert_eq!(
            (&back["updated"], &back["removed"]),
            (&json!(2), &json!(1)),
            "Saturday comes back, Monday moves back, Sunday leaves: {back}"
        );
    }
);

spec!(importing_needs_a_write_key_and_a_feed, |app| {
    let key = app.admin_key("area");
    let feed = json!({ "input": { "feed": "[]" } });
    let anonymous = app.query_error(None, IMPORT, feed.clone());
    assert_eq!(code(&anonymous), "UNAUTHENTICATED");
    let read_only = app
        .cli(&[
            "--json", "key", "create", "--org", "area", "--scopes", "read",
        ])
        .expect("key");
    let read_only: Value = serde_json::from_str(&read_only).expect("json");
    let forbidden = app.query_error(read_only["apiKey"].as_str(), IMPORT, feed);
    assert_eq!(code(&forbidden), "FORBIDDEN");

    let not_a_feed = app.query_error(
        Some(&key),
        IMPORT,
        json!({ "input": { "feed": "{\"name\": \"x\"}" } }),
    );
    assert_eq!(code(&not_a_feed), "BAD_USER_INPUT");
    assert_eq!(not_a_feed["extensions"]["field"], "input.feed");
    let bad_zone = app.query_error(
        Some(&key),
        IMPORT,
        json!({ "input": { "feed": "[]", "timezone": "Mars/Base" } }),
    );
    assert_eq!(bad_zone["extensions"]["field"], "input.timezone");
});

spec!(an_import_touches_only_its_own_organization, |app| {
    let demo_key = app.load_demo();
    let demo_feed = serde_json::to_string(&feed_of(&app, "demo")).expect("json");
    let other = app.admin_key("other");
    let variables = json!({ "input": { "feed": demo_feed } });
    app.query(Some(&other), IMPORT, variables.clone());
    let emptied = app.query(
        Some(&other),
        IMPORT,
        json!({ "input": { "feed": "[]" } }),
    )["importMeetingGuideFeed"]
        .clone();
    assert_eq!(emptied["removed"], 3);
    assert!(
        meetings(&app, &demo_key)
            .iter()
            .all(|m| m["status"] == "ACTIVE"),
        "the demo organization's meetings are untouched"
    );
    let other_source = app.query(
        Some(&other),
        IMPORT,
        json!({ "input": { "feed": "[]", "source": "na-area" } }),
    )["importMeetingGuideFeed"]
        .clone();
    assert_eq!(
        other_source["removed"], 0,
        "a source only removes its own meetings"
    );
});

spec!(the_example_feed_imports_with_the_readme_command, |app| {
    let key = app.load_demo();
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/feeds/springfield-area.json");
    let file = file.to_str().expect("a path");
    let text = app
        .cli(&[
            "import",
            "meeting-guide",
            "--org",
            "demo",
            "--program",
            "aa",
            "--source",
            "springfield-area",
            file,
        ])
        .expect("import");
    assert!(
        text.contains("Imported 3 entries (3 meetings)")
            && text.contains("added 3, updated 0, unchanged 0, removed 0"),
        "{text}"
    );
    let imported = meetings(&app, &key);
    let rule = |name: &str| {
        imported
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| m["schedule"]["rrule"].clone())
    };
    assert_eq!(
        rule("Early Risers"),
        Some(json!("FREQ=WEEKLY;BYDAY=MO,WE,FR"))
    );
    assert_eq!(
        rule("Speaker Night"),
        Some(json!("FREQ=MONTHLY;BYDAY=-1FR"))
    );
    let spanish = imported
        .iter()
        .find(|m| m["name"] == "Reunión en Español")
        .expect("imported");
    assert_eq!(spanish["languages"], json!(["es"]));
    assert_eq!(
        spanish["schedule"]["durationMinutes"], 60,
        "no end time: an hour"
    );
    let near = app.query(
        None,
        "{ meetings(filter: { near: { latitude: 39.78, longitude: -89.65, radiusKm: 5 } }) { totalCount } }",
        json!({}),
    );
    assert_eq!(
        near["meetings"]["totalCount"], 2,
        "imported meetings are found near their place"
    );
});

spec!(
    concurrent_imports_of_one_feed_add_each_meeting_once,
    |app| {
        let key = app.admin_key("area");
        let feed: Vec<Value> = (0..20)
            .map(|i| {
                json!({
                    "slug": format!("m{i}"), "name": format!("Meeting {i}"), "day": i % 7,
                    "time": "19:00", "timezone": "America/Denver", "location": "Hall"
                })
            })
            .collect();
        let variables = json!({ "input": { "feed": serde_json::to_string(&feed).expect("json") } });
        let reports: Vec<Value> = std::thread::scope(|scope| {
            let runs: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| app.post(Some(&key), IMPORT, variables.clone()).1))
                .collect();
            runs.into_iter()
                .map(|run| run.join().expect("a thread"))
                .collect()
        });
        let added: i64 = reports
            .iter()
            .map(|r| {
                r["data"]["importMeetingGuideFeed"]["added"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("an import failed: {r}"))
            })
            .sum();
        assert_eq!(added, 20, "every meeting added once: {reports:?}");
        assert_eq!(meetings(&app, &key).len(), 20);
    }
);

spec!(a_split_meeting_with_a_rejected_weekday_waits_whole, |app| {
    let key = app.admin_key("area");
    let day = |slug: &str, day: i64, time: Value| {
        json!({ "slug": slug, "name": "Split", "day": day, "time": time,
                "timezone": "UTC", "location": "Hall" })
    };
    let feed = json!([
        day("split-1", 1, json!("19:00")),
        day("split-3", 3, json!("7pm"))
    ]);
    let report = app.query(
        Some(&key),
        IMPORT,
        json!({ "input": { "feed": serde_json::to_string_pretty(&feed).expect("json") } }),
    )["importMeetingGuideFeed"]
        .clone();
    assert_eq!(report["added"], 0, "no half meeting: {report}");
    let rejected = report["rejected"].as_array().expect("rejected");
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert!(
        rejected.iter().any(|p| p["slug"] == "split-1"
            && p["message"].as_str().is_some_and(|m| m.contains("split-3")))
    );
});
