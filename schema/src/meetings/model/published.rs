//! What the feeds read: the meetings an organization publishes (the Meeting Guide list) and a
//! group's or a meeting's calendar (iCalendar).

use super::{ExceptionRow, MeetingRow, MeetingStatus, exceptions_of, find_many, of_groups};
use crate::db::tables::meetings;
use crate::db::{DbConnection, Id};
use crate::error::ApiResult;
use diesel::prelude::*;

/// The meetings an organization publishes: active and temporarily closed meetings of its active
/// public groups, with each meeting's group name, in name order. `None` when no organization
/// has this slug.
pub fn published_by(
    conn: &mut DbConnection,
    slug: &str,
) -> ApiResult<Option<Vec<(MeetingRow, String)>>> {
    use crate::db::tables::support_groups;
    use crate::groups::model::{GroupStatus, GroupVisibility};
    let Some(organization_id) =
        crate::organizations::model::find_by_slug(conn, slug)?.map(|o| o.id)
    else {
        return Ok(None);
    };
    let rows = meetings::table
        .inner_join(support_groups::table.on(support_groups::id.eq(meetings::group_id)))
        .filter(meetings::organization_id.eq(organization_id))
        .filter(meetings::status.ne(MeetingStatus::Inactive))
        .filter(support_groups::visibility.eq(GroupVisibility::Public))
        .filter(support_groups::status.eq(GroupStatus::Active))
        .order((meetings::name.asc(), meetings::id.asc()))
        .select((MeetingRow::as_select(), support_groups::name))
        .load(conn)?;
    Ok(Some(rows))
}

/// What an iCalendar feed shows: a group that anyone may see (public or unlisted) and its
/// running meetings (all, or the one asked for) with their exceptions.
pub type Calendar = (
    crate::groups::model::GroupRow,
    Vec<(MeetingRow, Vec<ExceptionRow>)>,
);

/// The calendar of one meeting (`meeting`) or of a whole group (`group`); `None` when it does
/// not exist or its group is private.
pub fn calendar(
    conn: &mut DbConnection,
    meeting: Option<Id>,
    group: Option<Id>,
) -> ApiResult<Option<Calendar>> {
    use crate::groups::model::{self as groups, GroupVisibility};
    let meetings: Vec<MeetingRow> = match (meeting, group) {
        (Some(id), _) => find_many(conn, &[id])?,
        (None, Some(id)) => of_groups(conn, &[id])?
            .into_iter()
            .map(|(_, m)| m)
            .collect(),
        (None, None) => return Ok(None),
    };
    let group_id = match (meeting, group) {
        (Some(_), _) => match meetings.first() {
            Some(m) => m.group_id,
            None => return Ok(None),
        },
        (None, Some(id)) => id,
        (None, None) => return Ok(None),
    };
    let Some(group) = groups::find_many(conn, &[group_id])?
        .pop()
        .filter(|g| g.visibility != GroupVisibility::Private)
    else {
        return Ok(None);
    };
    let running: Vec<MeetingRow> = meetings
        .into_iter()
        .filter(|m| m.status != MeetingStatus::Inactive || meeting.is_some())
        .collect();
    let ids: Vec<Id> = running.iter().map(|m| m.id).collect();
    let mut exceptions = exceptions_of(conn, &ids)?;
    let with_exceptions = running
        .into_iter()
        .map(|m| {
            let mine = exceptions
                .extract_if(.., |(meeting_id, _)| *meeting_id == m.id)
                .map(|(_, e)| e)
                .collect();
            (m, mine)
        })
        .collect();
    Ok(Some((group, with_exceptions)))
}
