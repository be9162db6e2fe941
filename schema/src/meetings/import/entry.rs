//! One entry of a Meeting Guide feed, read leniently (numbers or text where feeds disagree)
//! into what Kinship keeps, with a readable reason when the entry cannot be a meeting.

use crate::db::{Id, Ts};
use crate::meetings::catalog;
use crate::meetings::meeting_guide::{DAY_NAMES, ORDINALS};
use crate::meetings::model::{AccessibilityFeature, AttendanceMode, MeetingRow, MeetingStatus};
use crate::stored::{encode_enums, encode_list};
use crate::validate;
use chrono::{NaiveDate, NaiveTime, Timelike};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// How a meeting repeats, as far as a Meeting Guide entry can say.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// Every week on the entry's days.
    Weekly,
    /// Monthly on these (ordinal, weekday with 0 = Sunday) pairs, read from a first note
    /// paragraph such as "First and third Tuesday of the month." (Kinship's feeds write it).
    Monthly(Vec<(i8, u8)>),
    /// Once, on this date ("One time only, on Friday 4 December 2026.").
    Once(NaiveDate),
}

/// What Kinship keeps of an entry: everything but its slug, line and days.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    /// The group it belongs to (the entry's `group`, else its name).
    pub group: String,
    /// How it repeats.
    pub pattern: Pattern,
    /// The schedule sentence the pattern came from, kept to restore it if the pattern does not
    /// fit the days after merging.
    pub pattern_note: Option<String>,
    /// The meeting's fields, on a row with placeholder ids, times and dates (set on import);
    /// its `rrule` is settled once entries are merged.
    pub meeting: MeetingRow,
}

/// An entry Kinship can import.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Line of the file where the entry starts.
    pub line: usize,
    /// The feed's id for the meeting.
    pub slug: String,
    /// Weekdays, 0 = Sunday.
    pub days: BTreeSet<u8>,
    /// The rest.
    pub content: Content,
    /// What was left out, for the report.
    pub warnings: Vec<String>,
}

/// Values for what entries leave out.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// Time zone of entries without `timezone`.
    pub timezone: Option<String>,
    /// Program of entries that carry type codes but no `program`.
    pub program: Option<String>,
}

/// The slug of an entry, for reports about entries that could not be read.
pub fn slug_of(value: &Value) -> Option<String> {
    value
        .get("slug")
        .and_then(|s| {
            s.as_str()
                .map(str::to_owned)
                .or_else(|| Some(s.to_string()))
        })
        .filter(|s| !s.is_empty() && s != "null")
}

