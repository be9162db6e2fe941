//! Meetings as Meeting Guide feed entries, for `GET /feeds/meeting-guide/{organizationSlug}.json`:
//! the Meeting Guide format (one JSON array; `day` 0-6 with 0 = Sunday; local `time`/`end_time`
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

use super::model::{AttendanceMode, MeetingRow, MeetingStatus};
use super::recurrence::{WEEKDAY_CODES, rule_part};
use chrono::{Datelike, Duration, NaiveTime};
use serde_json::{Value, json};

/// Weekday names by Meeting Guide day number (0 = Sunday), as schedule sentences write them.
pub(crate) const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// The ordinals of monthly schedule sentences ("Last Friday of the month.") and their RRULE
/// numbers.
pub(crate) const ORDINALS: [(&str, i8); 5] = [
    ("First", 1),
    ("Second", 2),
    ("Third", 3),
    ("Fourth", 4),
    ("Last", -1),
];

/// The weekdays (0 = Sunday) a meeting falls on, and a sentence for the notes when the format
/// cannot say it.
fn days_of(meeting: &MeetingRow) -> (Vec<usize>, Option<String>) {
    let rule = meeting.rrule.as_deref().unwrap_or("");
    let part = |name: &str| rule_part(rule, name).map(str::to_owned);
    let start_day = meeting.starts_on.weekday().num_days_from_sunday() as usize;
    let frequency = part("FREQ=");
    let byday = part("BYDAY=").unwrap_or_default();
    let entries: Vec<(Option<i32>, usize)> = byday
        .split(',')
        .filter(|d| d.len() >= 2)
        .filter_map(|d| {
            let (ordinal, code) = d.split_at(d.len() - 2);
            let day = WEEKDAY_CODES.iter().position(|c| *c == code)?;
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
                    let nth = ORDINALS
                        .iter()
                        .find(|(_, n)| Some(i32::from(*n)) == *ordinal)
                        .map_or("Every", |(word, _)| *word);
                    format!("{nth} {}", DAY_NAMES[*day])
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

/// The feed entries of a meeting of the group named `group`.
pub fn entries(meeting: &MeetingRow, group: &str) -> Vec<Value> {
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
        crate::stored::decode_list(&meeting.languages)
            .iter()
            .filter_map(|l| super::catalog::language_code(l))
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
