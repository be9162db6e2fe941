use super::*;

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
        weekly_meeting(
            &group,
            json!({
                "name": "Now", "timezone": "UTC",
                "schedule": { "startTime": soon.format("%H:%M").to_string(), "durationMinutes": 60, "startsOn": soon.format("%Y-%m-%d").to_string() },
            }),
        ),
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
        weekly_meeting(
            &group,
            json!({ "name": "Later", "timezone": "UTC", "schedule": { "startTime": "12:00", "durationMinutes": 60, "startsOn": "2030-01-01" } }),
        ),
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
