//! RSVPs to single occurrences, with capacity and a waitlist that promotes in order of asking.
//! Concurrent RSVPs never overbook: each change locks the meeting row first (PostgreSQL
//! `FOR UPDATE`; SQLite's write transactions are serial).

pub mod graphql;

use super::model::MeetingRow;
use super::recurrence::{self, Status};
use crate::db::tables::rsvps;
use crate::db::{DbConnection, Id, Ts, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::stored::{StoredEnum as _, stored_enum};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

stored_enum! {
    /// Where an RSVP stands.
    pub enum RsvpState {
        /// A seat is held.
        Confirmed = "CONFIRMED",
        /// Waiting for a seat; promoted in order of asking when one frees up.
        Waitlisted = "WAITLISTED",
        /// Withdrawn.
        Cancelled = "CANCELLED",
    }
}

/// An RSVP row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = rsvps)]
pub struct RsvpRow {
    /// Row id.
    pub id: Id,
    /// The meeting's organization.
    pub organization_id: Id,
    /// The meeting.
    pub meeting_id: Id,
    /// The occurrence's original start.
    pub occurrence_start: Ts,
    /// Who.
    pub member_id: Id,
    /// Where it stands.
    pub state: RsvpState,
    /// Its place in the queue: when the member (last) asked.
    pub queued_at: Ts,
    /// When it was created.
    pub created_at: Ts,
    /// When it last changed.
    pub updated_at: Ts,
}

fn find(
    conn: &mut DbConnection,
    meeting_id: Id,
    start: Ts,
    member_id: Id,
) -> ApiResult<Option<RsvpRow>> {
    Ok(rsvps::table
        .filter(rsvps::meeting_id.eq(meeting_id))
        .filter(rsvps::occurrence_start.eq(start))
        .filter(rsvps::member_id.eq(member_id))
        .select(RsvpRow::as_select())
        .first(conn)
        .optional()?)
}

fn confirmed_count(conn: &mut DbConnection, meeting_id: Id, start: Ts) -> ApiResult<i64> {
    Ok(rsvps::table
        .filter(rsvps::meeting_id.eq(meeting_id))
        .filter(rsvps::occurrence_start.eq(start))
        .filter(rsvps::state.eq(RsvpState::Confirmed))
        .count()
        .get_result(conn)?)
}

fn set_state(
    conn: &mut DbConnection,
    mut row: RsvpRow,
    state: RsvpState,
    requeue: bool,
) -> ApiResult<RsvpRow> {
    let now = Ts::now();
    row.state = state;
    row.updated_at = now;
    if requeue {
        row.queued_at = now;
    }
    diesel::update(rsvps::table.find(row.id))
        .set((
            rsvps::state.eq(row.state),
            rsvps::queued_at.eq(row.queued_at),
            rsvps::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(row)
}

/// Checks that `start` names an occurrence of the meeting that takes place and has not begun.
fn check_occurrence(
    meeting: &MeetingRow,
    exceptions: &[recurrence::Exception],
    start: DateTime<Utc>,
) -> ApiResult<()> {
    let occurrence = meeting.occurrence(exceptions, start)?;
    if occurrence.status == Status::Cancelled {
        return Err(ApiError::Conflict("this occurrence is cancelled".into()));
    }
    if occurrence.start <= Utc::now() {
        return Err(ApiError::Conflict(
            "this occurrence has already begun".into(),
        ));
    }
    Ok(())
}

/// RSVPs a member to an occurrence: a seat while there is one, else the waitlist. Asking
/// twice changes nothing.
pub fn rsvp(
    conn: &mut DbConnection,
    meeting: &MeetingRow,
    exceptions: &[recurrence::Exception],
    start: DateTime<Utc>,
    member_id: Id,
) -> ApiResult<RsvpRow> {
    check_occurrence(meeting, exceptions, start)?;
    let start = Ts::from(start);
    write_transaction(conn, |conn| {
        super::model::lock_meeting(conn, meeting.id)?;
        let existing = find(conn, meeting.id, start, member_id)?;
        if let Some(row) = &existing
            && row.state != RsvpState::Cancelled
        {
            return Ok(row.clone());
        }
        let full = match meeting.capacity {
            Some(capacity) => confirmed_count(conn, meeting.id, start)? >= i64::from(capacity),
            None => false,
        };
        let state = if full {
            RsvpState::Waitlisted
        } else {
            RsvpState::Confirmed
        };
        match existing {
            Some(row) => set_state(conn, row, state, true),
            None => {
                let now = Ts::now();
                let row = RsvpRow {
                    id: Id::new(),
                    organization_id: meeting.organization_id,
                    meeting_id: meeting.id,
                    occurrence_start: start,
                    member_id,
                    state,
                    queued_at: now,
                    created_at: now,
                    updated_at: now,
                };
                diesel::insert_into(rsvps::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(row)
            }
        }
    })
}

/// Withdraws an RSVP; a freed seat goes to the first on the waitlist.
pub fn cancel(
    conn: &mut DbConnection,
    meeting: &MeetingRow,
    start: DateTime<Utc>,
    member_id: Id,
) -> ApiResult<RsvpRow> {
    let start = Ts::from(start);
    write_transaction(conn, |conn| {
        super::model::lock_meeting(conn, meeting.id)?;
        let row = find(conn, meeting.id, start, member_id)?
            .ok_or_else(|| ApiError::NotFound("no RSVP for this occurrence".into()))?;
        if row.state == RsvpState::Cancelled {
            return Ok(row);
        }
        let freed = row.state == RsvpState::Confirmed;
        let row = set_state(conn, row, RsvpState::Cancelled, false)?;
        if freed {
            let next = rsvps::table
                .filter(rsvps::meeting_id.eq(meeting.id))
                .filter(rsvps::occurrence_start.eq(start))
                .filter(rsvps::state.eq(RsvpState::Waitlisted))
                .order((rsvps::queued_at.asc(), rsvps::id.asc()))
                .select(RsvpRow::as_select())
                .first(conn)
                .optional()?;
            let room = match meeting.capacity {
                Some(capacity) => confirmed_count(conn, meeting.id, start)? < i64::from(capacity),
                None => true,
            };
            if let Some(next) = next.filter(|_| room) {
                set_state(conn, next, RsvpState::Confirmed, false)?;
            }
        }
        Ok(row)
    })
}

/// Where an RSVP stands in the waitlist (1 is next), for waitlisted RSVPs.
pub fn waitlist_position(conn: &mut DbConnection, row: &RsvpRow) -> ApiResult<Option<i64>> {
    if row.state != RsvpState::Waitlisted {
        return Ok(None);
    }
    let ahead: i64 = rsvps::table
        .filter(rsvps::meeting_id.eq(row.meeting_id))
        .filter(rsvps::occurrence_start.eq(row.occurrence_start))
        .filter(rsvps::state.eq(RsvpState::Waitlisted))
        .filter(
            rsvps::queued_at
                .lt(row.queued_at)
                .or(rsvps::queued_at.eq(row.queued_at).and(rsvps::id.lt(row.id))),
        )
        .count()
        .get_result(conn)?;
    Ok(Some(ahead + 1))
}

/// The keyset position of an RSVP in an occurrence's list: state (`CONFIRMED` sorts before
/// `WAITLISTED`, so seats come first), then the queue.
pub type RsvpKey = (String, i64, Id);

impl RsvpRow {
    /// Its position in [`page_of_occurrence`].
    pub fn key(&self) -> RsvpKey {
        (
            self.state.as_str().to_owned(),
            self.queued_at.0.timestamp_micros(),
            self.id,
        )
    }
}

/// A page of the RSVPs of one occurrence, seats first, then the waitlist in order, after
/// `after`; each waitlisted one with its place in the waitlist.
pub fn page_of_occurrence(
    conn: &mut DbConnection,
    meeting_id: Id,
    start: DateTime<Utc>,
    after: Option<RsvpKey>,
    limit: i64,
) -> ApiResult<Vec<(RsvpRow, Option<i64>)>> {
    let mut query = rsvps::table
        .filter(rsvps::meeting_id.eq(meeting_id))
        .filter(rsvps::occurrence_start.eq(Ts::from(start)))
        .filter(rsvps::state.ne(RsvpState::Cancelled))
        .into_boxed();
    if let Some((state, queued, id)) = after {
        let state = RsvpState::from_stored(&state).ok_or_else(|| {
            ApiError::bad_input("after", "not a cursor returned by this connection")
        })?;
        let queued = Ts::from(
            DateTime::<Utc>::from_timestamp_micros(queued).ok_or_else(|| {
                ApiError::bad_input("after", "not a cursor returned by this connection")
            })?,
        );
        query = query.filter(
            rsvps::state.gt(state).or(rsvps::state.eq(state).and(
                rsvps::queued_at
                    .gt(queued)
                    .or(rsvps::queued_at.eq(queued).and(rsvps::id.gt(id))),
            )),
        );
    }
    let rows: Vec<RsvpRow> = query
        .order((rsvps::state.asc(), rsvps::queued_at.asc(), rsvps::id.asc()))
        .limit(limit)
        .select(RsvpRow::as_select())
        .load(conn)?;
    let mut next = match rows.iter().find(|r| r.state == RsvpState::Waitlisted) {
        Some(first) => waitlist_position(conn, first)?.unwrap_or(1),
        None => 1,
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let position = (row.state == RsvpState::Waitlisted).then(|| {
                next += 1;
                next - 1
            });
            (row, position)
        })
        .collect())
}

/// How many RSVPs (seats and waitlist) one occurrence has.
pub fn count_of_occurrence(
    conn: &mut DbConnection,
    meeting_id: Id,
    start: DateTime<Utc>,
) -> ApiResult<i64> {
    Ok(rsvps::table
        .filter(rsvps::meeting_id.eq(meeting_id))
        .filter(rsvps::occurrence_start.eq(Ts::from(start)))
        .filter(rsvps::state.ne(RsvpState::Cancelled))
        .count()
        .get_result(conn)?)
}
