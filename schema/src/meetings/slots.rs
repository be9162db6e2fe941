//! The weekly slot index that lets SQL answer "meetings starting between two instants" without
//! computing every meeting's occurrences. A slot is a minute of the UTC week (0 is Sunday 00:00
//! UTC) at which an occurrence of the meeting may start, for each weekday its rule can fall on
//! and for each UTC offset its time zone uses in the year (standard and daylight time), with the
//! meeting's map cell. Slots are a superset: the search still checks each candidate's real
//! occurrences (exceptions, monthly ordinals, first and last days), so a slot too many costs a
//! little time and never a wrong answer. Moved occurrences are found through their exceptions.

use super::model::MeetingRow;
use super::recurrence::{WEEKDAY_CODES, rule_part};
use crate::db::tables::meeting_slots;
use crate::db::{DbConnection, Id, insert_in_batches};
use crate::error::ApiResult;
use chrono::{DateTime, Datelike, NaiveTime, Offset, TimeZone, Timelike, Utc};
use diesel::prelude::*;
use std::collections::BTreeSet;

/// Minutes in a week.
pub const WEEK_MINUTES: i32 = 7 * 24 * 60;
/// Size of a map cell in degrees.
const CELL_DEGREES: f64 = 0.25;
/// Beyond this many cells a search filters by time only.
const MAX_CELLS: usize = 64;

/// One slot of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_slots)]
pub struct SlotRow {
    /// The meeting.
    pub meeting_id: Id,
    /// Its organization.
    pub organization_id: Id,
    /// Minute of the UTC week (Sunday 00:00 UTC is 0) an occurrence may start at.
    pub minute_of_week: i32,
    /// The map cell of its place; `None` without coordinates.
    pub cell: Option<i32>,
}

/// The map cell of a point.
pub fn cell_of(latitude: f64, longitude: f64) -> i32 {
    let row = ((latitude.clamp(-90.0, 90.0) + 90.0) / CELL_DEGREES).floor() as i32;
    let column = ((longitude.clamp(-180.0, 180.0) + 180.0) / CELL_DEGREES).floor() as i32;
    row * 1440 + column
}

/// The cells a circle around a point touches; `None` when they are too many to list.
pub fn cells_around(latitude: f64, longitude: f64, radius_km: f64) -> Option<Vec<i32>> {
    if !radius_km.is_finite() {
        return None;
    }
    let dlat = radius_km / 111.0;
    let dlon = radius_km / (111.0 * latitude.to_radians().cos().abs().max(0.01));
    let rows = (latitude - dlat, latitude + dlat);
    let columns = (longitude - dlon, longitude + dlon);
    if columns.1 - columns.0 >= 360.0 {
        return None;
    }
    let (south, north) = (cell_of(rows.0, 0.0) / 1440, cell_of(rows.1, 0.0) / 1440);
    let mut column_spans = Vec::new();
    // Wrap across the antimeridian.
    for (west, east) in [
        (columns.0.max(-180.0), columns.1.min(180.0)),
        (columns.0 + 360.0, 180.0),
        (-180.0, columns.1 - 360.0),
    ] {
        if west <= east && west <= 180.0 && east >= -180.0 {
            column_spans.push((cell_of(0.0, west) % 1440, cell_of(0.0, east) % 1440));
        }
    }
    let mut cells = Vec::new();
    for row in south..=north {
        for (west, east) in &column_spans {
            for column in *west..=*east {
                cells.push(row * 1440 + column);
                if cells.len() > MAX_CELLS {
                    return None;
                }
            }
        }
    }
    Some(cells)
}

/// The local weekdays (0 = Sunday) a meeting's rule can fall on.
fn weekdays(row: &MeetingRow) -> BTreeSet<i32> {
    let start_day = row.starts_on.weekday().num_days_from_sunday() as i32;
    let Some(rule) = row.rrule.as_deref() else {
        return BTreeSet::from([start_day]);
    };
    let part = |name: &str| rule_part(rule, name);
    let listed: BTreeSet<i32> = part("BYDAY=")
        .unwrap_or("")
        .split(',')
        .filter_map(|day| {
            let code = day.get(day.len().saturating_sub(2)..)?;
            WEEKDAY_CODES
                .iter()
                .position(|c| *c == code)
                .map(|d| d as i32)
        })
        .collect();
    match part("FREQ=") {
        _ if !listed.is_empty() => listed,
        Some("WEEKLY") => BTreeSet::from([start_day]),
        _ => (0..7).collect(),
    }
}

