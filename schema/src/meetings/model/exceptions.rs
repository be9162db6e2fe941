//! Cancelled and moved occurrences of a meeting: their rows, and how they reach the
//! recurrence engine.

use super::change_log::log_change;
use super::{ExceptionKind, MeetingRow, lock_meeting};
use crate::db::tables::meeting_exceptions;
use crate::db::{DbConnection, Id, Ts, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::meetings::recurrence::{Change, Exception};
use crate::meetings::{horizon, recurrence};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// An exception row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_exceptions)]
pub struct ExceptionRow {
    /// Row id.
    pub id: Id,
    /// The meeting's organization.
    pub organization_id: Id,
    /// The meeting.
    pub meeting_id: Id,
    /// The original start of the occurrence.
    pub occurrence_start: Ts,
    /// Cancelled or rescheduled.
    pub kind: ExceptionKind,
    /// The new start, when rescheduled.
    pub new_start: Option<Ts>,
    /// The new length, when rescheduled.
    pub new_duration_minutes: Option<i32>,
    /// Why.
    pub note: String,
    /// When it was recorded.
    pub created_at: Ts,
}

impl ExceptionRow {
    /// The exception for the recurrence engine.
    pub fn to_exception(&self, default_minutes: i32) -> Exception {
        let change = match (self.kind, self.new_start) {
            (ExceptionKind::Rescheduled, Some(start)) => Change::Rescheduled {
                start: start.0,
                duration_minutes: self.new_duration_minutes.unwrap_or(default_minutes),
            },
            _ => Change::Cancelled,
        };
        Exception {
            original_start: self.occurrence_start.0,
            change,
            note: self.note.clone(),
        }
    }
}

/// Takes `meeting`'s exceptions out of `(meeting id, exception)` pairs, for the recurrence
/// engine.
pub fn take_exceptions_of(
    pairs: &mut Vec<(Id, ExceptionRow)>,
    meeting: &MeetingRow,
) -> Vec<Exception> {
    pairs
        .extract_if(.., |(id, _)| *id == meeting.id)
        .map(|(_, e)| e.to_exception(meeting.duration_minutes))
        .collect()
}

/// The exceptions of these meetings, as `(meeting id, exception)` pairs.
pub fn exceptions_of(
    conn: &mut DbConnection,
    meeting_ids: &[Id],
) -> ApiResult<Vec<(Id, ExceptionRow)>> {
    Ok(meeting_exceptions::table
        .filter(meeting_exceptions::meeting_id.eq_any(meeting_ids))
        .select(ExceptionRow::as_select())
        .load::<ExceptionRow>(conn)?
        .into_iter()
        .map(|e| (e.meeting_id, e))
        .collect())
}

/// Most cancelled or moved occurrences one meeting keeps (every read of its schedule
/// takes them all into account).
pub const MAX_EXCEPTIONS: usize = 1000;

/// Cancels or moves one occurrence, named by its original start (which the schedule must
/// give); a second exception for the same occurrence replaces the first. At most
/// [`MAX_EXCEPTIONS`] per meeting.
pub fn set_exception(
    conn: &mut DbConnection,
    meeting: &MeetingRow,
    original_start: DateTime<Utc>,
    moved_to: Option<(DateTime<Utc>, i32)>,
    note: String,
    actor: &str,
) -> ApiResult<ExceptionRow> {
    let schedule = meeting.schedule()?;
    if !recurrence::is_scheduled_start(&schedule, original_start) {
        return Err(ApiError::bad_input(
            "input.occurrenceStart",
            "no occurrence of this meeting starts then; use an occurrence's `start` in UTC",
        ));
    }
    if let Some((start, minutes)) = moved_to {
        let shift = (start - original_start).num_days().abs();
        if shift > recurrence::MAX_SHIFT_DAYS {
            return Err(ApiError::bad_input(
                "input.newStart",
                format!(
                    "move an occurrence by at most {} days",
                    recurrence::MAX_SHIFT_DAYS
                ),
            ));
        }
        if !(1..=1440).contains(&minutes) {
            return Err(ApiError::bad_input(
                "input.durationMinutes",
                "use 1 to 1440 minutes",
            ));
        }
    }
    let row = ExceptionRow {
        id: Id::new(),
        organization_id: meeting.organization_id,
        meeting_id: meeting.id,
        occurrence_start: Ts::from(original_start),
        kind: if moved_to.is_some() {
            ExceptionKind::Rescheduled
        } else {
            ExceptionKind::Cancelled
        },
        new_start: moved_to.map(|(start, _)| Ts::from(start)),
        new_duration_minutes: moved_to.map(|(_, minutes)| minutes),
        note,
        created_at: Ts::now(),
    };
    write_transaction(conn, |conn| {
        lock_meeting(conn, meeting.id)?;
        let replaced = diesel::delete(
            meeting_exceptions::table
                .filter(meeting_exceptions::meeting_id.eq(meeting.id))
                .filter(meeting_exceptions::occurrence_start.eq(row.occurrence_start)),
        )
        .execute(conn)?;
        if replaced == 0 {
            let held: i64 = meeting_exceptions::table
                .filter(meeting_exceptions::meeting_id.eq(meeting.id))
                .count()
                .get_result(conn)?;
            if held >= MAX_EXCEPTIONS as i64 {
                return Err(ApiError::Conflict(format!(
                    "this meeting has {MAX_EXCEPTIONS} cancelled or moved occurrences, the most it may have; change its schedule instead"
                )));
            }
        }
        diesel::insert_into(meeting_exceptions::table)
            .values(&row)
            .execute(conn)?;
        let action = if moved_to.is_some() {
            "rescheduled occurrence"
        } else {
            "cancelled occurrence"
        };
        horizon::replace(conn, meeting.id)?;
        log_change(
            conn,
            meeting,
            actor,
            action,
            serde_json::json!({
                "occurrence_start": original_start,
                "new_start": row.new_start.map(|t| t.0),
                "note": row.note,
            }),
        )?;
        Ok(row)
    })
}
