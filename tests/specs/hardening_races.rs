//! Edits that race, roads between objects, consent that leaves a trace, and storage that fails
//! (issue 10). Every race runs 50 trials.

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use kinship_schema::db::DbConnection;
use kinship_tests::serde_json::{Value, json};
use kinship_tests::{Backend, TestApp, code, spec, weekly_meeting};
use std::sync::Barrier;
use std::time::{Duration, Instant};

const TRIALS: usize = 50;

/// Runs the requests at once (released together by a barrier); their answers, in order.
fn at_once(app: &TestApp, requests: &[(Option<&str>, &str, Value)]) -> Vec<(u16, Value)> {
    let barrier = Barrier::new(requests.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = requests
            .iter()
            .map(|(token, query, variables)| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    app.post(*token, query, variables.clone())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("request thread"))
            .collect()
    })
}

fn assert_all_succeeded(answers: &[(u16, Value)]) {
    for (status, body) in answers {
        assert_eq!(*status, 200, "{body}");
        assert!(
            body.get("errors").is_none(),
            "no INTERNAL, no lock errors: {body}"
        );
    }
}

fn id_of(data: &Value, field: &str) -> String {
    data[field]["id"].as_str().expect("id").to_owned()
}

spec!(
    a_group_made_private_stays_private_whatever_else_changes_at_once,
    |app| {
        let key = app.admin_key("clinic");
        for trial in 0..TRIALS {
            let group = id_of(
            &app.query(Some(&key), "mutation($n: String!) { createGroup(input: { name: $n, visibility: PUBLIC }) { id } }", json!({ "n": format!("Circle {trial}") })),
            "createGroup",
        );
            let description = format!("Trial {trial}");
            let answers = at_once(
                &app,
                &[
                    (
                        Some(&key),
                        "mutation($id: ID!) { updateGroup(input: { id: $id, visibility: PRIVATE }) { visibility } }",
                        json!({ "id": group }),
                    ),
                    (
                        Some(&key),
                        "mutation($id: ID!, $d: String) { updateGroup(input: { id: $id, description: $d }) { description } }",
                        json!({ "id": group, "d": description }),
                    ),
                ],
            );
            assert_all_succeeded(&answers);
            let now = app.query(
                Some(&key),
                "query($id: ID!) { group(id: $id) { visibility description } }",
                json!({ "id": group }),
            );
            assert_eq!(
                now["group"],
                json!({ "visibility": "PRIVATE", "description": description }),
                "trial {trial}: both edits landed"
            );
            let anonymous = app.query(
                None,
                "query($id: ID!) { group(id: $id) { name } }",
                json!({ "id": group }),
            );
            assert_eq!(
                anonymous["group"],
                Value::Null,
                "trial {trial}: private means private"
            );
        }
    }
);

spec!(
    concurrent_meeting_edits_of_different_fields_all_land_and_are_logged,
    |app| {
        let key = app.admin_key("clinic");
        let group = id_of(
            &app.query(
                Some(&key),
                "mutation { createGroup(input: { name: \"Circle\" }) { id } }",
                json!({}),
            ),
            "createGroup",
        );
        for trial in 0..TRIALS {
            let meeting = app
                .create_meeting(&key, weekly_meeting(&group, json!({ "name": "Tuesday" })))
                .expect("a meeting");
            let name = format!("Tuesday {trial}");
            let description = format!("Trial {trial}");
            let capacity = 10 + trial as i64;
            let answers = at_once(
                &app,
                &[
                    (
                        Some(&key),
                        "mutation($id: ID!, $v: String) { updateMeeting(input: { id: $id, name: $v }) { id } }",
                        json!({ "id": meeting, "v": name }),
                    ),
                    (
                        Some(&key),
                        "mutation($id: ID!, $v: String) { updateMeeting(input: { id: $id, description: $v }) { id } }",
                        json!({ "id": meeting, "v": description }),
                    ),
                    (
                        Some(&key),
                        "mutation($id: ID!, $v: Int) { updateMeeting(input: { id: $id, capacity: $v }) { id } }",
                        json!({ "id": meeting, "v": capacity }),
                    ),
                ],
            );
            assert_all_succeeded(&answers);
            let now = app.query(Some(&key), "query($id: ID!) { meeting(id: $id) { name description capacity changes(first: 10) { nodes { action changedFields } } } }", json!({ "id": meeting }));
            let meeting_now = &now["meeting"];
            assert_eq!(
                (
                    &meeting_now["name"],
                    &meeting_now["description"],
                    &meeting_now["capacity"]
                ),
                (&json!(name), &json!(description), &json!(capacity)),
                "trial {trial}: no edit lost"
            );
            let mut logged: Vec<String> = meeting_now["changes"]["nodes"]
                .as_array()
                .expect("changes")
                .iter()
                .filter(|c| c["action"] == "updated")
                .map(|c| c["changedFields"].to_string())
                .collect();
            logged.sort();
            let mut expected = vec![
                json!({ "name": name }).to_string(),
                json!({ "description": description }).to_string(),
                json!({ "capacity": capacity }).to_string(),
            ];
            expected.sort();
            assert_eq!(
                logged, expected,
                "trial {trial}: the log holds what was written, once each"
            );
        }
    }
);