/// The UTC offsets (seconds east) a time zone uses this year and next.
fn offsets(zone: chrono_tz::Tz, now: DateTime<Utc>) -> BTreeSet<i32> {
    let year = now.year();
    [(year, 1), (year, 7), (year + 1, 1), (year + 1, 7)]
        .into_iter()
        .filter_map(|(y, m)| {
            chrono::NaiveDate::from_ymd_opt(y, m, 15).map(|d| d.and_time(NaiveTime::MIN))
        })
        .map(|instant| {
            zone.offset_from_utc_datetime(&instant)
                .fix()
                .local_minus_utc()
        })
        .collect()
}

/// The slots of a meeting (none when its schedule is unreadable: it is then never found by
/// time, as the search would skip it anyway).
pub fn slots_of(row: &MeetingRow, now: DateTime<Utc>) -> Vec<SlotRow> {
    let (Ok(zone), Ok(time)) = (
        row.timezone.parse::<chrono_tz::Tz>(),
        NaiveTime::parse_from_str(&row.start_time, "%H:%M"),
    ) else {
        return Vec::new();
    };
    let local_minute = (time.hour() * 60 + time.minute()) as i32;
    let cell = match (row.latitude, row.longitude) {
        (Some(lat), Some(lon)) => Some(cell_of(lat, lon)),
        _ => None,
    };
    let mut minutes = BTreeSet::new();
    for day in weekdays(row) {
        for offset in offsets(zone, now) {
            minutes.insert((day * 1440 + local_minute - offset / 60).rem_euclid(WEEK_MINUTES));
        }
    }
    minutes
        .into_iter()
        .map(|minute_of_week| SlotRow {
            meeting_id: row.id,
            organization_id: row.organization_id,
            minute_of_week,
            cell,
        })
        .collect()
}

/// Whether an occurrence of the meeting may start in `[from, to)`, judged from its weekdays and
/// local start time alone: `false` only when none can, so the search can skip expanding the
/// rule of a candidate whose slot matched through its other UTC offset. Exceptions are not
/// considered: call it for meetings without any.
pub fn may_start_between(row: &MeetingRow, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    use chrono::LocalResult;
    let (Ok(zone), Ok(time)) = (
        row.timezone.parse::<chrono_tz::Tz>(),
        NaiveTime::parse_from_str(&row.start_time, "%H:%M"),
    ) else {
        return true;
    };
    if to - from > chrono::Duration::days(7) {
        return true;
    }
    let days = weekdays(row);
    let within = |instant: DateTime<chrono_tz::Tz>| {
        let instant = instant.with_timezone(&Utc);
        instant >= from && instant < to
    };
    let mut day = from.with_timezone(&zone).date_naive() - chrono::Duration::days(1);
    let last = to.with_timezone(&zone).date_naive();
    while day <= last {
        if days.contains(&(day.weekday().num_days_from_sunday() as i32)) {
            match zone.from_local_datetime(&day.and_time(time)) {
                LocalResult::Single(start) if within(start) => return true,
                LocalResult::Ambiguous(a, b) if within(a) || within(b) => return true,
                // A local time the clocks skip: the rule engine decides where it lands.
                LocalResult::None => return true,
                _ => {}
            }
        }
        day += chrono::Duration::days(1);
    }
    false
}

