//! The occurrence horizon: every active meeting's occurrences from a day ago to six weeks ahead,
//! computed by the recurrence engine (exceptions applied, cancelled occurrences left out) and
//! stored in `meeting_occurrences` with what a search near a point needs beside them: the map
//! cell and coordinates of the place, the group, and whether the group is public. A search whose
//! time window lies inside the horizon reads occurrences from an index range instead of expanding
//! schedules; a window outside it (starting more than a day ago, or ending past the horizon)
//! is answered by expanding each candidate's schedule.
//!
//! It is kept current three ways: a meeting's occurrences are rewritten in the transaction that
//! changes the meeting or its exceptions ([`replace`]); a group's `public` flag follows its
//! visibility ([`set_public`]); and [`extend`] moves the horizon forward once a day (the server
//! runs it at start and every hour). Writers and [`extend`] serialise on the one
//! `occurrence_horizon` row (a row lock on PostgreSQL, the write lock on SQLite), so a meeting
//! or group changed during an extension is never left with a gap or a stale visibility; see
//! [`replace`] for the locks a rewrite takes.

use super::model::{MeetingRow, MeetingStatus, exceptions_of, take_exceptions_of};
use super::recurrence::{self, Exception, Status};
use crate::db::tables::{meeting_occurrences, meetings, occurrence_horizon, support_groups};
use crate::db::{DbConnection, Id, insert_in_batches, write_transaction};
use crate::error::ApiResult;
use crate::groups::model::GroupVisibility;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

/// How far ahead of now occurrences are written, in days.
pub const HORIZON_DAYS: i64 = 42;
/// [`extend`] does nothing while the horizon reaches at least this many days ahead, so the
/// horizon moves once a day and a search can always look five weeks ahead.
const EXTEND_BELOW_DAYS: i64 = HORIZON_DAYS - 1;
/// Size of a map cell in degrees.
const CELL_DEGREES: f64 = 0.25;
/// Beyond this many cells a search filters by time only.
const MAX_CELLS: usize = 64;
/// Meetings extended per transaction when the horizon moves forward: small enough that a write
/// to one of them never waits long.
const EXTEND_BATCH: i64 = 500;

/// How long after its start an occurrence is kept: the horizon begins this long before now.
pub fn kept_past() -> Duration {
    Duration::days(1)
}

/// One stored occurrence.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_occurrences)]
pub struct OccurrenceRow {
    /// The meeting.
    pub meeting_id: Id,
    /// When it starts (moved, if rescheduled), in Unix microseconds.
    pub start_micros: i64,
    /// The start the schedule gives it, when it was moved.
    pub moved_from_micros: Option<i64>,
    /// The meeting's organization.
    pub organization_id: Id,
    /// The meeting's group.
    pub group_id: Id,
    /// Whether the group is public (anyone may find the meeting).
    pub public: bool,
    /// The map cell of the meeting's place.
    pub cell: Option<i32>,
    /// The place's latitude.
    pub latitude: Option<f64>,
    /// The place's longitude.
    pub longitude: Option<f64>,
}

/// An instant as stored: Unix microseconds.
pub fn micros(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_micros()
}

