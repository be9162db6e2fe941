//! Searches for meetings starting soon, answered from the stored occurrence horizon: the same
//! answers as checking every schedule, and every change to a meeting, its occurrences or its
//! group shows at once.

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{TestApp, spec};

const SEARCH: &str = "query($filter: MeetingFilter, $order: MeetingOrder, $first: Int, $after: String) { meetings(filter: $filter, orderBy: $order, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { distanceKm nextOccurrence { start end localStart originalStart status note } node { id name group { name } nextOccurrence { start } } } } }";

fn instant(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("an instant")
}

/// Every page of a search, walked with `after`, and its total.
fn walk(app: &TestApp, key: Option<&str>, filter: &Value, order: &str) -> (Value, Vec<Value>) {
    let mut edges = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.query(
            key,
            SEARCH,
            json!({ "filter": filter, "order": order, "first": 7, "after": after }),
        );
        let page = &data["meetings"];
        edges.extend(page["edges"].as_array().expect("edges").iter().cloned());
        if page["pageInfo"]["hasNextPage"] != true {
            return (page["totalCount"].clone(), edges);
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

spec!(stored_occurrences_answer_as_the_schedules_do, |app| {
    let report: Value = serde_json::from_str(
        &app.cli(&["--json", "seed", "--scale", "600"])
            .expect("seed"),
    )
    .expect("report");
    let key = report["apiKey"].as_str().expect("a key");
    let places = app.query(
        None,
        "{ meetings(first: 40, filter: { attendanceModes: [IN_PERSON] }, orderBy: NAME) { edges { node { location { latitude longitude } } } } }",
        json!({}),
    );
    let points: Vec<(f64, f64)> = places["meetings"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .step_by(8)
        .map(|e| {
            let at = &e["node"]["location"];
            (
                at["latitude"].as_f64().expect("latitude"),
                at["longitude"].as_f64().expect("longitude"),
            )
        })
        .collect();
    let now = chrono::Utc::now();
    let mut compared = 0;
    for (n, (lat, lon)) in points.iter().enumerate() {
        for hours in [0, 5, 11, 17, 23, 30] {
            let from = now + chrono::Duration::hours(hours + n as i64);
            let length = if hours == 30 { 72 } else { 3 };
            let window = json!({ "from": from.to_rfc3339(), "to": (from + chrono::Duration::hours(length)).to_rfc3339() });
            for (near, order) in [
                (
                    json!({ "latitude": lat, "longitude": lon, "radiusKm": 25 }),
                    "NEXT_OCCURRENCE",
                ),
                (
                    json!({ "latitude": lat, "longitude": lon, "radiusKm": 60 }),
                    "DISTANCE",
                ),
                (Value::Null, "NEXT_OCCURRENCE"),
            ] {
                let stored = json!({ "near": near, "startsBetween": window });
                for scope in [None, Some(key)] {
                    let fast = walk(&app, scope, &stored, order);
                    for other in same_answers(&stored) {
                        assert_eq!(fast, walk(&app, scope, &other, order), "{other} {order}");
                    }
                    compared += fast.1.len();
                }
            }
        }
    }
    assert!(compared > 200, "the windows hold meetings: {compared}");

    // Without a window, each match comes with its next occurrence in the next five weeks (the
    // one its schedule gives), and a filter by weekday keeps exactly those that have one.
    let (lat, lon) = points[0];
    for (filter, order) in [
        (json!({}), "NEXT_OCCURRENCE"),
        (json!({}), "NAME"),
        (
            json!({ "program": "aa", "types": { "include": ["O"] }, "languages": ["en"] }),
            "NEXT_OCCURRENCE",
        ),
        (
            json!({ "program": "aa", "types": { "include": ["O"] }, "languages": ["en"] }),
            "NAME",
        ),
        (json!({ "text": "step" }), "NEXT_OCCURRENCE"),
        (json!({ "text": "step" }), "NAME"),
        (json!({ "text": "step" }), "RELEVANCE"),
        (
            json!({ "text": "step", "near": { "latitude": lat, "longitude": lon, "radiusKm": 500 } }),
            "RELEVANCE",
        ),
        (
            json!({ "near": { "latitude": lat, "longitude": lon, "radiusKm": 30 } }),
            "DISTANCE",
        ),
        (
            json!({ "near": { "latitude": lat, "longitude": lon, "radiusKm": 30 } }),
            "NEXT_OCCURRENCE",
        ),
    ] {
        let (total, found) = walk(&app, Some(key), &filter, order);
        assert!(found.len() > 5, "{filter} finds meetings");
        assert_eq!(total, found.len());
        let [by_meeting, expanded] = same_answers(&filter);
        assert_eq!(
            (total.clone(), found.clone()),
            walk(&app, Some(key), &by_meeting, order)
        );
        let horizon = now + chrono::Duration::days(35);
        for edge in &found {
            let scheduled = &edge["node"]["nextOccurrence"]["start"];
            match edge["nextOccurrence"]["start"].as_str() {
                Some(start) => assert_eq!(scheduled.as_str(), Some(start), "{edge}"),
                None => assert!(
                    scheduled.as_str().is_none_or(|s| instant(s) >= horizon),
                    "{edge}"
                ),
            }
        }
        let upcoming: Vec<Value> = found
            .into_iter()
            .filter(|e| !e["nextOccurrence"].is_null())
            .collect();
        assert_eq!(
            (json!(upcoming.len()), upcoming),
            walk(&app, Some(key), &expanded, order),
            "{filter} {order}"
        );
    }
});

/// Filters that find the same meetings as `filter` but take the search's other ways: every
/// attendance mode (the meetings that pass the filters, with their first stored occurrence), and
/// every weekday (each candidate's schedule expanded).
fn same_answers(filter: &Value) -> [Value; 2] {
    let mut by_meeting = filter.clone();
    by_meeting["attendanceModes"] = json!(["IN_PERSON", "ONLINE", "HYBRID"]);
    let mut expanded = filter.clone();
    expanded["weekdays"] = json!([
        "MONDAY",
        "TUESDAY",
        "WEDNESDAY",
        "THURSDAY",
        "FRIDAY",
        "SATURDAY",
        "SUNDAY"
    ]);
    [by_meeting, expanded]
}

/// Runs a mutation whose one field returns an object with an `id`; that id.
fn mutate(app: &TestApp, key: &str, mutation: &str, input: Value) -> String {
    let data = app.query(Some(key), mutation, json!({ "input": input }));
    data.as_object()
        .and_then(|o| o.values().next())
        .and_then(|v| v["id"].as_str())
        .expect("an id")
        .to_owned()
}

/// The total of meetings within 5 km of Springfield starting within a minute of `start`.
fn found_at(app: &TestApp, key: Option<&str>, start: chrono::DateTime<chrono::Utc>) -> Value {
    let minute = chrono::Duration::minutes(1);
    app.query(
        key,
        SEARCH,
        json!({ "filter": {
            "near": { "latitude": 39.80, "longitude": -89.65, "radiusKm": 5 },
            "startsBetween": { "from": (start - minute).to_rfc3339(), "to": (start + minute).to_rfc3339() },
        } }),
    )["meetings"]
        .clone()
}

spec!(
    changes_reach_the_search_for_meetings_starting_soon_at_once,
    |app| {
        let key = app.admin_key("clinic");
        let group = mutate(
            &app,
            &key,
            "mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }",
            json!({ "name": "Noon circle", "visibility": "PUBLIC" }),
        );
        let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).date_naive();
        let meeting = mutate(
            &app,
            &key,
            "mutation($input: CreateMeetingInput!) { createMeeting(input: $input) { id } }",
            json!({
                "groupId": group, "name": "Daily noon", "timezone": "UTC", "attendanceMode": "IN_PERSON",
                "schedule": { "rrule": "FREQ=DAILY", "startTime": "12:00", "durationMinutes": 60, "startsOn": yesterday.to_string() },
                "location": { "venue": "Hall", "city": "Springfield", "countryCode": "us", "latitude": 39.80, "longitude": -89.65 },
            }),
        );
        let next = app.query(
            None,
            "query($id: ID!) { meeting(id: $id) { nextOccurrence { start } } }",
            json!({ "id": meeting }),
        );
        let first = instant(
            next["meeting"]["nextOccurrence"]["start"]
                .as_str()
                .expect("next"),
        );
        let day = chrono::Duration::days(1);
        assert_eq!(found_at(&app, None, first)["totalCount"], 1);
        assert_eq!(
            found_at(&app, None, first + day * 40)["totalCount"],
            1,
            "found up to six weeks ahead"
        );

        // A cancelled occurrence is not found; a moved one is found at its new time.
        app.query(
        Some(&key),
        "mutation($m: ID!, $s: DateTime!) { cancelOccurrence(input: { meetingId: $m, occurrenceStart: $s, note: \"Closed\" }) { status } }",
        json!({ "m": meeting, "s": first.to_rfc3339() }),
    );
        assert_eq!(found_at(&app, None, first)["totalCount"], 0);
        let moved_to = first + day + chrono::Duration::hours(3);
        app.query(
        Some(&key),
        "mutation($m: ID!, $s: DateTime!, $n: DateTime!) { rescheduleOccurrence(input: { meetingId: $m, occurrenceStart: $s, newStart: $n, note: \"Hall booked\" }) { status } }",
        json!({ "m": meeting, "s": (first + day).to_rfc3339(), "n": moved_to.to_rfc3339() }),
    );
        assert_eq!(found_at(&app, None, first + day)["totalCount"], 0);
        let moved = found_at(&app, None, moved_to);
        assert_eq!(moved["totalCount"], 1);
        let occurrence = &moved["edges"][0]["nextOccurrence"];
        assert_eq!(occurrence["status"], "RESCHEDULED");
        assert_eq!(occurrence["note"], "Hall booked");
        assert_eq!(
            instant(occurrence["originalStart"].as_str().expect("original")),
            first + day
        );
        assert_eq!(
            instant(occurrence["end"].as_str().expect("end")),
            moved_to + chrono::Duration::hours(1)
        );

        // An occurrence moved onto another one's start: both take place then, found once.
        let onto = first + day * 4;
        app.query(
        Some(&key),
        "mutation($m: ID!, $s: DateTime!, $n: DateTime!) { rescheduleOccurrence(input: { meetingId: $m, occurrenceStart: $s, newStart: $n, note: \"Joint session\" }) { status } }",
        json!({ "m": meeting, "s": (first + day * 3).to_rfc3339(), "n": onto.to_rfc3339() }),
    );
        assert_eq!(found_at(&app, None, first + day * 3)["totalCount"], 0);
        let joint = found_at(&app, None, onto);
        assert_eq!(joint["totalCount"], 1);
        assert_eq!(joint["edges"][0]["nextOccurrence"]["note"], "Joint session");

        // Changes to one meeting at the same time are all kept.
        let cancel = "mutation($m: ID!, $s: DateTime!) { cancelOccurrence(input: { meetingId: $m, occurrenceStart: $s, note: \"Closed\" }) { status } }";
        std::thread::scope(|threads| {
            for k in 5..11 {
                let (app, key, meeting) = (&app, &key, &meeting);
                threads.spawn(move || {
                    app.query(
                        Some(key),
                        cancel,
                        json!({ "m": meeting, "s": (first + day * k).to_rfc3339() }),
                    );
                });
            }
        });
        for k in 5..11 {
            assert_eq!(
                found_at(&app, None, first + day * k)["totalCount"],
                0,
                "day {k}"
            );
        }
        assert_eq!(found_at(&app, None, first + day * 11)["totalCount"], 1);

        // A private group's meetings are found by its organization only.
        let update_group =
            "mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { id } }";
        mutate(
            &app,
            &key,
            update_group,
            json!({ "id": group, "visibility": "PRIVATE" }),
        );
        assert_eq!(found_at(&app, None, first + day * 2)["totalCount"], 0);
        assert_eq!(found_at(&app, Some(&key), first + day * 2)["totalCount"], 1);
        mutate(
            &app,
            &key,
            update_group,
            json!({ "id": group, "visibility": "PUBLIC" }),
        );
        assert_eq!(found_at(&app, None, first + day * 2)["totalCount"], 1);

        // A new time and a new place replace the old ones; an inactive meeting is not found.
        let update_meeting =
            "mutation($input: UpdateMeetingInput!) { updateMeeting(input: $input) { id } }";
        mutate(
            &app,
            &key,
            update_meeting,
            json!({ "id": meeting, "schedule": { "rrule": "FREQ=DAILY", "startTime": "13:00", "durationMinutes": 60, "startsOn": yesterday.to_string() } }),
        );
        let hour = chrono::Duration::hours(1);
        assert_eq!(found_at(&app, None, first + day * 2)["totalCount"], 0);
        assert_eq!(
            found_at(&app, None, first + day * 2 + hour)["totalCount"],
            1
        );
        mutate(
            &app,
            &key,
            update_meeting,
            json!({ "id": meeting, "location": { "venue": "Hall", "city": "Chatham", "countryCode": "us", "latitude": 39.68, "longitude": -89.70 } }),
        );
        assert_eq!(
            found_at(&app, None, first + day * 2 + hour)["totalCount"],
            0,
            "14 km away now"
        );
        mutate(
            &app,
            &key,
            update_meeting,
            json!({ "id": meeting, "status": "INACTIVE" }),
        );
        assert_eq!(
            found_at(&app, Some(&key), first + day * 2 + hour)["totalCount"],
            0
        );
    }
);
