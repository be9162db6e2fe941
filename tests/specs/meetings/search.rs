use super::*;

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
        let names = |data: &Value| meeting_names(&data["meetings"]);
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
                weekly_meeting(
                    &group,
                    json!({
                        "name": name, "timezone": zone,
                        "schedule": { "rrule": rule, "startTime": "19:00", "durationMinutes": 60, "startsOn": "2026-01-01" },
                    }),
                ),
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
            weekly_meeting(&group, json!({ "name": "Tuesday circle" })),
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

/// Every page of `meetings(filter, orderBy)` for an anonymous caller, `first` 2 at a time: the
/// names with the start of each one's next occurrence, and the total.
fn browse(
    app: &kinship_tests::TestApp,
    filter: Value,
    order: &str,
) -> (Vec<(String, Option<String>)>, i64) {
    let query = "query($f: MeetingFilter, $o: MeetingOrder, $after: String) { meetings(filter: $f, orderBy: $o, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { nextOccurrence { start } node { name } } } }";
    let (mut found, mut after) = (Vec::new(), Value::Null);
    loop {
        let page = &app.query(
            None,
            query,
            json!({ "f": filter, "o": order, "after": after }),
        )["meetings"];
        for edge in page["edges"].as_array().expect("edges") {
            let name = edge["node"]["name"].as_str().expect("name").to_owned();
            let start = edge["nextOccurrence"]["start"].as_str().map(str::to_owned);
            found.push((name, start));
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return (found, page["totalCount"].as_i64().expect("totalCount"));
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// The names of found meetings.
fn names_of(found: &[(String, Option<String>)]) -> Vec<&str> {
    found.iter().map(|(n, _)| n.as_str()).collect()
}

spec!(
    browsing_pages_through_every_meeting_once_in_either_order,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let daily = json!({ "rrule": "FREQ=DAILY", "startTime": "07:00", "durationMinutes": 30, "startsOn": "2026-01-01" });
        let far_off =
            json!({ "startTime": "12:00", "durationMinutes": 60, "startsOn": "2030-01-01" });
        let long_past =
            json!({ "startTime": "12:00", "durationMinutes": 60, "startsOn": "2026-01-10" });
        for (name, changes) in [
            ("alpha", json!({ "program": "aa", "types": ["O", "D"] })),
            (
                "Beta",
                json!({ "program": "aa", "types": ["O"], "schedule": daily }),
            ),
            ("gamma", json!({ "program": "aa", "types": ["C", "D"] })),
            ("Delta", json!({ "schedule": far_off })),
            (
                "epsilon",
                json!({ "program": "aa", "types": ["O"], "schedule": long_past }),
            ),
            ("Zeta", json!({})),
        ] {
            meeting(
                &app,
                &key,
                weekly_meeting(&group, merged(changes, json!({ "name": name }))),
            );
        }
        let other = app.admin_key("elsewhere");
        let private_group = app.query(
            Some(&other),
            "mutation { createGroup(input: { name: \"Private\", visibility: PRIVATE }) { id } }",
            json!({}),
        )["createGroup"]["id"]
            .as_str()
            .expect("group")
            .to_owned();
        meeting(
            &app,
            &other,
            weekly_meeting(&private_group, json!({ "name": "Hidden" })),
        );

        // By next occurrence: those with one in start order (ties in creation order), then the
        // rest; each once, across pages of two.
        let (by_next, total) = browse(&app, json!({}), "NEXT_OCCURRENCE");
        assert_eq!(total, 6, "{by_next:?}");
        let starts: Vec<&str> = by_next.iter().filter_map(|(_, s)| s.as_deref()).collect();
        assert_eq!(starts.len(), 4, "{by_next:?}");
        assert!(starts.is_sorted(), "{by_next:?}");
        assert_eq!(
            names_of(&by_next[4..]),
            ["Delta", "epsilon"],
            "meetings with no next occurrence come last"
        );
        let weekly: Vec<&str> = names_of(&by_next)
            .into_iter()
            .filter(|n| ["alpha", "gamma", "Zeta"].contains(n))
            .collect();
        assert_eq!(weekly, ["alpha", "gamma", "Zeta"], "ties keep their order");

        let (by_name, total) = browse(&app, json!({}), "NAME");
        assert_eq!(total, 6);
        assert_eq!(
            names_of(&by_name),
            ["alpha", "Beta", "Delta", "epsilon", "gamma", "Zeta"]
        );

        for (types, expected) in [
            (
                json!({ "include": ["O"] }),
                vec!["alpha", "Beta", "epsilon"],
            ),
            (
                json!({ "include": ["O", "D"], "match": "ALL" }),
                vec!["alpha"],
            ),
            (json!({ "include": ["D"], "exclude": ["C"] }), vec!["alpha"]),
        ] {
            let (found, total) = browse(&app, json!({ "program": "aa", "types": types }), "NAME");
            assert_eq!(names_of(&found), expected, "{types}");
            assert_eq!(total, expected.len() as i64);
        }
    }
);

spec!(
    a_filter_that_matches_late_in_the_walk_still_finds_its_meeting,
    |app| {
        // Seventy meetings of another program start at the same time as the one that matches,
        // and come before it (ties go by creation): the walk must go past all of them.
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        let daily = json!({ "rrule": "FREQ=DAILY", "startTime": "07:00", "durationMinutes": 30, "startsOn": "2026-01-01" });
        for n in 0..70 {
            let changes =
                json!({ "name": format!("Filler {n}"), "program": "na", "schedule": daily });
            meeting(&app, &key, weekly_meeting(&group, changes));
        }
        let changes = json!({ "name": "Target", "program": "aa", "schedule": daily });
        meeting(&app, &key, weekly_meeting(&group, changes));
        let (found, total) = browse(&app, json!({ "program": "aa" }), "NEXT_OCCURRENCE");
        assert_eq!(names_of(&found), ["Target"]);
        assert_eq!(total, 1);
        let (all, total) = browse(&app, json!({}), "NEXT_OCCURRENCE");
        assert_eq!(total, 71);
        assert_eq!(all.len(), 71);
        assert_eq!(all.last().map(|(n, _)| n.as_str()), Some("Target"));
    }
);