/// Reads one entry; `Err` says why it cannot be a meeting.
pub fn read(value: &Value, line: usize, defaults: &Defaults) -> Result<Entry, String> {
    let map = value
        .as_object()
        .ok_or("an entry should be a JSON object")?;
    let mut warnings = Vec::new();
    let slug = text(map, "slug")?.ok_or("no `slug`: every entry needs its feed's id")?;
    if slug.chars().count() > 200 || slug.chars().any(char::is_control) {
        return Err("`slug`: use up to 200 characters, no control characters".into());
    }
    let name = text(map, "name")?.ok_or("no `name`")?;
    let name =
        validate::label("name", &name, 1, 120).map_err(|e| format!("`name`: {}", e.message()))?;
    let group = match text(map, "group")? {
        Some(group) => validate::label("group", &group, 1, 120)
            .map_err(|e| format!("`group`: {}", e.message()))?,
        None => name.clone(),
    };
    let days = days(map)?;
    let start = clock(map, "time")?.ok_or("no `time`: Kinship imports scheduled meetings")?;
    let duration_minutes = match clock(map, "end_time")? {
        Some(end) => {
            let minutes = (end - start).num_minutes().rem_euclid(24 * 60);
            if minutes == 0 {
                return Err("`end_time` equals `time`".into());
            }
            minutes as i32
        }
        None => 60,
    };
    let timezone = match text(map, "timezone")?.or_else(|| defaults.timezone.clone()) {
        Some(zone) => validate::timezone("timezone", &zone).map_err(|e| e.message())?,
        None => {
            return Err(
                "no `timezone`: give the feed's time zone as a default (--timezone)".into(),
            );
        }
    };
    let notes = text(map, "notes")?.unwrap_or_default();
    let (pattern, pattern_note, mut description) = pattern(&notes, &days);
    if let Some(location_notes) = text(map, "location_notes")? {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(&location_notes);
    }
    let (types, temporarily_closed, languages, accessibility, program) =
        codes(map, defaults, &mut warnings)?;
    let country_code = match text(map, "country")? {
        Some(country) => {
            let upper = country.to_ascii_uppercase();
            match upper.as_str() {
                "USA" | "UNITED STATES" | "UNITED STATES OF AMERICA" => Some("US".to_owned()),
                code if code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()) => {
                    Some(upper)
                }
                _ => {
                    warnings.push(format!(
                        "country '{country}' is not a two-letter ISO 3166 code; left out"
                    ));
                    None
                }
            }
        }
        None => None,
    };
    let venue = text(map, "location")?;
    let address = match text(map, "address")? {
        Some(address) => Some(address),
        None => text(map, "formatted_address")?,
    };
    let latitude = number(map, "latitude")?;
    let longitude = number(map, "longitude")?;
    let approximate = match map.get("approximate") {
        Some(Value::String(s)) => s.eq_ignore_ascii_case("yes"),
        Some(Value::Bool(b)) => *b,
        _ => false,
    };
    let online_url = text(map, "conference_url")?;
    let online_phone = text(map, "conference_phone")?;
    let online_notes = [
        text(map, "conference_url_notes")?,
        text(map, "conference_phone_notes")?,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    let has_location = venue.is_some() || address.is_some() || latitude.is_some();
    let has_online = online_url.is_some() || online_phone.is_some();
    let mode = match (has_location, has_online) {
        (true, true) => AttendanceMode::Hybrid,
        (true, false) => AttendanceMode::InPerson,
        (false, true) => AttendanceMode::Online,
        (false, false) => {
            return Err(
                "neither a location (`location`, `address`, `latitude`) nor online \
                        access (`conference_url`, `conference_phone`)"
                    .into(),
            );
        }
    };
    let placeholder = Id(uuid::Uuid::nil());
    let mut meeting = MeetingRow::new(placeholder, placeholder, name, mode, timezone);
    meeting.id = placeholder;
    meeting.created_at = Ts(chrono::DateTime::UNIX_EPOCH);
    meeting.updated_at = meeting.created_at;
    meeting.starts_on = NaiveDate::default();
    meeting.description = description;
    meeting.start_time = format!("{:02}:{:02}", start.hour(), start.minute());
    meeting.duration_minutes = duration_minutes;
    if temporarily_closed {
        meeting.status = MeetingStatus::TemporarilyClosed;
    }
    meeting.venue = venue;
    meeting.address = address;
    meeting.city = text(map, "city")?;
    meeting.region = text(map, "state")?;
    meeting.postal_code = text(map, "postal_code")?;
    meeting.country_code = country_code;
    meeting.latitude = latitude;
    meeting.longitude = longitude;
    meeting.location_approximate = approximate;
    meeting.online_url = online_url;
    meeting.online_phone = online_phone;
    meeting.online_notes = Some(online_notes.join("\n")).filter(|n| !n.is_empty());
    meeting.program = program;
    meeting.types = encode_list(types.iter().map(String::as_str));
    meeting.languages = encode_list(languages.iter().map(String::as_str));
    meeting.accessibility = encode_enums(&accessibility);
    Ok(Entry {
        line,
        slug,
        days,
        content: Content {
            group,
            pattern,
            pattern_note,
            meeting,
        },
        warnings,
    })
}

/// A text field: absent, null and blank are `None`; numbers are read as text (postal codes).
fn text(map: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(format!("`{key}` should be text")),
    }
}

/// A number field, also given as numeric text.
fn number(map: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("`{key}` should be a number, not '{s}'")),
        Some(_) => Err(format!("`{key}` should be a number")),
    }
}

/// `day`: a number 0-6 (0 = Sunday), numeric text, or a list of them.
fn days(map: &Map<String, Value>) -> Result<BTreeSet<u8>, String> {
    let one = |value: &Value| -> Result<u8, String> {
        let day = match value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        day.filter(|d| *d <= 6)
            .map(|d| d as u8)
            .ok_or_else(|| format!("`day` should be 0 (Sunday) to 6 (Saturday), not {value}"))
    };
    let days = match map.get("day") {
        None | Some(Value::Null) => {
            return Err("no `day`: Kinship imports meetings held on set weekdays".into());
        }
        Some(Value::Array(list)) => list.iter().map(one).collect::<Result<_, _>>()?,
        Some(value) => BTreeSet::from([one(value)?]),
    };
    if days.is_empty() {
        return Err("`day` is an empty list".into());
    }
    Ok(days)
}

/// `time` or `end_time`: `H:MM`, `HH:MM` or `HH:MM:SS`.
fn clock(map: &Map<String, Value>, key: &str) -> Result<Option<NaiveTime>, String> {
    let Some(value) = text(map, key)? else {
        return Ok(None);
    };
    NaiveTime::parse_from_str(&value, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&value, "%H:%M:%S"))
        .map(Some)
        .map_err(|_| format!("`{key}` should be a 24-hour time such as 19:30, not '{value}'"))
}

