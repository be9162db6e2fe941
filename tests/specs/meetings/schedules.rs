use super::*;

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
            weekly_meeting(
                &group,
                json!({
                    "name": "Last Friday speaker",
                    "schedule": { "rrule": "FREQ=MONTHLY;BYDAY=-1FR", "startTime": "20:00", "durationMinutes": 60, "startsOn": "2026-01-01" },
                }),
            ),
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
        let with = |changes: Value| merged(base.clone(), changes);
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
        weekly_meeting(
            &private_group,
            json!({
                "name": "Aftercare", "timezone": "America/Chicago",
                "schedule": { "startTime": "18:00", "durationMinutes": 60, "startsOn": "2026-06-01" },
                "online": { "url": "https://meet.example.org/private" }
            }),
        ),
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
    let error = app
        .create_meeting(
            &other,
            weekly_meeting(&private_group, json!({ "name": "Intruder" })),
        )
        .expect_err("another organization's private group is not found");
    assert_eq!(code(&error), "NOT_FOUND");
});

spec!(the_next_occurrences_need_no_window, |app| {
    let (key, group) = clinic_with_group(&app, "PUBLIC");
    let id = meeting(&app, &key, weekly_meeting(&group, json!({})));
    let next = app.query(
        None,
        "query($id: ID!) { meeting(id: $id) { occurrences(first: 3) { start localStart } } }",
        json!({ "id": id }),
    );
    let starts: Vec<chrono::DateTime<chrono::Utc>> = next["meeting"]["occurrences"]
        .as_array()
        .expect("occurrences")
        .iter()
        .map(|o| {
            o["start"]
                .as_str()
                .expect("start")
                .parse()
                .expect("instant")
        })
        .collect();
    assert_eq!(starts.len(), 3, "{next}");
    let now = chrono::Utc::now();
    assert!(
        starts[0] >= now - chrono::Duration::hours(1)
            && starts[0] <= now + chrono::Duration::days(7)
    );
    assert_eq!(starts[1] - starts[0], chrono::Duration::days(7));
    assert_eq!(starts[2] - starts[1], chrono::Duration::days(7));
    let from = app.query(
        None,
        "query($id: ID!) { meeting(id: $id) { occurrences(from: \"2026-03-01T00:00:00Z\", first: 2) { localStart } } }",
        json!({ "id": id }),
    );
    assert_eq!(
        from["meeting"]["occurrences"],
        json!([
            { "localStart": "2026-03-03T19:00:00-05:00" },
            { "localStart": "2026-03-10T19:00:00-04:00" }
        ]),
        "the next two from a day, across a daylight-saving change"
    );
});

spec!(
    a_bad_instant_names_its_argument_and_the_form_expected,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let id = meeting(&app, &key, weekly_meeting(&group, json!({})));
        let error = app.query_error(
        None,
        "query($id: ID!) { meeting(id: $id) { occurrences(from: \"2026-12-01\", first: 2) { start } } }",
        json!({ "id": id }),
    );
        assert_eq!(code(&error), "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "from", "{error}");
        let message = error["message"].as_str().expect("message");
        assert!(
            message.starts_with("from: give an instant in RFC 3339 with its offset"),
            "{message}"
        );
        let number = app.query_error(
            None,
            "query($id: ID!) { meeting(id: $id) { occurrences(from: 5, first: 2) { start } } }",
            json!({ "id": id }),
        );
        assert_eq!(number["extensions"]["field"], "from", "{number}");
        let nested = app.query_error(
            Some(&key),
            "mutation($g: ID!) { createMeeting(input: { groupId: $g, name: \"x\", timezone: \"UTC\", attendanceMode: ONLINE, online: { url: \"https://meet.example.org/x\" }, schedule: { startTime: \"19:00\", durationMinutes: 60, startsOn: \"12/01/2026\" } }) { id } }",
            json!({ "g": group }),
        );
        assert_eq!(
            nested["extensions"]["field"], "input.schedule.startsOn",
            "{nested}"
        );
        assert!(
            nested["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("input.schedule.startsOn: give a day as YYYY-MM-DD")),
            "{nested}"
        );
    }
);

spec!(a_rule_pasted_from_a_calendar_is_read_as_a_rule, |app| {
    let (key, group) = clinic_with_group(&app, "PUBLIC");
    for pasted in ["RRULE:FREQ=WEEKLY;BYDAY=TU", "rrule:freq=weekly;byday=tu "] {
        let created = app.query(
            Some(&key),
            CREATE_MEETING,
            json!({ "input": weekly_meeting(&group, json!({ "schedule": { "rrule": pasted, "startTime": "19:00", "durationMinutes": 60, "startsOn": "2026-01-06" } })) }),
        );
        assert_eq!(
            created["createMeeting"]["schedule"]["rrule"], "FREQ=WEEKLY;BYDAY=TU",
            "{pasted}"
        );
    }
    let with_start = app.query_error(
        Some(&key),
        CREATE_MEETING,
        json!({ "input": weekly_meeting(&group, json!({ "schedule": { "rrule": "DTSTART:20260106T190000\nRRULE:FREQ=WEEKLY", "startTime": "19:00", "durationMinutes": 60, "startsOn": "2026-01-06" } })) }),
    );
    assert_eq!(code(&with_start), "BAD_USER_INPUT");
    assert!(
        with_start["message"]
            .as_str()
            .is_some_and(|m| m.contains("startsOn")),
        "{with_start}"
    );
});