spec!(
    a_member_and_the_clinic_editing_one_profile_at_once_both_land,
    |app| {
        let key = app.admin_key("clinic");
        for trial in 0..TRIALS {
            let external_ref = format!("user-{trial}");
            let (_, token) =
                app.member_with_token(&key, &external_ref, "Sam", "PERSON_IN_RECOVERY");
            let name = format!("Sam {}", (b'A' + (trial % 26) as u8) as char);
            let answers = at_once(
                &app,
                &[
                    (
                        Some(&token),
                        "mutation($n: String) { updateMember(input: { profile: { displayName: $n } }) { id } }",
                        json!({ "n": name }),
                    ),
                    (
                        Some(&key),
                        "mutation($r: String!) { upsertMember(input: { externalRef: $r, timezone: \"Europe/Paris\" }) { id } }",
                        json!({ "r": external_ref }),
                    ),
                ],
            );
            assert_all_succeeded(&answers);
            let now = app.query(
                Some(&token),
                "{ viewer { member { displayName timezone } } }",
                json!({}),
            );
            assert_eq!(
                now["viewer"]["member"],
                json!({ "displayName": name, "timezone": "Europe/Paris" }),
                "trial {trial}"
            );
        }
    }
);

spec!(
    an_edit_made_on_a_stale_read_is_refused_when_the_client_asks,
    |app| {
        let key = app.admin_key("clinic");
        let created = app.query(
            Some(&key),
            "mutation { createGroup(input: { name: \"Circle\" }) { id updatedAt } }",
            json!({}),
        );
        let (group, read_at) = (
            id_of(&created, "createGroup"),
            created["createGroup"]["updatedAt"].clone(),
        );
        let update = "mutation($id: ID!, $d: String, $at: DateTime) { updateGroup(input: { id: $id, description: $d, expectedUpdatedAt: $at }) { updatedAt } }";
        let first = app.query(
            Some(&key),
            update,
            json!({ "id": group, "d": "first", "at": read_at }),
        );
        assert_ne!(
            first["updateGroup"]["updatedAt"], read_at,
            "updatedAt moves on every change"
        );
        let error = app.query_error(
            Some(&key),
            update,
            json!({ "id": group, "d": "second", "at": read_at }),
        );
        assert_eq!(code(&error), "CONFLICT");
        let kept = app.query(
            Some(&key),
            "query($id: ID!) { group(id: $id) { description } }",
            json!({ "id": group }),
        );
        assert_eq!(
            kept["group"]["description"], "first",
            "the stale edit wrote nothing"
        );
        app.query(
            Some(&key),
            update,
            json!({ "id": group, "d": "second", "at": first["updateGroup"]["updatedAt"] }),
        );

        let id = app
            .create_meeting(&key, weekly_meeting(&group, json!({ "name": "Tuesday" })))
            .expect("a meeting");
        let meeting = app.query(
            Some(&key),
            "query($id: ID!) { createMeeting: meeting(id: $id) { id updatedAt } }",
            json!({ "id": id }),
        );
        let update_meeting = "mutation($id: ID!, $n: String, $at: DateTime) { updateMeeting(input: { id: $id, name: $n, expectedUpdatedAt: $at }) { name } }";
        let read_at = meeting["createMeeting"]["updatedAt"].clone();
        let id = id_of(&meeting, "createMeeting");
        app.query(
            Some(&key),
            update_meeting,
            json!({ "id": id, "n": "Tuesday night", "at": read_at }),
        );
        let error = app.query_error(
            Some(&key),
            update_meeting,
            json!({ "id": id, "n": "Stale", "at": read_at }),
        );
        assert_eq!(code(&error), "CONFLICT");

        let (_, token) = app.member_with_token(&key, "u1", "Sam", "PERSON_IN_RECOVERY");
        let read_at = app.query(
            Some(&token),
            "{ viewer { member { updatedAt } } }",
            json!({}),
        )["viewer"]["member"]["updatedAt"]
            .clone();
        let update_member = "mutation($n: String, $at: DateTime) { updateMember(input: { profile: { displayName: $n }, expectedUpdatedAt: $at }) { displayName } }";
        app.query(
            Some(&token),
            update_member,
            json!({ "n": "Sam R", "at": read_at }),
        );
        let error = app.query_error(
            Some(&token),
            update_member,
            json!({ "n": "Stale", "at": read_at }),
        );
        assert_eq!(code(&error), "CONFLICT");
        let error = app.query_error(Some(&key), "mutation($at: DateTime) { upsertMember(input: { externalRef: \"u1\", displayName: \"Stale\", expectedUpdatedAt: $at }) { id } }", json!({ "at": read_at }));
        assert_eq!(code(&error), "CONFLICT");
    }
);

