use super::*;

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
            // The observance in effect at the first start (the clocks went back on 2025-11-02).
            "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\nBEGIN:STANDARD\r\nDTSTART:20251102T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\n",
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
            weekly_meeting(&private_group, json!({ "name": "Hidden" })),
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