/// Sorts the `types` codes into program types, `TC`, languages and accessibility, and settles
/// the program: the entry's `program` (a Kinship extension), else the default; none for an
/// entry left without program types.
#[allow(clippy::type_complexity)]
fn codes(
    map: &Map<String, Value>,
    defaults: &Defaults,
    warnings: &mut Vec<String>,
) -> Result<
    (
        Vec<String>,
        bool,
        Vec<String>,
        Vec<AccessibilityFeature>,
        Option<String>,
    ),
    String,
> {
    let codes: Vec<String> = match map.get("types") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|code| match code {
                Value::String(s) => Ok(s.trim().to_owned()),
                other => Err(format!("`types` should hold text codes, not {other}")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("`types` should be a list of codes".into()),
    };
    let key = text(map, "program")?
        .or_else(|| defaults.program.clone())
        .map(|p| p.to_ascii_lowercase());
    let program = key.as_deref().and_then(catalog::program);
    if let (Some(key), None) = (&key, program)
        && !codes.is_empty()
    {
        warnings.push(format!(
            "program '{key}' is not one Kinship knows; its type codes are left out"
        ));
    }
    // A code means what the entry's program says it means (`S` is "Speaker" in ACA); the
    // official list's language and accessibility codes are read as such when the program
    // gives them no other meaning.
    let means_officially =
        |code: &str| program.is_none_or(|p| p.types.get(code).is_none_or(|t| t.official));
    let mut types: Vec<String> = Vec::new();
    let mut closed = false;
    let mut languages: Vec<String> = Vec::new();
    let mut accessibility = Vec::new();
    let mut unknown: Vec<&str> = Vec::new();
    for code in codes.iter().map(String::as_str).filter(|c| !c.is_empty()) {
        let feature = AccessibilityFeature::from_meeting_guide_code(code);
        if code == "TC" {
            closed = true;
        } else if let Some(feature) = feature.filter(|_| means_officially(code)) {
            if !accessibility.contains(&feature) {
                accessibility.push(feature);
            }
        } else if program.is_some_and(|p| p.types.contains_key(code)) {
            if !types.iter().any(|t| t == code) {
                types.push(code.to_owned());
            }
        } else if let Some(language) = catalog::language_of_code(code) {
            if !languages.iter().any(|l| l == language) {
                languages.push(language.to_owned());
            }
        } else if code != "ONL" && !unknown.contains(&code) {
            unknown.push(code);
        }
    }
    if !unknown.is_empty() {
        let codes = unknown.join(", ");
        match (program, &key) {
            (Some(p), _) => warnings.push(format!(
                "type code(s) {codes} are not codes of {}; left out",
                p.name
            )),
            (None, None) => warnings.push(format!(
                "type code(s) {codes} left out: no program given (--program)"
            )),
            (None, Some(_)) => {}
        }
    }
    let program = program.filter(|_| !types.is_empty()).map(|p| p.key.clone());
    Ok((types, closed, languages, accessibility, program))
}

/// Reads a schedule sentence at the start of the notes; returns the pattern, the sentence and
/// the remaining notes. A sentence that does not fit the entry's days is left in the notes.
fn pattern(notes: &str, days: &BTreeSet<u8>) -> (Pattern, Option<String>, String) {
    let (first, rest) = match notes.split_once("\n\n") {
        Some((first, rest)) => (first.trim(), rest.trim()),
        None => (notes.trim(), ""),
    };
    let found = once(first)
        .filter(|date| {
            let day = date.format("%w").to_string();
            days.len() == 1 && days.iter().any(|d| d.to_string() == day)
        })
        .map(Pattern::Once)
        .or_else(|| {
            monthly(first)
                .filter(|pairs| days.iter().all(|d| pairs.iter().any(|(_, p)| p == d)))
                .map(Pattern::Monthly)
        });
    match found {
        Some(pattern) => (pattern, Some(first.to_owned()), rest.to_owned()),
        None => (Pattern::Weekly, None, notes.trim().to_owned()),
    }
}

/// "One time only, on Friday 4 December 2026."
fn once(sentence: &str) -> Option<NaiveDate> {
    let date = sentence
        .strip_prefix("One time only, on ")?
        .strip_suffix('.')?;
    NaiveDate::parse_from_str(date, "%A %d %B %Y").ok()
}

/// "First and third Tuesday of the month.", "Last Friday of the month.", "First Tuesday and
/// third Thursday of the month.": (ordinal, weekday) pairs, a weekday applying to the ordinals
/// before it.
fn monthly(sentence: &str) -> Option<Vec<(i8, u8)>> {
    let lower = sentence.to_lowercase();
    let body = lower.strip_suffix(" of the month.")?;
    let mut pairs = Vec::new();
    let mut waiting: Vec<i8> = Vec::new();
    for word in body
        .split([' ', ','])
        .filter(|w| !w.is_empty() && *w != "and")
    {
        if let Some((_, ordinal)) = ORDINALS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(word))
        {
            waiting.push(*ordinal);
        } else {
            let day = DAY_NAMES
                .iter()
                .position(|d| d.eq_ignore_ascii_case(word))? as u8;
            if waiting.is_empty() {
                return None;
            }
            pairs.extend(waiting.drain(..).map(|ordinal| (ordinal, day)));
        }
    }
    (waiting.is_empty() && !pairs.is_empty()).then_some(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defaults() -> Defaults {
        Defaults {
            timezone: Some("America/New_York".into()),
            program: Some("aa".into()),
        }
    }

    #[test]
    fn monthly_sentences_read_as_ordinal_weekdays() {
        assert_eq!(monthly("Last Friday of the month."), Some(vec![(-1, 5)]));
        assert_eq!(
            monthly("First and third Tuesday of the month."),
            Some(vec![(1, 2), (3, 2)])
        );
        assert_eq!(
            monthly("First Tuesday and Third Thursday of the month."),
            Some(vec![(1, 2), (3, 4)])
        );
        assert_eq!(monthly("Bring a friend of the month."), None);
        assert_eq!(monthly("First of the month."), None);
    }

    #[test]
    fn an_entry_reads_into_kinship_fields() {
        let entry = read(
            &json!({
                "name": "Sunrise", "slug": "sunrise", "day": [1, "3"], "time": "7:00",
                "end_time": "08:30", "types": ["O", "S", "X", "TC", "ZZZ"],
                "location": "Hall", "latitude": "40.1", "longitude": -73.2,
                "country": "USA", "notes": "Last Friday of the month.\n\nCoffee."
            }),
            7,
            &defaults(),
        )
        .expect("reads");
        assert_eq!(entry.days, BTreeSet::from([1, 3]));
        assert_eq!(
            entry.content.pattern,
            Pattern::Weekly,
            "Friday does not fit Monday"
        );
        let m = entry.content.meeting;
        assert_eq!((m.start_time.as_str(), m.duration_minutes), ("07:00", 90));
        assert_eq!(m.type_codes(), vec!["O"]);
        assert_eq!(m.languages, ",es,");
        assert_eq!(
            m.accessibility_features(),
            vec![AccessibilityFeature::Wheelchair]
        );
        assert_eq!(m.status, MeetingStatus::TemporarilyClosed);
        assert_eq!(m.program.as_deref(), Some("aa"));
        assert_eq!(m.country_code.as_deref(), Some("US"));
        assert_eq!(m.latitude, Some(40.1));
        assert_eq!(m.attendance_mode, AttendanceMode::InPerson);
        assert_eq!(m.description, "Last Friday of the month.\n\nCoffee.");
        assert_eq!(entry.warnings.len(), 1, "{:?}", entry.warnings);
    }

    #[test]
    fn a_code_means_what_its_program_says() {
        let read_with = |program: &str| {
            let entry = read(
                &json!({ "slug": "a", "name": "A", "day": 1, "time": "19:00", "location": "Hall",
                         "program": program, "types": ["S", "X"] }),
                1,
                &defaults(),
            )
            .expect("reads");
            entry.content.meeting
        };
        let aca = read_with("aca");
        assert_eq!(aca.type_codes(), vec!["S"], "Speaker in ACA");
        assert_eq!(aca.languages, ",");
        let aa = read_with("aa");
        assert!(aa.type_codes().is_empty());
        assert_eq!(aa.languages, ",es,", "Spanish in AA");
        assert_eq!(
            aa.accessibility_features(),
            vec![AccessibilityFeature::Wheelchair]
        );
    }

    #[test]
    fn malformed_entries_say_why() {
        let cases = [
            (json!({"name": "A", "day": 1, "time": "19:00"}), "slug"),
            (
                json!({"slug": "a", "name": "A", "day": 9, "time": "19:00"}),
                "day",
            ),
            (
                json!({"slug": "a", "name": "A", "day": 1, "time": "7pm"}),
                "time",
            ),
            (
                json!({"slug": "a", "name": "A", "day": 1, "time": "19:00"}),
                "location",
            ),
            (json!(["not", "an", "object"]), "object"),
        ];
        for (value, word) in cases {
            let error = read(&value, 1, &defaults()).expect_err("rejected");
            assert!(error.contains(word), "{error} should mention {word}");
        }
    }
}
