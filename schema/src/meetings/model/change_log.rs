//! A meeting's typed change and its change log: every change to a meeting is derived from one
//! [`MeetingChange`], which writes both the UPDATE and the log entry.

use super::{AttendanceMode, MeetingRow, MeetingStatus};
use crate::db::tables::meeting_changes;
use crate::db::windowed::{self, Children};
use crate::db::{DbConnection, Id, Ts};
use crate::error::ApiResult;
use chrono::NaiveDate;
use diesel::prelude::*;

/// A change log entry.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = meeting_changes)]
pub struct ChangeRow {
    /// Row id.
    pub id: Id,
    /// The meeting's organization.
    pub organization_id: Id,
    /// The meeting.
    pub meeting_id: Id,
    /// Who: `key <uuid>` or `member <uuid>`.
    pub actor: String,
    /// What kind of change: `created`, `updated`, `cancelled occurrence`, ...
    pub action: String,
    /// JSON object of the changed fields and their new values.
    pub changed_fields: String,
    /// When.
    pub changed_at: Ts,
}

pub(super) fn log_change(
    conn: &mut DbConnection,
    meeting: &MeetingRow,
    actor: &str,
    action: &str,
    fields: serde_json::Value,
) -> ApiResult<()> {
    diesel::insert_into(meeting_changes::table)
        .values(&ChangeRow {
            id: Id::new(),
            organization_id: meeting.organization_id,
            meeting_id: meeting.id,
            actor: actor.to_owned(),
            action: action.to_owned(),
            changed_fields: fields.to_string(),
            changed_at: Ts::now(),
        })
        .execute(conn)?;
    Ok(())
}

crate::db::change::typed_change! {
    /// A change to a meeting: the columns a change may touch (the id, the organization and the
    /// creation time never change).
    pub struct MeetingChange for MeetingRow in meetings {
        group_id: Id,
        name: String,
        description: String,
        attendance_mode: AttendanceMode,
        status: MeetingStatus,
        timezone: String,
        rrule: Option<String>,
        start_time: String,
        duration_minutes: i32,
        starts_on: NaiveDate,
        ends_on: Option<NaiveDate>,
        venue: Option<String>,
        address: Option<String>,
        city: Option<String>,
        region: Option<String>,
        postal_code: Option<String>,
        country_code: Option<String>,
        latitude: Option<f64>,
        longitude: Option<f64>,
        location_approximate: bool,
        online_url: Option<String>,
        online_phone: Option<String>,
        online_notes: Option<String>,
        program: Option<String>,
        types: String,
        languages: String,
        accessibility: String,
        capacity: Option<i32>,
    }
}

/// Change log entries by meeting, oldest first.
const CHANGES_OF_MEETINGS: Children<'static> =
    Children("SELECT meeting_id AS parent, * FROM meeting_changes WHERE meeting_id IN ({parents})");

/// A page of each meeting's change log, oldest first, as `(meeting id, entry)` pairs.
pub fn page_of_changes(
    conn: &mut DbConnection,
    meeting_ids: &[Id],
    limit: usize,
    after: Option<Id>,
) -> ApiResult<Vec<(Id, ChangeRow)>> {
    Ok(
        windowed::page::<ChangeRow>(conn, CHANGES_OF_MEETINGS, meeting_ids, limit, after)?
            .into_iter()
            .map(|c| (c.meeting_id, c))
            .collect(),
    )
}

/// How many change log entries each meeting has.
pub fn count_of_changes(conn: &mut DbConnection, meeting_ids: &[Id]) -> ApiResult<Vec<(Id, i64)>> {
    windowed::totals(conn, CHANGES_OF_MEETINGS, meeting_ids)
}
