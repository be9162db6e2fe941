//! The iCalendar writer (RFC 5545) behind `GET /feeds/meetings/{meetingId}.ics` and
//! `GET /feeds/groups/{groupId}.ics` (routes in `kinship-api`), for meetings of public and
//! unlisted groups. Each meeting is a recurring event in its own time zone (`DTSTART;TZID=...`
//! with a `VTIMEZONE` built from the time zone database, so any calendar app shows the right
//! local times), cancelled occurrences are `EXDATE`s, and moved ones are overriding events with
//! a `RECURRENCE-ID`.
use super::model::{Calendar, ExceptionKind, MeetingRow};
use super::recurrence::Schedule;
use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetName, Tz};

/// Escapes text values (commas, semicolons, backslashes, newlines).
fn text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets, as RFC 5545 requires, and ends it with CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn local(instant: DateTime<Utc>, zone: Tz) -> String {
    instant
        .with_timezone(&zone)
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

fn offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.abs();
    format!("{sign}{:02}{:02}", seconds / 3600, seconds % 3600 / 60)
}

fn offset_at(zone: Tz, instant: DateTime<Utc>) -> (i32, String) {
    let at = zone.offset_from_utc_datetime(&instant.naive_utc());
    (
        at.fix().local_minus_utc(),
        at.abbreviation().unwrap_or("").to_owned(),
    )
}

/// The instants in `[from, to)` when `zone`'s offset changes, to the minute. The span is
/// walked a week at a time and each change found by bisection, so a span of centuries costs a
/// few thousand offset lookups (zones change at most a few times a year, never twice a week).
fn transitions(zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    const STEP_MINUTES: i64 = 7 * 24 * 60;
    let mut found = Vec::new();
    let mut at = from;
    while at < to {
        let next = at + Duration::minutes(STEP_MINUTES);
        let before = offset_at(zone, at).0;
        if before != offset_at(zone, next).0 {
            let (mut low, mut high) = (0i64, STEP_MINUTES);
            while high - low > 1 {
                let middle = (low + high) / 2;
                if offset_at(zone, at + Duration::minutes(middle)).0 == before {
                    low = middle;
                } else {
                    high = middle;
                }
            }
            found.push(at + Duration::minutes(high));
        }
        at = next;
    }
    found
}