spec!(
    a_removed_member_reaches_nothing_through_old_memberships,
    |app| {
        let key = app.admin_key("clinic");
        let group = id_of(
        &app.query(Some(&key), "mutation { createGroup(input: { name: \"Aftercare\", description: \"Private\", visibility: PRIVATE, joinPolicy: INVITATION }) { id } }", json!({})),
        "createGroup",
    );
        let add_meeting = |name: &str| {
            app.create_meeting(
            &key,
            weekly_meeting(
                &group,
                json!({ "name": name, "online": { "url": "https://meet.example.org/secret", "notes": "passcode 4417" } }),
            ),
        )
        .expect("a meeting");
        };
        add_meeting("Before");
        let through = "query($id: ID!) { node(id: $id) { ... on Membership { state group { description meetings { nodes { name online { url notes } } } } } } }";
        for (who, leaves) in [("removed", false), ("left", true)] {
            let (member, token) = app.member_with_token(&key, who, "Sam", "PERSON_IN_RECOVERY");
            app.query(Some(&key), "mutation($g: ID!, $m: ID!) { inviteToGroup(input: { groupId: $g, memberId: $m }) { id } }", json!({ "g": group, "m": member }));
            let membership = id_of(
                &app.query(
                    Some(&token),
                    "mutation($g: ID!) { joinGroup(input: { groupId: $g }) { id } }",
                    json!({ "g": group }),
                ),
                "joinGroup",
            );
            let inside = app.query(Some(&token), through, json!({ "id": membership }));
            assert_eq!(
                inside["node"]["group"]["meetings"]["nodes"][0]["online"]["url"],
                "https://meet.example.org/secret"
            );
            if leaves {
                app.query(
                    Some(&token),
                    "mutation($g: ID!) { leaveGroup(input: { groupId: $g }) { state } }",
                    json!({ "g": group }),
                );
            } else {
                app.query(
                    Some(&key),
                    "mutation($id: ID!) { removeMembership(input: { id: $id }) { state } }",
                    json!({ "id": membership }),
                );
            }
            add_meeting(&format!("After {who}"));
            let outside = app.query(Some(&token), through, json!({ "id": membership }));
            assert_eq!(
                outside["node"]["group"],
                Value::Null,
                "{who}: the old membership is no road into the group: {outside}"
            );
            let direct = app.query(
                Some(&token),
                "query($id: ID!) { group(id: $id) { name } }",
                json!({ "id": group }),
            );
            assert_eq!(
                direct["group"],
                Value::Null,
                "{who}: as a direct lookup says"
            );
        }
    }
);

