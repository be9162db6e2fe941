//! Meetings (in progress): the meeting type catalog, keyed by program and translated.

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{code, spec};

spec!(meeting_types_are_keyed_by_program_and_translated, |app| {
    let programs = app.query(None, "{ meetingPrograms { key name } }", json!({}));
    let programs = programs["meetingPrograms"].as_array().expect("programs");
    assert_eq!(programs.len(), 27);
    assert!(programs.contains(&json!({ "key": "aa", "name": "Alcoholics Anonymous" })));

    let types = "query($p: String!, $l: String) { meetingTypes(program: $p, language: $l) { program code name official } }";
    let aa = app.query(None, types, json!({ "p": "aa", "l": "es-MX" }));
    let open = aa["meetingTypes"]
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["code"] == "O")
        .cloned();
    assert_eq!(
        open,
        Some(json!({ "program": "aa", "code": "O", "name": "Abierta", "official": true }))
    );
    let codes = |data: &Value| -> Vec<String> {
        data["meetingTypes"]
            .as_array()
            .expect("types")
            .iter()
            .map(|t| t["code"].as_str().expect("code").to_owned())
            .collect()
    };
    assert!(
        !codes(&aa).contains(&"ES".to_owned()),
        "languages are not meeting types"
    );

    let aca = app.query(None, types, json!({ "p": "aca", "l": null }));
    let age = aca["meetingTypes"]
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["code"] == "A")
        .cloned();
    assert_eq!(
        age,
        Some(
            json!({ "program": "aca", "code": "A", "name": "Age Restricted 18+", "official": false })
        )
    );

    let error = app.query_error(None, types, json!({ "p": "nope", "l": null }));
    assert_eq!(code(&error), "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], "program");
});

const CREATE_MEETING: &str = "mutation($input: CreateMeetingInput!) { createMeeting(input: $input) { id name timezone schedule { rrule startTime durationMinutes startsOn } types { code name } } }";

fn clinic_with_group(app: &kinship_tests::TestApp, visibility: &str) -> (String, String) {
    let key = app.admin_key("clinic");
    let group = app.query(
        Some(&key),
        "mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }",
        json!({ "input": { "name": "Evening circle", "visibility": visibility } }),
    )["createGroup"]["id"]
        .as_str()
        .expect("group")
        .to_owned();
    (key, group)
}

fn meeting(app: &kinship_tests::TestApp, key: &str, input: Value) -> String {
    app.create_meeting(key, input).expect("meeting id")
}

fn local_starts(data: &Value) -> Vec<String> {
    data["meeting"]["occurrences"]
        .as_array()
        .expect("occurrences")
        .iter()
        .map(|o| o["localStart"].as_str().expect("localStart").to_owned())
        .collect()
}

spec!(
    recurring_meetings_keep_local_time_across_daylight_saving,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let weekly = meeting(
            &app,
            &key,
            json!({
                "groupId": group, "name": "Tuesday & Thursday", "timezone": "America/New_York", "attendanceMode": "IN_PERSON",
                "schedule": { "rrule": "FREQ=WEEKLY;BYDAY=TU,TH", "startTime": "19:00", "durationMinutes": 90, "startsOn": "2026-01-01" },
                "location": { "venue": "St. Mark's hall", "city": "New York", "countryCode": "us", "latitude": 40.73, "longitude": -73.99 },
                "program": "aa", "types": ["O", "D"], "languages": ["en"]
            }),
        );
        let occurrences = "query($id: ID!, $from: DateTime!, $to: DateTime!) { meeting(id: $id) { occurrences(from: $from, to: $to) { start localStart status } } }";
        let march = app.query(
            None,
            occurrences,
            json!({ "id": weekly, "from": "2026-03-03T00:00:00Z", "to": "2026-03-13T00:00:00Z" }),
        );
        assert_eq!(
            local_starts(&march),
            vec![
                "2026-03-03T19:00:00-05:00",
                "2026-03-05T19:00:00-05:00",
                "2026-03-10T19:00:00-04:00",
                "2026-03-12T19:00:00-04:00",
            ]
        );
        let november = app.query(
            None,
            occurrences,
            json!({ "id": weekly, "from": "2026-10-27T00:00:00Z", "to": "2026-11-07T00:00:00Z" }),
        );
        assert_eq!(
            local_starts(&november),
            vec![
                "2026-10-27T19:00:00-04:00",
                "2026-10-29T19:00:00-04:00",
                "2026-11-03T19:00:00-05:00",
                "2026-11-05T19:00:00-05:00",
            ]
        );

        let last_friday = meeting(
            &app,
            &key,
            json!({
                "groupId": group, "name": "Last Friday speaker", "timezone": "America/New_York", "attendanceMode": "ONLINE",
                "schedule": { "rrule": "FREQ=MONTHLY;BYDAY=-1FR", "startTime": "20:00", "durationMinutes": 60, "startsOn": "2026-01-01" },
                "online": { "url": "https://meet.example.org/last-friday" }
            }),
        );
        let months = app.query(None, occurrences, json!({ "id": last_friday, "from": "2026-02-01T00:00:00Z", "to": "2026-05-01T00:00:00Z" }));
        assert_eq!(
            local_starts(&months),
            vec![
                "2026-02-27T20:00:00-05:00",
                "2026-03-27T20:00:00-04:00",
                "2026-04-24T20:00:00-04:00"
            ]
        );
    }
);

