//! Meetings: one file per part of the capability.
//!
//! - `schedules`: types, recurrence in local time, exceptions, validation, visibility;
//! - `rsvps`: seats, waitlists and attendance;
//! - `feeds`: the Meeting Guide feed and iCalendar;
//! - `search`: meetings near a point, in a window, by weekday and local time;
//! - `text_search`: meetings by words, ranked.

mod feeds;
mod rsvps;
mod schedules;
mod search;
mod text_search;

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{code, merged, spec, weekly_meeting};

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

/// The names of a connection's meetings, in order.
fn meeting_names(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
        .collect()
}

fn local_starts(data: &Value) -> Vec<String> {
    data["meeting"]["occurrences"]
        .as_array()
        .expect("occurrences")
        .iter()
        .map(|o| o["localStart"].as_str().expect("localStart").to_owned())
        .collect()
}

/// A member token for a new person in recovery of the key's organization.
fn member_token(app: &kinship_tests::TestApp, key: &str, external_ref: &str) -> String {
    app.member_with_token(key, external_ref, external_ref, "PERSON_IN_RECOVERY")
        .1
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