/// The minute-of-week ranges (inclusive) that starts in `[from, to)` fall in; `None` for a
/// window of a week or more (every slot).
pub fn window_ranges(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<Vec<(i32, i32)>> {
    if to <= from {
        return Some(Vec::new());
    }
    // From the minute of `from` to the minute of the window's last instant.
    let last = to - chrono::Duration::nanoseconds(1);
    let minutes = last.timestamp().div_euclid(60) - from.timestamp().div_euclid(60);
    if minutes >= i64::from(WEEK_MINUTES) {
        return None;
    }
    let start = from.weekday().num_days_from_sunday() as i32 * 1440
        + (from.hour() * 60 + from.minute()) as i32;
    let end = start + minutes as i32;
    Some(if end < WEEK_MINUTES {
        vec![(start, end)]
    } else {
        vec![(start, WEEK_MINUTES - 1), (0, end - WEEK_MINUTES)]
    })
}

/// Writes a meeting's slots, replacing those it had.
pub fn replace(conn: &mut DbConnection, row: &MeetingRow) -> ApiResult<()> {
    diesel::delete(meeting_slots::table.filter(meeting_slots::meeting_id.eq(row.id)))
        .execute(conn)?;
    insert_all(conn, &slots_of(row, Utc::now()))
}

/// Inserts slots in statements of many rows.
fn insert_all(conn: &mut DbConnection, slots: &[SlotRow]) -> ApiResult<()> {
    insert_in_batches!(conn, meeting_slots::table, slots, 4);
    Ok(())
}

/// Writes the slots of meetings that have none (written before the index existed); run after
/// migrations. Returns how many meetings it indexed.
pub fn backfill(conn: &mut DbConnection) -> ApiResult<usize> {
    use crate::db::tables::meetings;
    use diesel::dsl::{exists, not};
    let now = Utc::now();
    let mut indexed = 0;
    let mut after: Option<Id> = None;
    loop {
        let mut query = meetings::table
            .filter(not(exists(
                meeting_slots::table.filter(meeting_slots::meeting_id.eq(meetings::id)),
            )))
            .order(meetings::id.asc())
            .select(MeetingRow::as_select())
            .limit(2_000)
            .into_boxed();
        if let Some(last) = after {
            query = query.filter(meetings::id.gt(last));
        }
        let missing: Vec<MeetingRow> = query.load(conn)?;
        let Some(last) = missing.last() else {
            return Ok(indexed);
        };
        after = Some(last.id);
        let slots: Vec<SlotRow> = missing.iter().flat_map(|m| slots_of(m, now)).collect();
        insert_all(conn, &slots)?;
        indexed += missing.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meetings::model::AttendanceMode;
    use chrono::NaiveDate;

    fn meeting(rrule: Option<&str>, time: &str, zone: &str) -> MeetingRow {
        let id = Id::new();
        let mut row = MeetingRow::new(id, id, "m".into(), AttendanceMode::Online, zone.into());
        row.rrule = rrule.map(str::to_owned);
        row.start_time = time.into();
        row.duration_minutes = 60;
        row.starts_on = NaiveDate::from_ymd_opt(2026, 1, 6).expect("a Tuesday");
        row
    }

    #[test]
    fn a_new_york_evening_has_a_winter_and_a_summer_slot() {
        let now = Utc::now();
        let slots: Vec<i32> = slots_of(
            &meeting(Some("FREQ=WEEKLY;BYDAY=TU"), "19:00", "America/New_York"),
            now,
        )
        .iter()
        .map(|s| s.minute_of_week)
        .collect();
        // Tuesday 19:00 is Wednesday 00:00 UTC in winter, Tuesday 23:00 UTC in summer.
        assert_eq!(slots, vec![2 * 1440 + 23 * 60, 3 * 1440]);
        let monthly = slots_of(
            &meeting(Some("FREQ=MONTHLY;BYDAY=-1FR"), "08:00", "UTC"),
            now,
        );
        assert_eq!(monthly.len(), 1);
        let daily = slots_of(&meeting(Some("FREQ=DAILY"), "08:00", "Asia/Tokyo"), now);
        assert_eq!(daily.len(), 7);
        let once = slots_of(&meeting(None, "08:00", "UTC"), now);
        assert_eq!(
            once[0].minute_of_week,
            2 * 1440 + 8 * 60,
            "its date's weekday"
        );
    }

    #[test]
    fn windows_wrap_at_the_end_of_the_week() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("instant");
        // 2026-11-28 is a Saturday; the window ends before 01:00.
        assert_eq!(
            window_ranges(at("2026-11-28T23:00:00Z"), at("2026-11-29T01:00:00Z")),
            Some(vec![(6 * 1440 + 23 * 60, WEEK_MINUTES - 1), (0, 59)])
        );
        assert_eq!(
            window_ranges(at("2026-11-28T10:16:57Z"), at("2026-11-28T10:18:17Z")),
            Some(vec![(6 * 1440 + 616, 6 * 1440 + 618)]),
            "seconds: the last instant's minute is in"
        );
        assert_eq!(
            window_ranges(at("2026-11-28T00:00:00Z"), at("2026-12-08T00:00:00Z")),
            None
        );
    }

    #[test]
    fn cells_cover_the_circle() {
        let cells = cells_around(40.75, -73.98, 10.0).expect("a few cells");
        assert!(cells.contains(&cell_of(40.75, -73.98)));
        assert!(cells.contains(&cell_of(40.66, -73.98)), "10 km south");
        assert!(cells.len() <= 9);
        assert!(cells_around(40.0, 0.0, 500.0).is_none(), "too many to list");
        let fiji = cells_around(-17.7, 179.95, 20.0).expect("cells");
        assert!(
            fiji.contains(&cell_of(-17.7, -179.9)),
            "across the antimeridian"
        );
    }

    fn minute_of(instant: DateTime<Utc>) -> i32 {
        instant.weekday().num_days_from_sunday() as i32 * 1440
            + (instant.hour() * 60 + instant.minute()) as i32
    }

    proptest::proptest! {
        /// Every occurrence of the next two years starts at one of the meeting's slots, in any
        /// zone, across daylight-saving changes and at times the changes skip or repeat.
        #[test]
        fn every_occurrence_starts_at_a_slot(
            zone in proptest::sample::select(vec!["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland", "America/Santiago", "UTC"]),
            rule in proptest::sample::select(vec![Some("FREQ=WEEKLY;BYDAY=SU"), Some("FREQ=WEEKLY;BYDAY=MO,WE,FR"), Some("FREQ=WEEKLY"), Some("FREQ=MONTHLY;BYDAY=-1FR"), Some("FREQ=MONTHLY;BYDAY=1TU,3TH"), Some("FREQ=DAILY"), Some("FREQ=MONTHLY;BYMONTHDAY=15"), None]),
            hour in 0u32..24,
            minute in proptest::sample::select(vec![0u32, 30, 59]),
            start_offset in 0i64..400,
        ) {
            let now = Utc::now();
            let mut row = meeting(rule, &format!("{hour:02}:{minute:02}"), zone);
            row.starts_on = now.date_naive() + chrono::Duration::days(start_offset);
            let slots: BTreeSet<i32> = slots_of(&row, now).iter().map(|s| s.minute_of_week).collect();
            // A one-off at a time the clocks skip on its day is refused when it is written.
            proptest::prop_assume!(row.schedule().is_ok());
            let schedule = row.schedule().expect("valid");
            for start in schedule.starts_between(now, now + chrono::Duration::days(730), 500) {
                proptest::prop_assert!(slots.contains(&minute_of(start)), "{start} of {rule:?} at {hour}:{minute} in {zone}");
            }
        }

        /// The quick check never rules out a meeting that has an occurrence in the window.
        #[test]
        fn the_quick_check_keeps_every_meeting_with_an_occurrence_in_the_window(
            zone in proptest::sample::select(vec!["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "Pacific/Auckland", "America/Santiago", "UTC"]),
            rule in proptest::sample::select(vec![Some("FREQ=WEEKLY;BYDAY=SU"), Some("FREQ=WEEKLY;BYDAY=MO,WE,FR"), Some("FREQ=WEEKLY"), Some("FREQ=MONTHLY;BYDAY=-1FR"), Some("FREQ=DAILY"), Some("FREQ=MONTHLY;BYMONTHDAY=15"), None]),
            hour in 0u32..24,
            minute in proptest::sample::select(vec![0u32, 30, 59]),
            start_offset in 0i64..60,
            window_start in 0i64..(400 * 24 * 60),
            window_minutes in 1i64..(3 * 24 * 60),
        ) {
            let now = Utc::now();
            let mut row = meeting(rule, &format!("{hour:02}:{minute:02}"), zone);
            row.starts_on = now.date_naive() + chrono::Duration::days(start_offset);
            let from = now + chrono::Duration::minutes(window_start);
            let to = from + chrono::Duration::minutes(window_minutes);
            proptest::prop_assume!(row.schedule().is_ok());
            let schedule = row.schedule().expect("valid");
            if !schedule.starts_between(from, to, 10).is_empty() {
                proptest::prop_assert!(may_start_between(&row, from, to), "{rule:?} at {hour}:{minute} in {zone}, {from}..{to}");
            }
        }

        /// The ranges of a window hold the minute of every instant in it.
        #[test]
        fn window_ranges_hold_every_instant_of_the_window(
            from_seconds in 1_700_000_000i64..1_900_000_000,
            length in 1i64..(7 * 24 * 60 * 60 - 61),
            at in 0.0f64..1.0,
        ) {
            let from = DateTime::from_timestamp(from_seconds, 0).expect("instant");
            let to = from + chrono::Duration::seconds(length);
            let instant = from + chrono::Duration::seconds((length as f64 * at) as i64);
            let ranges = window_ranges(from, to).expect("under a week");
            let minute = minute_of(instant);
            proptest::prop_assert!(ranges.iter().any(|(a, b)| (*a..=*b).contains(&minute)), "{instant} in {ranges:?}");
        }
    }
}