spec!(
    a_withdrawn_support_request_stays_in_the_persons_list,
    |app| {
        let key = app.admin_key("clinic");
        let (alex, alex_token) = app.member_with_token(&key, "u1", "Alex", "PERSON_IN_RECOVERY");
        let (_, pat_token) = app.member_with_token(&key, "u2", "Pat", "FAMILY_OR_FRIEND");
        let asked = app.query(
            Some(&pat_token),
            "mutation($p: ID!) { requestSupportLink(input: { personId: $p }) { id state } }",
            json!({ "p": alex }),
        );
        let link = id_of(&asked, "requestSupportLink");
        let ended = app.query(
            Some(&pat_token),
            "mutation($id: ID!) { endSupportLink(input: { id: $id }) { state } }",
            json!({ "id": link }),
        );
        assert_eq!(ended["endSupportLink"]["state"], "ENDED");
        let list = app.query(Some(&alex_token), "{ viewer { member { supportLinks { totalCount nodes { state supporter { displayName } } } } } }", json!({}));
        assert_eq!(
            list["viewer"]["member"]["supportLinks"],
            json!({ "totalCount": 1, "nodes": [{ "state": "ENDED", "supporter": { "displayName": "Pat" } }] }),
            "the person sees who asked, even after the request is withdrawn"
        );
        let pending = app.query(
            Some(&alex_token),
            "{ viewer { member { supportLinks(states: [PENDING]) { totalCount } } } }",
            json!({}),
        );
        assert_eq!(pending["viewer"]["member"]["supportLinks"]["totalCount"], 0);
    }
);

/// The answer to a write, and `/readyz`.
fn write_and_ready(app: &TestApp, key: &str) -> ((u16, Option<String>, Value), u16) {
    let (status, retry, body) = app.post_body(
        Some(key),
        &json!({ "query": "mutation { createGroup(input: { name: \"During the fault\" }) { id } }" }),
    );
    let ready = app
        .client
        .get(app.url("/readyz"))
        .send()
        .expect("readyz")
        .status()
        .as_u16();
    ((status, retry, body), ready)
}