spec!(
    occurrences_can_be_cancelled_and_moved_and_every_change_is_logged,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let id = meeting(
            &app,
            &key,
            json!({
                "groupId": group, "name": "Weekly", "timezone": "America/New_York", "attendanceMode": "HYBRID",
                "schedule": { "rrule": "FREQ=WEEKLY;BYDAY=TU", "startTime": "19:00", "durationMinutes": 60, "startsOn": "2026-03-01" },
                "location": { "address": "12 Main St", "city": "Albany", "countryCode": "US" },
                "online": { "url": "https://meet.example.org/weekly" }
            }),
        );
        let cancel = "mutation($m: ID!, $s: DateTime!) { cancelOccurrence(input: { meetingId: $m, occurrenceStart: $s, note: \"Snow day\" }) { status note start } }";
        let cancelled = app.query(
            Some(&key),
            cancel,
            json!({ "m": id, "s": "2026-03-04T00:00:00Z" }),
        );
        assert_eq!(
            cancelled["cancelOccurrence"],
            json!({ "status": "CANCELLED", "note": "Snow day", "start": "2026-03-04T00:00:00+00:00" })
        );
        let move_it = "mutation($m: ID!, $s: DateTime!, $n: DateTime!) { rescheduleOccurrence(input: { meetingId: $m, occurrenceStart: $s, newStart: $n, note: \"Hall booked\" }) { status start end originalStart localStart } }";
        let moved = app.query(
            Some(&key),
            move_it,
            json!({ "m": id, "s": "2026-03-10T23:00:00Z", "n": "2026-03-11T23:00:00Z" }),
        );
        assert_eq!(moved["rescheduleOccurrence"]["status"], "RESCHEDULED");
        assert_eq!(
            moved["rescheduleOccurrence"]["localStart"],
            "2026-03-11T19:00:00-04:00"
        );
        assert_eq!(
            moved["rescheduleOccurrence"]["originalStart"],
            "2026-03-10T23:00:00+00:00"
        );
        let error = app.query_error(
            Some(&key),
            cancel,
            json!({ "m": id, "s": "2026-03-04T01:00:00Z" }),
        );
        assert_eq!(
            error["extensions"]["field"], "input.occurrenceStart",
            "only real occurrences can be cancelled"
        );

        let list = app.query(None, "query($id: ID!) { meeting(id: $id) { occurrences(from: \"2026-03-01T00:00:00Z\", to: \"2026-03-20T00:00:00Z\") { status localStart note } } }", json!({ "id": id }));
        assert_eq!(
            list["meeting"]["occurrences"],
            json!([
                { "status": "CANCELLED", "localStart": "2026-03-03T19:00:00-05:00", "note": "Snow day" },
                { "status": "RESCHEDULED", "localStart": "2026-03-11T19:00:00-04:00", "note": "Hall booked" },
                { "status": "SCHEDULED", "localStart": "2026-03-17T19:00:00-04:00", "note": null },
            ])
        );

        app.query(Some(&key), "mutation($id: ID!) { updateMeeting(input: { id: $id, name: \"Tuesday night\", capacity: 20 }) { name capacity } }", json!({ "id": id }));
        let log = app.query(
            Some(&key),
            "query($id: ID!) { meeting(id: $id) { changes { nodes { actor action changedFields } } } }",
            json!({ "id": id }),
        );
        let actions: Vec<&str> = log["meeting"]["changes"]["nodes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| c["action"].as_str().expect("action"))
            .collect();
        assert_eq!(
            actions,
            vec![
                "created",
                "cancelled occurrence",
                "rescheduled occurrence",
                "updated"
            ]
        );
        assert_eq!(
            log["meeting"]["changes"]["nodes"][3]["changedFields"],
            json!({ "name": "Tuesday night", "capacity": 20 })
        );
        assert!(
            log["meeting"]["changes"]["nodes"][0]["actor"]
                .as_str()
                .expect("actor")
                .starts_with("key ")
        );
        let public = app.query(
            None,
            "query($id: ID!) { meeting(id: $id) { changes { nodes { action } } } }",
            json!({ "id": id }),
        );
        assert_eq!(
            public["meeting"]["changes"],
            Value::Null,
            "the change log is the organization's"
        );
    }
);

spec!(
    meetings_are_validated_by_attendance_mode_and_program,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let base = json!({
            "groupId": group, "name": "M", "timezone": "America/New_York", "attendanceMode": "IN_PERSON",
            "schedule": { "rrule": "FREQ=WEEKLY;BYDAY=MO", "startTime": "19:00", "durationMinutes": 60, "startsOn": "2026-01-01" }
        });
        let with = |changes: Value| {
            let mut input = base.clone();
            for (k, v) in changes.as_object().expect("object") {
                input[k] = v.clone();
            }
            input
        };
        for (input, field) in [
            (with(json!({})), "input.location"),
            (with(json!({ "attendanceMode": "ONLINE" })), "input.online"),
            (
                with(
                    json!({ "attendanceMode": "HYBRID", "online": { "url": "https://x.example" } }),
                ),
                "input.location",
            ),
            (
                with(json!({ "location": { "venue": "Hall" }, "timezone": "Mars/Olympus" })),
                "input.timezone",
            ),
            (
                with(
                    json!({ "location": { "venue": "Hall" }, "schedule": { "rrule": "FREQ=HOURLY", "startTime": "19:00", "durationMinutes": 60, "startsOn": "2026-01-01" } }),
                ),
                "input.schedule.rrule",
            ),
            (
                with(
                    json!({ "location": { "venue": "Hall" }, "schedule": { "rrule": "FREQ=WEEKLY;BYDAY=MO", "startTime": "7pm", "durationMinutes": 60, "startsOn": "2026-01-01" } }),
                ),
                "input.schedule.startTime",
            ),
            (
                with(
                    json!({ "location": { "venue": "Hall" }, "program": "aa", "types": ["O", "NOPE"] }),
                ),
                "input.types",
            ),
            (
                with(json!({ "location": { "venue": "Hall" }, "types": ["O"] })),
                "input.types",
            ),
            (
                with(
                    json!({ "location": { "venue": "Hall", "latitude": 95.0, "longitude": 0.0 } }),
                ),
                "input.location.latitude",
            ),
        ] {
            let error = app.query_error(Some(&key), CREATE_MEETING, json!({ "input": input }));
            assert_eq!(code(&error), "BAD_USER_INPUT", "{input}");
            assert_eq!(error["extensions"]["field"], field, "{input}");
        }
        let created = app.query(Some(&key), CREATE_MEETING, json!({ "input": with(json!({ "location": { "venue": "Hall" }, "program": "aa", "types": ["O", "BE"] })) }));
        assert_eq!(
            created["createMeeting"]["types"],
            json!([{ "code": "O", "name": "Open" }, { "code": "BE", "name": "Newcomer" }])
        );
    }
);