/// A `VTIMEZONE` listing `zone`'s offset changes over the years the events span, from the one
/// in effect at `from` (so that an observance covers the first event's start).
fn vtimezone(out: &mut String, zone: Tz, from: DateTime<Utc>, to: DateTime<Utc>) {
    line(out, "BEGIN:VTIMEZONE");
    line(out, &format!("TZID:{}", zone.name()));
    let mut changes: Vec<DateTime<Utc>> = transitions(zone, from - Duration::days(400), from)
        .into_iter()
        .last()
        .into_iter()
        .collect();
    changes.extend(transitions(zone, from, to));
    if changes.is_empty() {
        let (seconds, name) = offset_at(zone, from);
        line(out, "BEGIN:STANDARD");
        line(out, "DTSTART:19700101T000000");
        line(out, &format!("TZOFFSETFROM:{}", offset(seconds)));
        line(out, &format!("TZOFFSETTO:{}", offset(seconds)));
        line(out, &format!("TZNAME:{}", text(&name)));
        line(out, "END:STANDARD");
    }
    for change in changes {
        let (before, _) = offset_at(zone, change - Duration::minutes(1));
        let (after, name) = offset_at(zone, change);
        let kind = if after > before {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        let local_start: NaiveDateTime = change.naive_utc() + Duration::seconds(i64::from(before));
        line(out, &format!("BEGIN:{kind}"));
        line(
            out,
            &format!("DTSTART:{}", local_start.format("%Y%m%dT%H%M%S")),
        );
        line(out, &format!("TZOFFSETFROM:{}", offset(before)));
        line(out, &format!("TZOFFSETTO:{}", offset(after)));
        line(out, &format!("TZNAME:{}", text(&name)));
        line(out, &format!("END:{kind}"));
    }
    line(out, "END:VTIMEZONE");
}

fn location(meeting: &MeetingRow) -> Option<String> {
    let parts: Vec<&str> = [
        &meeting.venue,
        &meeting.address,
        &meeting.city,
        &meeting.region,
        &meeting.postal_code,
        &meeting.country_code,
    ]
    .into_iter()
    .filter_map(|p| p.as_deref())
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The event and its overrides for one meeting.
fn events(
    out: &mut String,
    meeting: &MeetingRow,
    exceptions: &[crate::meetings::model::ExceptionRow],
    schedule: &Schedule,
    first: DateTime<Utc>,
    stamp: &str,
) {
    let zone = schedule.timezone;
    let uid = format!("{}@kinship", meeting.id);
    let describe = |out: &mut String| {
        line(out, &format!("SUMMARY:{}", text(&meeting.name)));
        let mut description = meeting.description.clone();
        if let Some(url) = &meeting.online_url {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&format!("Join online: {url}"));
        }
        if !description.is_empty() {
            line(out, &format!("DESCRIPTION:{}", text(&description)));
        }
        if let Some(place) = location(meeting) {
            line(out, &format!("LOCATION:{}", text(&place)));
        }
        if let (Some(lat), Some(lon)) = (meeting.latitude, meeting.longitude) {
            line(out, &format!("GEO:{lat};{lon}"));
        }
        if let Some(url) = &meeting.online_url {
            line(out, &format!("URL:{url}"));
        }
    };
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{uid}"));
    line(out, &format!("DTSTAMP:{stamp}"));
    line(
        out,
        &format!("DTSTART;TZID={}:{}", zone.name(), local(first, zone)),
    );
    line(out, &format!("DURATION:PT{}M", meeting.duration_minutes));
    if let Some(rule) = &meeting.rrule {
        let until = meeting.ends_on.map(|day| {
            let end_of_day =
                crate::meetings::recurrence::local_midnight(zone, day + Duration::days(1));
            format!(";UNTIL={}", utc(end_of_day - Duration::seconds(1)))
        });
        line(out, &format!("RRULE:{rule}{}", until.unwrap_or_default()));
    }
    for exception in exceptions
        .iter()
        .filter(|e| e.kind == ExceptionKind::Cancelled)
    {
        line(
            out,
            &format!(
                "EXDATE;TZID={}:{}",
                zone.name(),
                local(exception.occurrence_start.0, zone)
            ),
        );
    }
    describe(out);
    line(out, "STATUS:CONFIRMED");
    line(out, "END:VEVENT");
    for exception in exceptions
        .iter()
        .filter(|e| e.kind == ExceptionKind::Rescheduled)
    {
        let Some(new_start) = exception.new_start else {
            continue;
        };
        line(out, "BEGIN:VEVENT");
        line(out, &format!("UID:{uid}"));
        line(out, &format!("DTSTAMP:{stamp}"));
        line(
            out,
            &format!(
                "RECURRENCE-ID;TZID={}:{}",
                zone.name(),
                local(exception.occurrence_start.0, zone)
            ),
        );
        line(
            out,
            &format!("DTSTART;TZID={}:{}", zone.name(), local(new_start.0, zone)),
        );
        line(
            out,
            &format!(
                "DURATION:PT{}M",
                exception
                    .new_duration_minutes
                    .unwrap_or(meeting.duration_minutes)
            ),
        );
        describe(out);
        if !exception.note.is_empty() {
            line(out, &format!("COMMENT:{}", text(&exception.note)));
        }
        line(out, "END:VEVENT");
    }
}

/// Renders a calendar.
pub fn render(name: &str, (_, meetings): &Calendar) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Kinship//Meetings//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    let stamp = utc(Utc::now());
    let mut planned = Vec::new();
    for (meeting, exceptions) in meetings {
        let Ok(schedule) = meeting.schedule() else {
            continue;
        };
        let from =
            crate::meetings::recurrence::local_midnight(schedule.timezone, meeting.starts_on);
        let Some(first) = schedule
            .starts_between(from, from + Duration::days(400), 1)
            .first()
            .copied()
        else {
            continue;
        };
        planned.push((meeting, exceptions, schedule, first));
    }
    let mut zones: Vec<Tz> = planned.iter().map(|(_, _, s, _)| s.timezone).collect();
    zones.sort_by_key(|z| z.name());
    zones.dedup();
    let earliest = planned
        .iter()
        .map(|(_, _, _, first)| *first)
        .min()
        .unwrap_or_else(Utc::now);
    let span_end = Utc::now().max(earliest) + Duration::days(365 * 3);
    for zone in zones {
        vtimezone(&mut out, zone, earliest - Duration::days(1), span_end);
    }
    for (meeting, exceptions, schedule, first) in &planned {
        events(&mut out, meeting, exceptions, schedule, *first, &stamp);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_york_changes_offset_twice_a_year() {
        let zone: Tz = "America/New_York".parse().expect("zone");
        let from = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("date");
        let changes = transitions(zone, from, from + Duration::days(365));
        assert_eq!(
            changes,
            vec![
                Utc.with_ymd_and_hms(2026, 3, 8, 7, 0, 0)
                    .single()
                    .expect("spring"),
                Utc.with_ymd_and_hms(2026, 11, 1, 6, 0, 0)
                    .single()
                    .expect("autumn"),
            ]
        );
    }

    #[test]
    fn long_lines_are_folded() {
        let mut out = String::new();
        line(&mut out, &"x".repeat(160));
        assert!(out.split("\r\n").all(|l| l.len() <= 75));
        assert_eq!(out.replace("\r\n ", ""), format!("{}\r\n", "x".repeat(160)));
    }
}