/// Retries `check` for up to ten seconds (pools reconnect, probes settle).
fn eventually(mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

#[test]
fn a_full_disk_answers_unavailable_and_readyz_tells_the_truth_sqlite() {
    let dir = std::env::temp_dir().join(format!("kinship-full-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    }
    let url = dir.join("kinship.db").to_string_lossy().into_owned();
    let result = std::panic::catch_unwind(|| {
        let app = TestApp::start(Backend::Sqlite, |c| c.database_url = url.clone()).expect("app");
        let key = app.admin_key("clinic");
        let ((status, _, _), ready) = write_and_ready(&app, &key);
        assert_eq!((status, ready), (200, 200));
        // Fill the disk.
        let filler = dir.join("filler");
        let _ = std::process::Command::new("dd")
            .args(["if=/dev/zero", "bs=64k"])
            .arg(format!("of={}", filler.display()))
            .stderr(std::process::Stdio::null())
            .status();
        let mut fault = None;
        for _ in 0..200 {
            let ((status, retry, body), ready) = write_and_ready(&app, &key);
            if status != 200 || body.get("errors").is_some() {
                fault = Some((status, retry, body, ready));
                break;
            }
        }
        let (status, retry, body, ready) = fault.expect("writes fail once the disk is full");
        assert_eq!(status, 503, "{body}");
        assert_eq!(code(&body["errors"][0]), "UNAVAILABLE", "{body}");
        assert!(retry.is_some(), "Retry-After");
        let _ = ready;
        assert!(
            eventually(|| write_and_ready(&app, &key).1 == 503),
            "/readyz says the database takes no writes (its answer is reused for 2 s)"
        );
        let read = app.query(None, "{ viewer { kind } }", json!({}));
        assert_eq!(read["viewer"]["kind"], "ANONYMOUS", "reads still answer");
        std::fs::remove_file(&filler).expect("free the disk");
        assert!(
            eventually(|| {
                let ((status, _, body), ready) = write_and_ready(&app, &key);
                status == 200 && body.get("errors").is_none() && ready == 200
            }),
            "writes and readiness come back once there is room"
        );
    });
    let _ = std::process::Command::new("umount").arg(&dir).status();
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn a_read_only_database_answers_unavailable_and_readyz_tells_the_truth_postgres() {
    let Some(app) = TestApp::start(Backend::Postgres, |_| {}) else {
        eprintln!("skipped: {} is not set", kinship_tests::POSTGRES_URL_VAR);
        return;
    };
    let key = app.admin_key("clinic");
    let mut conn = DbConnection::open(&app.database.url, Duration::from_secs(5)).expect("connect");
    let name: String = {
        #[derive(diesel::QueryableByName)]
        struct Name {
            #[diesel(sql_type = diesel::sql_types::Text)]
            name: String,
        }
        let DbConnection::Pg(pg) = &mut conn else {
            unreachable!("a PostgreSQL test database")
        };
        diesel::sql_query("SELECT current_database()::text AS name")
            .get_result::<Name>(pg)
            .expect("name")
            .name
    };
    let set = |on: bool| {
        let DbConnection::Pg(pg) =
            &mut DbConnection::open(&app.database.url, Duration::from_secs(5)).expect("connect")
        else {
            unreachable!("PostgreSQL")
        };
        pg.batch_execute("SET default_transaction_read_only = off")
            .expect("a writable session");
        pg.batch_execute(&format!(
            "ALTER DATABASE {name} SET default_transaction_read_only = {}",
            if on { "on" } else { "off" }
        ))
        .expect("alter");
        app.database.terminate_connections();
    };
    // As after a failover to a standby: connections come back, read-only.
    set(true);
    let mut seen = None;
    assert!(
        eventually(|| {
            let ((status, retry, body), ready) = write_and_ready(&app, &key);
            let read_only =
                body["errors"][0]["message"].as_str().is_some() && status == 503 && ready == 503;
            if read_only {
                seen = Some((retry, body));
            }
            read_only
        }),
        "writes answer 503 and /readyz says not ready"
    );
    let (retry, body) = seen.expect("seen");
    assert_eq!(code(&body["errors"][0]), "UNAVAILABLE");
    assert!(retry.is_some(), "Retry-After");
    let read = app.query(Some(&key), "{ viewer { kind } }", json!({}));
    assert_eq!(read["viewer"]["kind"], "API_KEY", "reads still answer");
    set(false);
    assert!(
        eventually(|| {
            let ((status, _, body), ready) = write_and_ready(&app, &key);
            status == 200 && body.get("errors").is_none() && ready == 200
        }),
        "writes and readiness come back"
    );
}

spec!(a_role_given_while_the_member_leaves_is_not_lost, |app| {
    let key = app.admin_key("clinic");
    let group = id_of(
        &app.query(
            Some(&key),
            "mutation { createGroup(input: { name: \"Circle\" }) { id } }",
            json!({}),
        ),
        "createGroup",
    );
    for trial in 0..TRIALS {
        let (_, token) = app.member_with_token(&key, &format!("m{trial}"), "Sam", "PROFESSIONAL");
        let membership = id_of(
            &app.query(
                Some(&token),
                "mutation($g: ID!) { joinGroup(input: { groupId: $g }) { id } }",
                json!({ "g": group }),
            ),
            "joinGroup",
        );
        let answers = at_once(
            &app,
            &[
                (
                    Some(&key),
                    "mutation($id: ID!) { setMembershipRole(input: { id: $id, role: ORGANIZER }) { role } }",
                    json!({ "id": membership }),
                ),
                (
                    Some(&token),
                    "mutation($g: ID!) { leaveGroup(input: { groupId: $g }) { state } }",
                    json!({ "g": group }),
                ),
            ],
        );
        let role_given = answers[0].1.get("errors").is_none();
        let now = app.query(
            Some(&key),
            "query($id: ID!) { node(id: $id) { ... on Membership { state role } } }",
            json!({ "id": membership }),
        );
        assert_eq!(now["node"]["state"], "LEFT", "trial {trial}");
        if role_given {
            assert_eq!(
                now["node"]["role"], "ORGANIZER",
                "trial {trial}: the role answered is the role kept"
            );
        } else {
            assert_eq!(
                code(&answers[0].1["errors"][0]),
                "CONFLICT",
                "trial {trial}: {}",
                answers[0].1
            );
        }
    }
});