/// A stored instant.
pub fn instant(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// The map cell of a point.
pub fn cell_of(latitude: f64, longitude: f64) -> i32 {
    // Latitude 90 and longitude 180 are the east and north edges of the last row and column.
    let row = (((latitude.clamp(-90.0, 90.0) + 90.0) / CELL_DEGREES).floor() as i32).min(719);
    let column =
        (((longitude.clamp(-180.0, 180.0) + 180.0) / CELL_DEGREES).floor() as i32).min(1439);
    row * 1440 + column
}

/// The latitude and longitude ranges of the box around a circle (the longitudes may pass ±180).
pub fn bounding_box(latitude: f64, longitude: f64, radius_km: f64) -> ((f64, f64), (f64, f64)) {
    let dlat = radius_km / 111.0;
    let dlon = radius_km / (111.0 * latitude.to_radians().cos().abs().max(0.01));
    (
        (latitude - dlat, latitude + dlat),
        (longitude - dlon, longitude + dlon),
    )
}

/// The cells a circle around a point touches; `None` when they are too many to list.
pub fn cells_around(latitude: f64, longitude: f64, radius_km: f64) -> Option<Vec<i32>> {
    if !radius_km.is_finite() {
        return None;
    }
    let (rows, columns) = bounding_box(latitude, longitude, radius_km);
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

/// Whether the horizon ending at `until` holds every occurrence starting in `[from, to)`.
pub fn covers(
    until: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    from >= now - kept_past() && to <= until
}

/// The occurrences of a meeting that take place in `[from, to)`, as stored: none unless the
/// meeting is active and its schedule readable.
pub fn rows_of(
    row: &MeetingRow,
    exceptions: &[Exception],
    public: bool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<OccurrenceRow> {
    if row.status != MeetingStatus::Active || to <= from {
        return Vec::new();
    }
    let Ok(schedule) = row.schedule() else {
        return Vec::new();
    };
    let cell = match (row.latitude, row.longitude) {
        (Some(lat), Some(lon)) => Some(cell_of(lat, lon)),
        _ => None,
    };
    let mut taking_place: Vec<_> =
        recurrence::occurrences(&schedule, exceptions, from, to, recurrence::MAX_OCCURRENCES)
            .into_iter()
            .filter(|o| o.status != Status::Cancelled)
            .collect();
    // An occurrence moved onto another one's start: one row for the instant, the first in
    // the engine's order (the one searches show as the next occurrence).
    taking_place.dedup_by_key(|o| o.start);
    taking_place
        .into_iter()
        .map(|o| OccurrenceRow {
            meeting_id: row.id,
            start_micros: micros(o.start),
            moved_from_micros: (o.status == Status::Rescheduled).then(|| micros(o.original_start)),
            organization_id: row.organization_id,
            group_id: row.group_id,
            public,
            cell,
            latitude: row.latitude,
            longitude: row.longitude,
        })
        .collect()
}

/// How far ahead occurrences are known to be stored, shared by the server's searches and the
/// task that moves the horizon: a search whose window ends within it reads stored occurrences.
/// Only moves forward; `None` until the server has read it.
#[derive(Debug, Clone, Default)]
pub struct KnownHorizon(std::sync::Arc<std::sync::atomic::AtomicI64>);

impl KnownHorizon {
    /// The horizon as stored now.
    pub fn read(conn: &mut DbConnection) -> ApiResult<KnownHorizon> {
        let until: i64 = occurrence_horizon::table
            .find(1)
            .select(occurrence_horizon::until_micros)
            .first(conn)?;
        let known = KnownHorizon::default();
        known.moved_to(instant(until));
        Ok(known)
    }

    /// Records that the horizon reaches `until`.
    pub fn moved_to(&self, until: DateTime<Utc>) {
        self.0
            .fetch_max(micros(until), std::sync::atomic::Ordering::AcqRel);
    }

    /// Where the horizon is known to end.
    pub fn until(&self) -> Option<DateTime<Utc>> {
        match self.0.load(std::sync::atomic::Ordering::Acquire) {
            0 => None,
            until => Some(instant(until)),
        }
    }
}

/// How far a rewrite writes: the horizon's end, or the end an extension in progress is moving
/// it to; read under a lock that keeps [`extend`] from starting or finishing until the
/// transaction ends (SQLite: callers have already written, so they hold the write lock).
fn until_shared(conn: &mut DbConnection) -> ApiResult<DateTime<Utc>> {
    let query = occurrence_horizon::table.find(1).select((
        occurrence_horizon::until_micros,
        occurrence_horizon::extending_to_micros,
    ));
    let ends: Option<(i64, Option<i64>)> = match conn {
        DbConnection::Pg(pg) => query.for_share().first(pg).optional()?,
        DbConnection::Sqlite(lite) => query.first(lite).optional()?,
    };
    Ok(instant(ends.map_or(0, |(until, extending_to)| {
        extending_to.map_or(until, |to| to.max(until))
    })))
}

/// Rewrites a meeting's stored occurrences (none unless it is active), from the meeting as
/// this transaction sees it. Call it in the transaction that changes the meeting or its
/// exceptions, after the change.
///
/// On PostgreSQL it takes, in this order, the meeting's row lock (so two changes to one
/// meeting rewrite its occurrences one after the other, each from the other's result), a
/// shared lock on the horizon row (so [`extend`] cannot move the horizon meanwhile) and a
/// shared lock on the group's row (so a visibility change waits for the rows written here, or
/// these rows see it). SQLite runs one writer at a time.
pub fn replace(conn: &mut DbConnection, meeting_id: Id) -> ApiResult<()> {
    let meeting = meetings::table.find(meeting_id);
    let row: MeetingRow = match conn {
        DbConnection::Pg(pg) => meeting
            .select(MeetingRow::as_select())
            .for_update()
            .first(pg)?,
        DbConnection::Sqlite(lite) => meeting.select(MeetingRow::as_select()).first(lite)?,
    };
    let until = until_shared(conn)?;
    let group = support_groups::table
        .find(row.group_id)
        .select(support_groups::visibility);
    let visibility: GroupVisibility = match conn {
        DbConnection::Pg(pg) => group.for_share().first(pg)?,
        DbConnection::Sqlite(lite) => group.first(lite)?,
    };
    diesel::delete(meeting_occurrences::table.filter(meeting_occurrences::meeting_id.eq(row.id)))
        .execute(conn)?;
    if row.status != MeetingStatus::Active {
        return Ok(());
    }
    let exceptions = take_exceptions_of(&mut exceptions_of(conn, &[row.id])?, &row);
    let rows = rows_of(
        &row,
        &exceptions,
        visibility == GroupVisibility::Public,
        Utc::now() - kept_past(),
        until,
    );
    insert_all(conn, &rows)
}

/// Marks a group's stored occurrences public or not; call it in the transaction that changes
/// the group's visibility, after the change. It waits for an extension of the horizon in
/// progress, whose new rows carry the visibility it read.
pub fn set_public(conn: &mut DbConnection, group_id: Id, public: bool) -> ApiResult<()> {
    until_shared(conn)?;
    diesel::update(meeting_occurrences::table.filter(meeting_occurrences::group_id.eq(group_id)))
        .set(meeting_occurrences::public.eq(public))
        .execute(conn)?;
    Ok(())
}

/// Inserts occurrences in statements of many rows.
pub fn insert_all(conn: &mut DbConnection, rows: &[OccurrenceRow]) -> ApiResult<()> {
    insert_in_batches!(conn, meeting_occurrences::table, rows, 9);
    Ok(())
}

/// Moves the horizon forward. While it reaches at least 41 days past `now` this only reads
/// it; otherwise every active meeting's occurrences are written up to [`HORIZON_DAYS`] after
/// `now`, and occurrences that started more than a day before `now` are dropped. Returns the
/// horizon's end. A horizon never filled (a new or migrated database) is filled from a day
/// before `now`.
///
/// It runs as many short transactions, so no write waits on it for long:
/// 1. the target is recorded as `extending_to_micros`: from then on [`replace`] writes a
///    changed meeting's occurrences up to it;
/// 2. the meetings are extended [`EXTEND_BATCH`] at a time, each batch holding a shared lock on
///    its meetings and their groups (a change to one of them waits for the batch, or the batch
///    for the change) and skipping occurrences a rewrite already stored;
/// 3. past occurrences are deleted [`EXTEND_BATCH`] meetings' worth at a time;
/// 4. the horizon's end moves to the target, which searches then trust.
///
/// A search never reads past the recorded end, so the partly extended horizon is never seen;
/// an extension cut short is finished by the next one.
pub fn extend(conn: &mut DbConnection, now: DateTime<Utc>) -> ApiResult<DateTime<Utc>> {
    let target = now + Duration::days(HORIZON_DAYS);
    // The horizon's end, and where the extension starts when one is due.
    let (until, from) = write_transaction(conn, |conn| {
        let query = occurrence_horizon::table.find(1).select((
            occurrence_horizon::until_micros,
            occurrence_horizon::extending_to_micros,
        ));
        let (until, extending_to): (i64, Option<i64>) = match conn {
            DbConnection::Pg(pg) => query.for_update().first(pg)?,
            DbConnection::Sqlite(lite) => query.first(lite)?,
        };
        let until = instant(until);
        if until >= now + Duration::days(EXTEND_BELOW_DAYS) {
            return Ok((until, None));
        }
        let extending_to = extending_to.map_or(micros(target), |t| t.max(micros(target)));
        diesel::update(occurrence_horizon::table.find(1))
            .set(occurrence_horizon::extending_to_micros.eq(Some(extending_to)))
            .execute(conn)?;
        Ok((until, Some(until.max(now - kept_past()))))
    })?;
    let Some(from) = from else {
        return Ok(until);
    };
    let mut after: Option<Id> = None;
    while let Some(last) = write_transaction(conn, |conn| extend_batch(conn, after, from, target))?
    {
        after = Some(last);
    }
    let cutoff = micros(now - kept_past());
    while write_transaction(conn, |conn| drop_past_batch(conn, cutoff))? > 0 {}
    write_transaction(conn, |conn| {
        let query = occurrence_horizon::table
            .find(1)
            .select(occurrence_horizon::until_micros);
        let until: i64 = match conn {
            DbConnection::Pg(pg) => query.for_update().first(pg)?,
            DbConnection::Sqlite(lite) => query.first(lite)?,
        };
        diesel::update(occurrence_horizon::table.find(1))
            .set((
                occurrence_horizon::until_micros.eq(until.max(micros(target))),
                occurrence_horizon::extending_to_micros.eq(None::<i64>),
            ))
            .execute(conn)?;
        Ok(match until > micros(target) {
            true => instant(until),
            false => target,
        })
    })
}

/// Extends the next [`EXTEND_BATCH`] active meetings after `after` (by id) from `from` to
/// `target`, under a shared lock on them and their groups; the last one's id, or `None` when
/// none is left.
fn extend_batch(
    conn: &mut DbConnection,
    after: Option<Id>,
    from: DateTime<Utc>,
    target: DateTime<Utc>,
) -> ApiResult<Option<Id>> {
    let after = after.unwrap_or(Id(uuid::Uuid::nil()));
    macro_rules! batch {
        () => {
            meetings::table
                .inner_join(support_groups::table.on(support_groups::id.eq(meetings::group_id)))
                .filter(meetings::status.eq(MeetingStatus::Active))
                .filter(meetings::id.gt(after))
                .order(meetings::id.asc())
                .select((MeetingRow::as_select(), support_groups::visibility))
                .limit(EXTEND_BATCH)
        };
    }
    let batch: Vec<(MeetingRow, GroupVisibility)> = match conn {
        DbConnection::Pg(pg) => batch!().for_share().load(pg)?,
        DbConnection::Sqlite(lite) => batch!().load(lite)?,
    };
    let Some((last, _)) = batch.last() else {
        return Ok(None);
    };
    let last = last.id;
    let ids: Vec<Id> = batch.iter().map(|(m, _)| m.id).collect();
    let mut exceptions = exceptions_of(conn, &ids)?;
    let rows: Vec<OccurrenceRow> = batch
        .iter()
        .flat_map(|(meeting, visibility)| {
            rows_of(
                meeting,
                &take_exceptions_of(&mut exceptions, meeting),
                *visibility == GroupVisibility::Public,
                from,
                target,
            )
        })
        .collect();
    // A meeting changed since the extension began already has these rows (the same ones:
    // its rewrite read the meeting as this batch does).
    insert_in_batches!(conn, meeting_occurrences::table, &rows, 9, skip_existing);
    Ok(Some(last))
}

/// Deletes the occurrences of up to [`EXTEND_BATCH`] meetings that started before `cutoff`;
/// how many were deleted.
fn drop_past_batch(conn: &mut DbConnection, cutoff: i64) -> ApiResult<usize> {
    use meeting_occurrences as o;
    let meeting_ids: Vec<Id> = o::table
        .filter(o::start_micros.lt(cutoff))
        .select(o::meeting_id)
        .distinct()
        .limit(EXTEND_BATCH)
        .load(conn)?;
    if meeting_ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::delete(
        o::table
            .filter(o::meeting_id.eq_any(meeting_ids))
            .filter(o::start_micros.lt(cutoff)),
    )
    .execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meetings::model::AttendanceMode;
    use crate::meetings::recurrence::Change;
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
    fn only_active_meetings_have_stored_occurrences() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("instant");
        let (from, to) = (at("2026-12-01T00:00:00Z"), at("2026-12-15T00:00:00Z"));
        let mut row = meeting(Some("FREQ=WEEKLY;BYDAY=TU"), "19:00", "America/New_York");
        row.latitude = Some(40.75);
        row.longitude = Some(-73.98);
        let stored = rows_of(&row, &[], true, from, to);
        let starts: Vec<_> = stored.iter().map(|o| instant(o.start_micros)).collect();
        assert_eq!(
            starts,
            vec![at("2026-12-02T00:00:00Z"), at("2026-12-09T00:00:00Z")]
        );
        assert_eq!(stored[0].cell, Some(cell_of(40.75, -73.98)));
        row.status = MeetingStatus::Inactive;
        assert!(rows_of(&row, &[], true, from, to).is_empty());
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
        assert!(
            fiji.contains(&cell_of(-17.7, 179.95)),
            "and on its own side"
        );
        assert!(fiji.contains(&cell_of(-17.7, 179.99)));
    }

    proptest::proptest! {
        /// Extending the horizon in steps stores exactly what one step would: no occurrence is
        /// lost or stored twice at a step's boundary, even when an exception moves it across
        /// the boundary or cancels it.
        #[test]
        fn extending_in_steps_stores_the_same_occurrences(
            zone in proptest::sample::select(vec!["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "UTC"]),
            rule in proptest::sample::select(vec![Some("FREQ=WEEKLY;BYDAY=SU"), Some("FREQ=WEEKLY;BYDAY=MO,WE,FR"), Some("FREQ=MONTHLY;BYDAY=-1FR"), Some("FREQ=DAILY"), None]),
            hour in 0u32..24,
            step_days in 1i64..40,
            moves in proptest::collection::vec((0usize..30, -30i64 * 24..30 * 24, proptest::bool::ANY), 0..4),
        ) {
            let row = meeting(rule, &format!("{hour:02}:30"), zone);
            proptest::prop_assume!(row.schedule().is_ok());
            let schedule = row.schedule().expect("valid");
            let from: DateTime<Utc> = "2026-02-01T00:00:00Z".parse().expect("instant");
            let to = from + Duration::days(HORIZON_DAYS);
            let planned = schedule.starts_between(from - Duration::days(30), to + Duration::days(30), 200);
            proptest::prop_assume!(!planned.is_empty());
            let mut moved = std::collections::BTreeSet::new();
            let exceptions: Vec<Exception> = moves
                .iter()
                .filter(|(pick, _, _)| moved.insert(pick % planned.len()))
                .map(|(pick, hours, cancel)| {
                    let original_start = planned[pick % planned.len()];
                    Exception {
                        original_start,
                        change: if *cancel {
                            Change::Cancelled
                        } else {
                            Change::Rescheduled { start: original_start + Duration::hours(*hours), duration_minutes: 60 }
                        },
                        note: String::new(),
                    }
                })
                .collect();
            let mid = from + Duration::days(step_days);
            let mut stepped = rows_of(&row, &exceptions, true, from, mid);
            stepped.extend(rows_of(&row, &exceptions, true, mid, to));
            stepped.sort_by_key(|o| o.start_micros);
            let mut whole = rows_of(&row, &exceptions, true, from, to);
            whole.sort_by_key(|o| o.start_micros);
            proptest::prop_assert_eq!(stepped, whole);
        }
    }
}
