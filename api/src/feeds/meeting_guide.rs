//! `GET /feeds/meeting-guide/{organizationSlug}.json`: an organization's public meetings in the
//! Meeting Guide format (one JSON array; `day` 0-6 with 0 = Sunday; local `time`/`end_time`
//! with `timezone`). The format is weekly only, so:
//! - a meeting on several weekdays gives one entry per weekday (slug `{id}-{day}`);
//! - a monthly meeting (`1TU,3TU`, `-1FR`) gives an entry per weekday, with the rule in words
//!   at the start of `notes` ("First and third Tuesday of the month.");
//! - a one-off meeting gives one entry for its weekday, with its date in `notes`;
//! - a daily meeting gives seven entries.
//!
//! Accessibility features that have a Meeting Guide code (`X`, `ASL`, `FF`, `BA`) join the
//! types; `program` (`aa`, `na`, ...) is a Kinship extension naming the program the type codes
//! belong to, which other readers ignore. `kinship import meeting-guide` reads all of this back.

use crate::server::AppState;
use actix_web::{HttpResponse, web};
use chrono::{Datelike, Duration, NaiveTime};
use kinship_schema::meetings::model::{AttendanceMode, MeetingRow, MeetingStatus, published_by};
use serde_json::{Value, json};

const DAYS: [(&str, &str); 7] = [
    ("SU", "Sunday"),
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
];

/// The weekdays (0 = Sunday) a meeting falls on, and a sentence for the notes when the format
/// cannot say it.
fn days_of(meeting: &MeetingRow) -> (Vec<usize>, Option<String>) {
    let rule = meeting.rrule.as_deref().unwrap_or("");
    let part = |name: &str| {
        rule.split(';')
            .find_map(|p| p.strip_prefix(name))
            .map(str::to_owned)
    };
    let start_day = meeting.starts_on.weekday().num_days_from_sunday() as usize;
    let frequency = part("FREQ=");
    let byday = part("BYDAY=").unwrap_or_default();
    let entries: Vec<(Option<i32>, usize)> = byday
        .split(',')
        .filter(|d| d.len() >= 2)
        .filter_map(|d| {
            let (ordinal, code) = d.split_at(d.len() - 2);
            let day = DAYS.iter().position(|(c, _)| *c == code)?;
            Some((ordinal.parse::<i32>().ok(), day))
        })
        .collect();
    let mut days: Vec<usize> = entries.iter().map(|(_, d)| *d).collect();
    days.sort_unstable();
    days.dedup();
    match frequency.as_deref() {
        None => (
            vec![start_day],
            Some(format!(
                "One time only, on {}.",
                meeting.starts_on.format("%A %-d %B %Y")
            )),
        ),
        Some("DAILY") => ((0..7).collect(), None),
        Some("MONTHLY") => {
            let words: Vec<String> = entries
                .iter()
                .map(|(ordinal, day)| {
                    let nth = match ordinal {
                        Some(1) => "First",
                        Some(2) => "Second",
                        Some(3) => "Third",
                        Some(4) => "Fourth",
                        Some(-1) => "Last",
                        _ => "Every",
                    };
                    format!("{nth} {}", DAYS[*day].1)
                })
                .collect();
            let days = if days.is_empty() {
                vec![start_day]
            } else {
                days
            };
            (days, Some(format!("{} of the month.", words.join(" and "))))
        }
        _ => (
            if days.is_empty() {
                vec![start_day]
            } else {
                days
            },
            None,
        ),
    }
}

fn entries(meeting: &MeetingRow, group: &str) -> Vec<Value> {
    let (days, rule_note) = days_of(meeting);
    let start = NaiveTime::parse_from_str(&meeting.start_time, "%H:%M").unwrap_or(NaiveTime::MIN);
    let end = start + Duration::minutes(i64::from(meeting.duration_minutes));
    let mut types = meeting.type_codes();
    for feature in meeting.accessibility_features() {
        if let Some(code) = feature.meeting_guide_code()
            && !types.iter().any(|t| t == code)
        {
            types.push(code.to_owned());
        }
    }
    types.extend(
        kinship_schema::stored_list(&meeting.languages)
            .iter()
            .filter_map(|l| kinship_schema::meetings::catalog::language_code(l))
            .map(str::to_owned),
    );
    if meeting.status == MeetingStatus::TemporarilyClosed {
        types.push("TC".into());
    }
    let in_person = meeting.attendance_mode != AttendanceMode::Online;
    let online = meeting.attendance_mode != AttendanceMode::InPerson;
    let notes = [
        rule_note,
        Some(meeting.description.clone()).filter(|d| !d.is_empty()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n\n");
    days.iter()
        .map(|day| {
            let slug = if days.len() > 1 {
                format!("{}-{day}", meeting.id)
            } else {
                meeting.id.to_string()
            };
            let mut entry = json!({
                "name": meeting.name,
                "slug": slug,
                "day": day,
                "time": start.format("%H:%M").to_string(),
                "end_time": end.format("%H:%M").to_string(),
                "timezone": meeting.timezone,
                "types": types,
                "group": group,
                "updated": meeting.updated_at.0.format("%Y-%m-%d %H:%M:%S").to_string(),
            });
            if !notes.is_empty() {
                entry["notes"] = json!(notes);
            }
            if let Some(program) = &meeting.program {
                entry["program"] = json!(program);
            }
            if in_person {
                for (key, value) in [
                    ("location", &meeting.venue),
                    ("address", &meeting.address),
                    ("city", &meeting.city),
                    ("state", &meeting.region),
                    ("postal_code", &meeting.postal_code),
                    ("country", &meeting.country_code),
                ] {
                    if let Some(value) = value {
                        entry[key] = json!(value);
                    }
                }
                if let (Some(lat), Some(lon)) = (meeting.latitude, meeting.longitude) {
                    entry["latitude"] = json!(lat);
                    entry["longitude"] = json!(lon);
                }
                entry["approximate"] = json!(if meeting.location_approximate {
                    "yes"
                } else {
                    "no"
                });
            }
            if online {
                for (key, value) in [
                    ("conference_url", &meeting.online_url),
                    ("conference_url_notes", &meeting.online_notes),
                    ("conference_phone", &meeting.online_phone),
                ] {
                    if let Some(value) = value {
                        entry[key] = json!(value);
                    }
                }
            }
            entry
        })
        .collect()
}

/// `GET /feeds/meeting-guide/{organizationSlug}.json`.
pub async fn feed(path: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    let Some(slug) = path.into_inner().strip_suffix(".json").map(str::to_owned) else {
        return HttpResponse::NotFound().json(json!({ "error": "feeds end in .json" }));
    };
    let published = state.db.run(move |conn| published_by(conn, &slug)).await;
    match published {
        Ok(Some(meetings)) => {
            let feed: Vec<Value> = meetings
                .iter()
                .flat_map(|(meeting, group)| entries(meeting, group))
                .collect();
            HttpResponse::Ok()
                .insert_header(("Cache-Control", "public, max-age=300"))
                .insert_header(("Access-Control-Allow-Origin", "*"))
                .json(feed)
        }
        Ok(None) => {
            HttpResponse::NotFound().json(json!({ "error": "no organization with this slug" }))
        }
        Err(e) => {
            let status = if e.code() == "UNAVAILABLE" { 503 } else { 500 };
            HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
                .json(json!({ "error": e.message(), "code": e.code() }))
        }
    }
}