spec!(meetings_follow_their_group_and_organization, |app| {
    let (key, private_group) = clinic_with_group(&app, "PRIVATE");
    let id = meeting(
        &app,
        &key,
        json!({
            "groupId": private_group, "name": "Aftercare", "timezone": "America/Chicago", "attendanceMode": "ONLINE",
            "schedule": { "startTime": "18:00", "durationMinutes": 60, "startsOn": "2026-06-01" },
            "online": { "url": "https://meet.example.org/private" }
        }),
    );
    let read = "query($id: ID!) { meeting(id: $id) { name online { url } } }";
    assert_eq!(
        app.query(None, read, json!({ "id": id }))["meeting"],
        Value::Null,
        "private groups' meetings are not public"
    );
    let staff = app.query(
        Some(&key),
        "query($id: ID!) { meeting(id: $id) { name online { url } group { meetings { nodes { name } } } } }",
        json!({ "id": id }),
    );
    assert_eq!(
        staff["meeting"]["online"]["url"],
        "https://meet.example.org/private"
    );
    assert_eq!(
        staff["meeting"]["group"]["meetings"]["nodes"],
        json!([{ "name": "Aftercare" }])
    );
    let once = app.query(Some(&key), "query($id: ID!) { meeting(id: $id) { occurrences(from: \"2026-01-01T00:00:00Z\", to: \"2026-12-31T00:00:00Z\") { localStart } } }", json!({ "id": id }));
    assert_eq!(
        once["meeting"]["occurrences"],
        json!([{ "localStart": "2026-06-01T18:00:00-05:00" }]),
        "a one-off meeting happens once"
    );

    let other = app.admin_key("elsewhere");
    for mutation in [
        "mutation($id: ID!) { updateMeeting(input: { id: $id, name: \"X\" }) { id } }",
        "mutation($id: ID!) { cancelOccurrence(input: { meetingId: $id, occurrenceStart: \"2026-06-01T23:00:00Z\" }) { status } }",
    ] {
        let error = app.query_error(Some(&other), mutation, json!({ "id": id }));
        assert!(
            ["NOT_FOUND", "FORBIDDEN"].contains(&code(&error)),
            "{mutation}: {error}"
        );
    }
    let error = app.query_error(Some(&other), CREATE_MEETING, json!({ "input": {
        "groupId": private_group, "name": "Intruder", "timezone": "UTC", "attendanceMode": "ONLINE",
        "schedule": { "startTime": "18:00", "durationMinutes": 60, "startsOn": "2026-06-01" }, "online": { "url": "https://x.example" }
    } }));
    assert_eq!(code(&error), "NOT_FOUND");
});

/// A member token for a new member of the clinic.
fn member_token(app: &kinship_tests::TestApp, key: &str, external_ref: &str) -> String {
    app.member_token(
        key,
        &app.member(key, external_ref, external_ref, "PERSON_IN_RECOVERY"),
    )
}

const RSVP: &str = "mutation($m: ID!, $s: DateTime!) { rsvp(input: { meetingId: $m, occurrenceStart: $s }) { state waitlistPosition } }";
const CANCEL_RSVP: &str = "mutation($m: ID!, $s: DateTime!) { cancelRsvp(input: { meetingId: $m, occurrenceStart: $s }) { state } }";

/// A weekly meeting with ten seats, and the original start of its next occurrence.
fn ten_seat_meeting(app: &kinship_tests::TestApp, key: &str, group: &str) -> (String, Value) {
    let id = meeting(
        app,
        key,
        json!({
            "groupId": group, "name": "Ten seats", "timezone": "Europe/London", "attendanceMode": "IN_PERSON",
            "schedule": { "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU", "startTime": "12:00", "durationMinutes": 60, "startsOn": "2026-01-01" },
            "location": { "venue": "Room 1" }, "capacity": 10
        }),
    );
    let next = app.query(
        None,
        "query($id: ID!) { meeting(id: $id) { nextOccurrence { originalStart } } }",
        json!({ "id": id }),
    );
    (
        id,
        next["meeting"]["nextOccurrence"]["originalStart"].clone(),
    )
}

