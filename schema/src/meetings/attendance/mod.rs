//! Attendance at single occurrences: recorded by the organization or the group's organizers and
//! facilitators, or by members checking themselves in. Recording twice counts once (a unique
//! row per person and occurrence, inserted with `ON CONFLICT DO NOTHING`).

pub mod graphql;

use super::model::MeetingRow;
use super::recurrence::{self, Status};
use crate::db::tables::attendance;
use crate::db::{DbConnection, Id, Ts, write_transaction};
use crate::error::{ApiError, ApiResult};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

/// How early before its start an occurrence takes attendance.
const OPENS_BEFORE_MINUTES: i64 = 30;
/// How long after its end a member may still check in.
const SELF_CHECK_IN_AFTER_MINUTES: i64 = 60;

/// An attendance row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attendance)]
pub struct AttendanceRow {
    /// Row id.
    pub id: Id,
    /// The meeting's organization.
    pub organization_id: Id,
    /// The meeting.
    pub meeting_id: Id,
    /// The occurrence's original start.
    pub occurrence_start: Ts,
    /// Who attended.
    pub member_id: Id,
    /// Who recorded it: `key <uuid>` or `member <uuid>`.
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: Ts,
}

/// Checks that the occurrence exists, was not cancelled, and is open for attendance now:
/// from 30 minutes before its start; for self check-in, until an hour after its end.
pub fn check_open(
    meeting: &MeetingRow,
    exceptions: &[recurrence::Exception],
    start: DateTime<Utc>,
    self_check_in: bool,
) -> ApiResult<()> {
    let occurrence = meeting.occurrence(exceptions, start)?;
    if occurrence.status == Status::Cancelled {
        return Err(ApiError::Conflict("this occurrence was cancelled".into()));
    }
    let now = Utc::now();
    if now < occurrence.start - Duration::minutes(OPENS_BEFORE_MINUTES) {
        return Err(ApiError::Conflict(
            "attendance opens 30 minutes before the start".into(),
        ));
    }
    if self_check_in && now > occurrence.end + Duration::minutes(SELF_CHECK_IN_AFTER_MINUTES) {
        return Err(ApiError::Conflict(
            "self check-in closes an hour after the end".into(),
        ));
    }
    Ok(())
}

/// Records these members as present; returns how many were new.
pub fn record(
    conn: &mut DbConnection,
    meeting: &MeetingRow,
    start: DateTime<Utc>,
    member_ids: &[Id],
    recorded_by: &str,
) -> ApiResult<usize> {
    let now = Ts::now();
    let rows: Vec<AttendanceRow> = member_ids
        .iter()
        .map(|member_id| AttendanceRow {
            id: Id::new(),
            organization_id: meeting.organization_id,
            meeting_id: meeting.id,
            occurrence_start: Ts::from(start),
            member_id: *member_id,
            recorded_by: recorded_by.to_owned(),
            recorded_at: now,
        })
        .collect();
    write_transaction(conn, |conn| {
        let mut added = 0;
        for row in &rows {
            added += match conn {
                DbConnection::Pg(pg) => diesel::insert_into(attendance::table)
                    .values(row)
                    .on_conflict_do_nothing()
                    .execute(pg)?,
                DbConnection::Sqlite(lite) => diesel::insert_into(attendance::table)
                    .values(row)
                    .on_conflict_do_nothing()
                    .execute(lite)?,
            };
        }
        Ok(added)
    })
}

/// How many people attended an occurrence.
pub fn count(conn: &mut DbConnection, meeting_id: Id, start: DateTime<Utc>) -> ApiResult<i64> {
    Ok(attendance::table
        .filter(attendance::meeting_id.eq(meeting_id))
        .filter(attendance::occurrence_start.eq(Ts::from(start)))
        .count()
        .get_result(conn)?)
}