spec!(
    fifty_concurrent_rsvps_for_ten_seats_confirm_exactly_ten,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let (id, start) = ten_seat_meeting(&app, &key, &group);
        let tokens: Vec<String> = (0..50)
            .map(|i| member_token(&app, &key, &format!("m{i}")))
            .collect();
        let answers: Vec<Value> = std::thread::scope(|scope| {
            let calls: Vec<_> = tokens
                .iter()
                .map(|t| scope.spawn(|| app.post(Some(t), RSVP, json!({ "m": id, "s": start })).1))
                .collect();
            calls
                .into_iter()
                .map(|c| c.join().expect("no panic"))
                .collect()
        });
        let state = |s: &str| {
            answers
                .iter()
                .filter(|a| a["data"]["rsvp"]["state"] == s)
                .count()
        };
        assert_eq!(
            (state("CONFIRMED"), state("WAITLISTED")),
            (10, 40),
            "{answers:?}"
        );
        let mut positions: Vec<i64> = answers
            .iter()
            .filter_map(|a| a["data"]["rsvp"]["waitlistPosition"].as_i64())
            .collect();
        positions.sort();
        assert_eq!(
            positions,
            (1..=40).collect::<Vec<_>>(),
            "waitlist positions are 1 to 40, each once"
        );

        let listed = app.query(Some(&key), "query($id: ID!, $s: DateTime!) { meeting(id: $id) { rsvps(occurrenceStart: $s, first: 100) { nodes { state waitlistPosition member { displayName } } } } }", json!({ "id": id, "s": start }));
        let rsvps = listed["meeting"]["rsvps"]["nodes"]
            .as_array()
            .expect("rsvps");
        assert_eq!(rsvps.len(), 50);
        let first_waiting = rsvps[10]["member"]["displayName"].clone();
        assert_eq!(rsvps[10]["waitlistPosition"], 1);

        // A confirmed member withdraws: the first on the waitlist gets the seat.
        let confirmed_token = tokens
            .iter()
            .zip(&answers)
            .find(|(_, a)| a["data"]["rsvp"]["state"] == "CONFIRMED")
            .map(|(t, _)| t.clone())
            .expect("someone confirmed");
        let withdrawn = app.query(
            Some(&confirmed_token),
            CANCEL_RSVP,
            json!({ "m": id, "s": start }),
        );
        assert_eq!(withdrawn["cancelRsvp"]["state"], "CANCELLED");
        let after = app.query(Some(&key), "query($id: ID!, $s: DateTime!) { meeting(id: $id) { rsvps(occurrenceStart: $s, first: 100) { nodes { state member { displayName } } } } }", json!({ "id": id, "s": start }));
        let after = after["meeting"]["rsvps"]["nodes"]
            .as_array()
            .expect("rsvps")
            .clone();
        assert_eq!(
            after.iter().filter(|r| r["state"] == "CONFIRMED").count(),
            10,
            "still ten seats taken"
        );
        assert!(
            after
                .iter()
                .any(|r| r["state"] == "CONFIRMED" && r["member"]["displayName"] == first_waiting),
            "the first waiting member was promoted"
        );
    }
);

spec!(
    rsvps_need_a_real_future_occurrence_and_stay_idempotent,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let (id, start) = ten_seat_meeting(&app, &key, &group);
        let token = member_token(&app, &key, "sam");
        let first = app.query(Some(&token), RSVP, json!({ "m": id, "s": start }));
        let again = app.query(Some(&token), RSVP, json!({ "m": id, "s": start }));
        assert_eq!(first, again, "asking twice changes nothing");
        let error = app.query_error(
            Some(&token),
            RSVP,
            json!({ "m": id, "s": "2026-01-05T12:30:00Z" }),
        );
        assert_eq!(error["extensions"]["field"], "input.occurrenceStart");
        let error = app.query_error(
            Some(&token),
            RSVP,
            json!({ "m": id, "s": "2026-01-05T12:00:00Z" }),
        );
        assert_eq!(code(&error), "CONFLICT", "past occurrences take no RSVPs");
        app.query(Some(&key), "mutation($m: ID!, $s: DateTime!) { cancelOccurrence(input: { meetingId: $m, occurrenceStart: $s }) { status } }", json!({ "m": id, "s": start }));
        let other = member_token(&app, &key, "alex");
        let error = app.query_error(Some(&other), RSVP, json!({ "m": id, "s": start }));
        assert_eq!(
            code(&error),
            "CONFLICT",
            "cancelled occurrences take no RSVPs"
        );
        let error = app.query_error(None, RSVP, json!({ "m": id, "s": start }));
        assert_eq!(code(&error), "UNAUTHENTICATED");
        let outsider = app.admin_key("elsewhere");
        let stranger = member_token(&app, &outsider, "bea");
        let error = app.query_error(Some(&stranger), RSVP, json!({ "m": id, "s": start }));
        assert_eq!(code(&error), "FORBIDDEN");
        let hidden = app.query(Some(&other), "query($id: ID!, $s: DateTime!) { meeting(id: $id) { rsvps(occurrenceStart: $s) { nodes { state } } } }", json!({ "id": id, "s": start }));
        assert_eq!(
            hidden["meeting"]["rsvps"],
            Value::Null,
            "members do not see who else RSVPed"
        );
    }
);

spec!(attendance_is_recorded_once_per_person, |app| {
    let (key, group) = clinic_with_group(&app, "PUBLIC");
    let soon = chrono::Utc::now() + chrono::Duration::minutes(10);
    let id = meeting(
        &app,
        &key,
        json!({
            "groupId": group, "name": "Now", "timezone": "UTC", "attendanceMode": "ONLINE",
            "schedule": { "startTime": soon.format("%H:%M").to_string(), "durationMinutes": 60, "startsOn": soon.format("%Y-%m-%d").to_string() },
            "online": { "url": "https://meet.example.org/now" }
        }),
    );
    let start = app.query(
        None,
        "query($id: ID!) { meeting(id: $id) { nextOccurrence { originalStart } } }",
        json!({ "id": id }),
    )["meeting"]["nextOccurrence"]["originalStart"]
        .clone();
    let upsert = "mutation($r: String!) { upsertMember(input: { externalRef: $r, displayName: $r, role: PERSON_IN_RECOVERY }) { id } }";
    let ids: Vec<Value> = ["a", "b"]
        .iter()
        .map(|r| app.query(Some(&key), upsert, json!({ "r": r }))["upsertMember"]["id"].clone())
        .collect();
    let record = "mutation($m: ID!, $s: DateTime!, $ids: [ID!]) { recordAttendance(input: { meetingId: $m, occurrenceStart: $s, memberIds: $ids }) { newlyRecorded attendeeCount } }";
    let first = app.query(
        Some(&key),
        record,
        json!({ "m": id, "s": start, "ids": ids }),
    );
    assert_eq!(
        first["recordAttendance"],
        json!({ "newlyRecorded": 2, "attendeeCount": 2 })
    );
    let again = app.query(
        Some(&key),
        record,
        json!({ "m": id, "s": start, "ids": ids }),
    );
    assert_eq!(
        again["recordAttendance"],
        json!({ "newlyRecorded": 0, "attendeeCount": 2 }),
        "recording twice counts once"
    );

    let sam = member_token(&app, &key, "sam");
    let check_ins: Vec<Value> = std::thread::scope(|scope| {
        let calls: Vec<_> = (0..10)
            .map(|_| {
                scope.spawn(|| {
                    app.post(
                        Some(&sam),
                        record,
                        json!({ "m": id, "s": start, "ids": null }),
                    )
                    .1
                })
            })
            .collect();
        calls
            .into_iter()
            .map(|c| c.join().expect("no panic"))
            .collect()
    });
    let new: i64 = check_ins
        .iter()
        .map(|c| {
            c["data"]["recordAttendance"]["newlyRecorded"]
                .as_i64()
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(new, 1, "ten concurrent check-ins count once: {check_ins:?}");
    let error = app.query_error(
        Some(&sam),
        record,
        json!({ "m": id, "s": start, "ids": ids }),
    );
    assert_eq!(
        code(&error),
        "FORBIDDEN",
        "members check themselves in only"
    );
    let outsider = app.admin_key("elsewhere");
    let error = app.query_error(
        Some(&outsider),
        record,
        json!({ "m": id, "s": start, "ids": ids }),
    );
    assert_eq!(code(&error), "NOT_FOUND");

    let later = meeting(
        &app,
        &key,
        json!({
            "groupId": group, "name": "Later", "timezone": "UTC", "attendanceMode": "ONLINE",
            "schedule": { "startTime": "12:00", "durationMinutes": 60, "startsOn": "2030-01-01" },
            "online": { "url": "https://meet.example.org/later" }
        }),
    );
    let error = app.query_error(
        Some(&key),
        record,
        json!({ "m": later, "s": "2030-01-01T12:00:00Z", "ids": ids }),
    );
    assert_eq!(
        code(&error),
        "CONFLICT",
        "attendance opens shortly before the start"
    );
});

spec!(the_meeting_guide_feed_publishes_public_meetings, |app| {
    app.load_demo();
    let response = app
        .client
        .get(app.url("/feeds/meeting-guide/demo.json"))
        .send()
        .expect("answer");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let feed: Vec<Value> = response.json().expect("a JSON array");
    let mut slugs: Vec<&str> = feed
        .iter()
        .map(|e| e["slug"].as_str().expect("slug"))
        .collect();
    slugs.sort_unstable();
    slugs.dedup();
    assert_eq!(slugs.len(), feed.len(), "slugs are unique");

    let tuesday: Vec<&Value> = feed
        .iter()
        .filter(|e| e["name"] == "Tuesday & Thursday Discussion")
        .collect();
    assert_eq!(
        tuesday
            .iter()
            .map(|e| e["day"].as_i64().expect("day"))
            .collect::<Vec<_>>(),
        vec![2, 4],
        "one entry per weekday"
    );
    let entry = tuesday[0];
    assert_eq!(
        (entry["time"].as_str(), entry["end_time"].as_str()),
        (Some("19:00"), Some("20:00"))
    );
    assert_eq!(entry["timezone"], "America/New_York");
    assert_eq!(
        entry["types"],
        json!(["O", "D", "BE", "X", "EN"]),
        "wheelchair access is X"
    );
    assert_eq!(
        entry["program"], "aa",
        "a Kinship extension naming the program"
    );
    assert_eq!(entry["location"], "St. Mark's Parish Hall");
    assert_eq!(
        entry["conference_url"], "https://meet.example.org/demo-evening",
        "hybrid: both"
    );
    assert_eq!(entry["approximate"], "no");
    assert_eq!(entry["group"], "Evening Recovery Circle");

    let speaker = feed
        .iter()
        .find(|e| e["name"] == "Last Friday Speaker Meeting")
        .expect("monthly meeting");
    assert_eq!(speaker["day"], 5);
    assert!(
        speaker["notes"]
            .as_str()
            .expect("notes")
            .starts_with("Last Friday of the month.")
    );
    assert!(speaker.get("address").is_none(), "online only: no location");
    let mat = feed
        .iter()
        .find(|e| e["name"] == "Wednesday MAT Support")
        .expect("mat meeting");
    assert_eq!(
        mat["types"],
        json!(["EN", "S"]),
        "languages become Meeting Guide language codes"
    );
    assert!(
        feed.iter()
            .all(|e| e["group"] != "Aftercare Cohort (private)"),
        "private groups' meetings stay out"
    );

    let missing = app
        .client
        .get(app.url("/feeds/meeting-guide/nobody.json"))
        .send()
        .expect("answer");
    assert_eq!(missing.status(), 404);
});

spec!(
    icalendar_feeds_carry_time_zones_exceptions_and_overrides,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let id = meeting(
            &app,
            &key,
            json!({
                "groupId": group, "name": "Tuesday, with care; always", "timezone": "America/New_York", "attendanceMode": "IN_PERSON",
                "schedule": { "rrule": "FREQ=WEEKLY;BYDAY=TU", "startTime": "19:00", "durationMinutes": 90, "startsOn": "2026-01-01", "endsOn": "2026-12-31" },
                "location": { "venue": "Hall", "city": "New York", "latitude": 40.7, "longitude": -74.0 }
            }),
        );
        app.query(Some(&key), "mutation($m: ID!) { cancelOccurrence(input: { meetingId: $m, occurrenceStart: \"2026-03-04T00:00:00Z\", note: \"Snow\" }) { status } }", json!({ "m": id }));
        app.query(Some(&key), "mutation($m: ID!) { rescheduleOccurrence(input: { meetingId: $m, occurrenceStart: \"2026-03-10T23:00:00Z\", newStart: \"2026-03-11T23:00:00Z\", note: \"Moved\" }) { status } }", json!({ "m": id }));
        let urls = app.query(
            None,
            "query($id: ID!) { meeting(id: $id) { calendarUrl group { calendarUrl } } }",
            json!({ "id": id }),
        );
        let url = urls["meeting"]["calendarUrl"]
            .as_str()
            .expect("calendar url")
            .to_owned();
        let response = app.client.get(app.url(&url)).send().expect("answer");
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .expect("ascii")
                .starts_with("text/calendar")
        );
        let ics = response.text().expect("text");
        let unfolded = ics.replace("\r\n ", "");
        for expected in [
            "BEGIN:VCALENDAR\r\n",
            "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n",
            "BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\n",
            "BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\n",
            "DTSTART;TZID=America/New_York:20260106T190000\r\n",
            "DURATION:PT90M\r\n",
            "RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20270101T045959Z\r\n",
            "EXDATE;TZID=America/New_York:20260303T190000\r\n",
            "RECURRENCE-ID;TZID=America/New_York:20260310T190000\r\nDTSTART;TZID=America/New_York:20260311T190000\r\n",
            "SUMMARY:Tuesday\\, with care\\; always\r\n",
            "GEO:40.7;-74\r\n",
            "END:VCALENDAR\r\n",
        ] {
            assert!(
                unfolded.contains(expected),
                "missing {expected:?} in\n{ics}"
            );
        }
        assert!(ics.split("\r\n").all(|l| l.len() <= 75), "lines are folded");

        let group_feed = app
            .client
            .get(
                app.url(
                    urls["meeting"]["group"]["calendarUrl"]
                        .as_str()
                        .expect("group url"),
                ),
            )
            .send()
            .expect("answer");
        assert_eq!(group_feed.status(), 200);
        assert!(group_feed.text().expect("text").contains("UID:"));

        let private = app.query(
            Some(&key),
            "mutation { createGroup(input: { name: \"Closed\", visibility: PRIVATE }) { id } }",
            json!({}),
        );
        let private_group = private["createGroup"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let hidden = meeting(
            &app,
            &key,
            json!({
                "groupId": private_group, "name": "Hidden", "timezone": "UTC", "attendanceMode": "ONLINE",
                "schedule": { "startTime": "10:00", "durationMinutes": 60, "startsOn": "2026-12-01" }, "online": { "url": "https://x.example" }
            }),
        );
        let staff = app.query(
            Some(&key),
            "query($id: ID!) { meeting(id: $id) { calendarUrl } }",
            json!({ "id": hidden }),
        );
        assert_eq!(
            staff["meeting"]["calendarUrl"],
            Value::Null,
            "private meetings are not published"
        );
        let gone = app
            .client
            .get(app.url(&format!(
                "/feeds/meetings/{}.ics",
                "00000000-0000-7000-8000-000000000000"
            )))
            .send()
            .expect("answer");
        assert_eq!(gone.status(), 404);
    }
);

spec!(
    an_app_finds_meetings_near_a_point_starting_in_the_next_two_hours,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let now = chrono::Utc::now();
        let one_off = |name: &str,
                       at: chrono::DateTime<chrono::Utc>,
                       lat: f64,
                       lon: f64,
                       mode: &str,
                       types: Value| {
            let mut input = json!({
                "groupId": group, "name": name, "timezone": "UTC", "attendanceMode": mode,
                "schedule": { "startTime": at.format("%H:%M").to_string(), "durationMinutes": 60, "startsOn": at.format("%Y-%m-%d").to_string() },
                "location": { "venue": "Hall", "latitude": lat, "longitude": lon },
                "program": "aa", "types": types
            });
            if mode != "IN_PERSON" {
                input["online"] = json!({ "url": "https://meet.example.org/x" });
            }
            meeting(&app, &key, input)
        };
        one_off(
            "Soon in Manhattan",
            now + chrono::Duration::minutes(60),
            40.7580,
            -73.9855,
            "IN_PERSON",
            json!(["O", "D"]),
        );
        one_off(
            "Soon in Brooklyn",
            now + chrono::Duration::minutes(90),
            40.6782,
            -73.9442,
            "HYBRID",
            json!(["C", "D"]),
        );
        one_off(
            "Later in Manhattan",
            now + chrono::Duration::minutes(300),
            40.7484,
            -73.9857,
            "IN_PERSON",
            json!(["O"]),
        );
        one_off(
            "Soon in London",
            now + chrono::Duration::minutes(60),
            51.5074,
            -0.1278,
            "IN_PERSON",
            json!(["O"]),
        );
        let (_, private_group) = (
            "",
            app.query(
                Some(&key),
                "mutation { createGroup(input: { name: \"Closed\", visibility: PRIVATE }) { id } }",
                json!({}),
            )["createGroup"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
        meeting(
            &app,
            &key,
            json!({
                "groupId": private_group, "name": "Soon but private", "timezone": "UTC", "attendanceMode": "IN_PERSON",
                "schedule": { "startTime": (now + chrono::Duration::minutes(60)).format("%H:%M").to_string(), "durationMinutes": 60, "startsOn": (now + chrono::Duration::minutes(60)).format("%Y-%m-%d").to_string() },
                "location": { "venue": "Hall", "latitude": 40.7580, "longitude": -73.9855 }
            }),
        );

        let search = "query($filter: MeetingFilter, $order: MeetingOrder, $first: Int, $after: String) { meetings(filter: $filter, orderBy: $order, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { distanceKm nextOccurrence { start } node { name } } } }";
        let names = |data: &Value| -> Vec<String> {
            data["meetings"]["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
                .collect()
        };
        let times_square = json!({ "latitude": 40.7580, "longitude": -73.9855, "radiusKm": 25 });
        let window = json!({ "from": now.to_rfc3339(), "to": (now + chrono::Duration::hours(2)).to_rfc3339() });
        let soon = app.query(
            None,
            search,
            json!({ "filter": { "near": times_square, "startsBetween": window } }),
        );
        assert_eq!(
            names(&soon),
            vec!["Soon in Manhattan", "Soon in Brooklyn"],
            "ordered by next occurrence"
        );
        assert_eq!(soon["meetings"]["totalCount"], 2);
        let first = &soon["meetings"]["edges"][0];
        assert!(first["distanceKm"].as_f64().expect("distance") < 0.5);
        assert!(first["nextOccurrence"]["start"].is_string());
        let brooklyn = soon["meetings"]["edges"][1]["distanceKm"]
            .as_f64()
            .expect("distance");
        assert!((8.0..12.0).contains(&brooklyn), "{brooklyn}");

        let by_distance = app.query(
            None,
            search,
            json!({ "filter": { "near": times_square }, "order": "DISTANCE" }),
        );
        assert_eq!(
            names(&by_distance),
            vec![
                "Soon in Manhattan",
                "Later in Manhattan",
                "Soon in Brooklyn"
            ]
        );
        let page_one = app.query(
            None,
            search,
            json!({ "filter": { "near": times_square }, "order": "NAME", "first": 2 }),
        );
        assert_eq!(
            names(&page_one),
            vec!["Later in Manhattan", "Soon in Brooklyn"]
        );
        assert_eq!(page_one["meetings"]["pageInfo"]["hasNextPage"], true);
        let page_two = app.query(None, search, json!({ "filter": { "near": times_square }, "order": "NAME", "first": 2, "after": page_one["meetings"]["pageInfo"]["endCursor"] }));
        assert_eq!(names(&page_two), vec!["Soon in Manhattan"]);

        let online = app.query(
            None,
            search,
            json!({ "filter": { "attendanceModes": ["ONLINE"] } }),
        );
        assert_eq!(
            names(&online),
            vec!["Soon in Brooklyn"],
            "a hybrid meeting is also an online one"
        );
        let all_types = app.query(None, search, json!({ "filter": { "program": "aa", "types": { "include": ["O", "D"], "match": "ALL" } } }));
        assert_eq!(names(&all_types), vec!["Soon in Manhattan"]);
        let closed_out = app.query(None, search, json!({ "filter": { "near": times_square, "types": { "exclude": ["C"] } }, "order": "NAME" }));
        assert_eq!(
            names(&closed_out),
            vec!["Later in Manhattan", "Soon in Manhattan"]
        );
        let everyone = app.query(None, search, json!({ "filter": null, "first": 100 }));
        assert!(
            !names(&everyone).contains(&"Soon but private".to_owned()),
            "private groups' meetings are not public"
        );
        let staff = app.query(
            Some(&key),
            search,
            json!({ "filter": { "text": "private" } }),
        );
        assert_eq!(
            names(&staff),
            vec!["Soon but private"],
            "the organization finds its own"
        );

        let nearest = app.query(
            None,
            search,
            json!({ "filter": { "near": { "latitude": 51.5, "longitude": -0.12 }, "nearest": 2 } }),
        );
        assert_eq!(
            names(&nearest),
            vec!["Soon in London", "Soon in Manhattan"],
            "the two nearest to London, however far"
        );
        assert_eq!(nearest["meetings"]["pageInfo"]["hasNextPage"], false);
        let error = app.query_error(
            None,
            search,
            json!({ "filter": { "near": { "latitude": 51.5, "longitude": -0.12 } } }),
        );
        assert_eq!(error["extensions"]["field"], "filter.near.radiusKm");
        let error = app.query_error(None, search, json!({ "filter": null, "order": "DISTANCE" }));
        assert_eq!(error["extensions"]["field"], "orderBy");
        let error = app.query_error(None, search, json!({ "filter": { "near": { "latitude": 40.0, "longitude": -73.0, "radiusKm": 5000 } } }));
        assert_eq!(error["extensions"]["field"], "filter.near.radiusKm");
    }
);

spec!(
    weekday_and_local_time_filters_use_each_meetings_time_zone,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        for (name, zone, rule) in [
            ("Tokyo Monday 19:00", "Asia/Tokyo", "FREQ=WEEKLY;BYDAY=MO"),
            (
                "New York Monday 19:00",
                "America/New_York",
                "FREQ=WEEKLY;BYDAY=MO",
            ),
            (
                "New York Saturday 19:00",
                "America/New_York",
                "FREQ=WEEKLY;BYDAY=SA",
            ),
        ] {
            meeting(
                &app,
                &key,
                json!({
                    "groupId": group, "name": name, "timezone": zone, "attendanceMode": "ONLINE",
                    "schedule": { "rrule": rule, "startTime": "19:00", "durationMinutes": 60, "startsOn": "2026-01-01" },
                    "online": { "url": "https://meet.example.org/x" }
                }),
            );
        }
        let search = "query($filter: MeetingFilter) { meetings(filter: $filter, orderBy: NAME) { edges { node { name } } } }";
        let names = |filter: Value| -> Vec<String> {
            app.query(None, search, json!({ "filter": filter }))["meetings"]["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
                .collect()
        };
        assert_eq!(
            names(json!({ "weekdays": ["MONDAY"] })),
            vec!["New York Monday 19:00", "Tokyo Monday 19:00"]
        );
        assert_eq!(
            names(
                json!({ "weekdays": ["SATURDAY"], "localTime": { "from": "18:00", "to": "20:00" } })
            ),
            vec!["New York Saturday 19:00"]
        );
        assert!(
            names(json!({ "localTime": { "from": "06:00", "to": "09:00" } })).is_empty(),
            "19:00 local in every zone"
        );
    }
);

spec!(
    a_search_finds_an_occurrence_moved_into_its_window_and_not_in_its_old_one,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let id = meeting(
            &app,
            &key,
            json!({
                "groupId": group, "name": "Tuesday circle", "timezone": "America/New_York",
                "attendanceMode": "ONLINE", "online": { "url": "https://meet.example.org/t" },
                "schedule": { "rrule": "FREQ=WEEKLY;BYDAY=TU", "startTime": "19:00", "durationMinutes": 60, "startsOn": "2026-01-06" }
            }),
        );
        // Tuesday 2 March 2027, 19:00 EST, moved to Saturday 6 March, 10:00 EST.
        app.query(
            Some(&key),
            "mutation($m: ID!) { rescheduleOccurrence(input: { meetingId: $m, occurrenceStart: \"2027-03-03T00:00:00Z\", newStart: \"2027-03-06T15:00:00Z\" }) { status } }",
            json!({ "m": id }),
        );
        let search = "query($from: DateTime!, $to: DateTime!) { meetings(filter: { startsBetween: { from: $from, to: $to } }) { totalCount edges { nextOccurrence { start status } } } }";
        let moved = app.query(
            None,
            search,
            json!({ "from": "2027-03-06T14:00:00Z", "to": "2027-03-06T16:00:00Z" }),
        );
        assert_eq!(moved["meetings"]["totalCount"], 1, "{moved}");
        assert_eq!(
            moved["meetings"]["edges"][0]["nextOccurrence"]["status"],
            "RESCHEDULED"
        );
        let old = app.query(
            None,
            search,
            json!({ "from": "2027-03-02T23:00:00Z", "to": "2027-03-03T01:00:00Z" }),
        );
        assert_eq!(old["meetings"]["totalCount"], 0, "{old}");
        let next_week = app.query(
            None,
            search,
            json!({ "from": "2027-03-09T23:00:00Z", "to": "2027-03-10T01:00:00Z" }),
        );
        assert_eq!(next_week["meetings"]["totalCount"], 1, "{next_week}");
    }
);

spec!(
    a_window_across_saturday_midnight_utc_finds_meetings_on_both_sides,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        for (name, day, time) in [
            ("Late Saturday", "SA", "23:30"),
            ("Early Sunday", "SU", "00:30"),
            ("Sunday noon", "SU", "12:00"),
        ] {
            meeting(
                &app,
                &key,
                json!({
                    "groupId": group, "name": name, "timezone": "UTC", "attendanceMode": "IN_PERSON",
                    "schedule": { "rrule": format!("FREQ=WEEKLY;BYDAY={day}"), "startTime": time, "durationMinutes": 60, "startsOn": "2026-01-03" },
                    "location": { "venue": "Hall", "latitude": 51.5, "longitude": -0.12 }
                }),
            );
        }
        // Saturday 5 December 2026, 23:00 UTC, to Sunday 01:00 UTC, near the hall and anywhere.
        let window = json!({ "from": "2026-12-05T23:00:00Z", "to": "2026-12-06T01:00:00Z" });
        for near in [
            json!({ "latitude": 51.5, "longitude": -0.12, "radiusKm": 5 }),
            Value::Null,
        ] {
            let found = app.query(
                None,
                "query($f: MeetingFilter) { meetings(filter: $f) { edges { node { name } } } }",
                json!({ "f": { "startsBetween": window, "near": near } }),
            );
            let names: Vec<&str> = found["meetings"]["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["name"].as_str().expect("name"))
                .collect();
            assert_eq!(names, vec!["Late Saturday", "Early Sunday"], "near {near}");
        }
    }
);
