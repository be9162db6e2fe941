//! Browsing: a page of meetings filtered by anything but a place, a window or words, in
//! `NEXT_OCCURRENCE` or `NAME` order. SQL walks an index in the order asked for and stops at
//! the page, so a page costs the same with a thousand meetings or a million:
//!
//! - `NEXT_OCCURRENCE`: the stored occurrences of the next five weeks in start order
//!   (`meeting_occurrences (start_micros, meeting_id)`), each kept only when it is its meeting's
//!   first in the window (an index probe for an earlier one), then, once those are all listed,
//!   the meetings with no occurrence in the window, by id;
//! - `NAME`: the meetings in `(lower(name), id)` order (an expression index), each with its first
//!   stored occurrence in the window.
//!
//! `totalCount` is a separate count, run only when asked for.

use super::candidates::{candidates, first_start_in, sql_filters};
use super::stored::{Listed, with_next_occurrences};
use super::{MeetingSearch, PageRequest, SearchPage, sort_value};
use crate::db::tables::{meeting_occurrences, meetings, support_groups};
use crate::db::{DbConnection, Id};
use crate::error::{ApiError, ApiResult};
use crate::groups::model::GroupScope;
use crate::meetings::MeetingOrder;
use crate::meetings::horizon;
use crate::meetings::model::MeetingRow;
use crate::stored::lower;
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;

/// The sort key of meetings with no occurrence in the window: after every start.
const NO_OCCURRENCE: &str = "~";

diesel::alias!(meeting_occurrences as earlier: EarlierOccurrence);

/// The most occurrences SQLite's walk reads per statement ([`first_occurrences`]).
const MAX_CHUNK: usize = 2_048;

/// Whether [`page`] answers this search: no place, no window, no words, no "nearest N", and an
/// order an index holds. A search of named groups is left to `stored::by_meeting`, which reads
/// just those groups' meetings (`meetings (group_id, id)`) instead of walking every occurrence
/// to find theirs.
pub(super) fn serves(search: &MeetingSearch, request: &PageRequest) -> bool {
    search.group_ids.is_empty()
        && search.near.is_none()
        && search.starts_between.is_none()
        && search.text.is_none()
        && search.weekdays.is_empty()
        && search.local_time.is_none()
        && request.nearest.is_none()
        && matches!(
            request.order,
            MeetingOrder::NextOccurrence | MeetingOrder::Name
        )
}

/// A page of the meetings `scope` may find that pass `search`, in `request`'s order, each
/// with its first occurrence in `window` (the next five weeks).
pub(super) fn page(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    request: &PageRequest,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> ApiResult<SearchPage> {
    let window = (horizon::micros(window.0), horizon::micros(window.1));
    let rows = match request.order {
        MeetingOrder::Name => by_name(conn, scope, search, request, window)?,
        _ => by_next_occurrence(conn, scope, search, request, window)?,
    };
    let total = match request.count_total {
        true => count(conn, scope, search)?,
        false => 0,
    };
    Ok(SearchPage {
        total,
        rows: with_next_occurrences(conn, rows)?,
    })
}

/// A meeting of the page, as the stored search lists it.
fn listed(key: (String, Id), row: MeetingRow, start: Option<i64>, moved: Option<bool>) -> Listed {
    Listed {
        key,
        row,
        start_micros: start,
        moved,
        distance_km: None,
        score: None,
    }
}

/// The page in `NEXT_OCCURRENCE` order: meetings by their first occurrence in the window,
/// then those with none, by id.
fn by_next_occurrence(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    request: &PageRequest,
    (from, to): (i64, i64),
) -> ApiResult<Vec<Listed>> {
    use meeting_occurrences as o;
    let after = match &request.after {
        None => None,
        Some((key, id)) if key == NO_OCCURRENCE => Some((None, *id)),
        Some((key, id)) => Some((Some(start_of_key(key)?), *id)),
    };
    let mut page = Vec::new();
    if !matches!(after, Some((None, _))) {
        let after = after.and_then(|(start, id)| Some((start?, id)));
        let found = first_occurrences(conn, scope, search, request.limit, (from, to), after)?;
        page.extend(found.into_iter().map(|(row, start, moved_from)| {
            let key = sort_value(
                MeetingOrder::NextOccurrence,
                Some(horizon::instant(start)),
                None,
                "",
                None,
            );
            listed((key, row.id), row, Some(start), Some(moved_from.is_some()))
        }));
    }
    if page.len() < request.limit {
        let in_window = o::table
            .filter(o::meeting_id.eq(meetings::id))
            .filter(o::start_micros.ge(from))
            .filter(o::start_micros.lt(to));
        let mut query = candidates!(MeetingRow::as_select()).filter(not(exists(in_window)));
        sql_filters!(query, scope, search);
        if let Some((None, id)) = after {
            query = query.filter(meetings::id.gt(id));
        }
        let rest: Vec<MeetingRow> = query
            .order(meetings::id.asc())
            .limit((request.limit - page.len()) as i64)
            .load(conn)?;
        page.extend(
            rest.into_iter()
                .map(|row| listed((NO_OCCURRENCE.to_owned(), row.id), row, None, None)),
        );
    }
    Ok(page)
}

/// Up to `limit` meetings with their first occurrence in the window, in `(start, meeting)`
/// order after `after`: each meeting with its start and, when it was moved, its original start.
///
/// PostgreSQL walks the occurrence index and probes each meeting and its group as it goes (a
/// join). SQLite's planner (3.50) turns that join around, scanning every meeting and sorting,
/// so there the occurrences are walked alone, a chunk at a time, and each chunk's meetings are
/// checked against the filters in a second statement.
fn first_occurrences(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    limit: usize,
    (from, to): (i64, i64),
    after: Option<(i64, Id)>,
) -> ApiResult<Vec<(MeetingRow, i64, Option<i64>)>> {
    use meeting_occurrences as o;
    macro_rules! walk {
        ($query:expr, $limit:expr, $after:expr) => {{
            let mut query = $query
                .filter(o::start_micros.ge(from))
                .filter(o::start_micros.lt(to))
                .filter(not(exists(
                    earlier
                        .filter(earlier.field(o::meeting_id).eq(o::meeting_id))
                        .filter(earlier.field(o::start_micros).ge(from))
                        .filter(earlier.field(o::start_micros).lt(o::start_micros)),
                )))
                .into_boxed();
            if let Some((start, id)) = $after {
                query = query.filter(
                    o::start_micros
                        .gt(start)
                        .or(o::start_micros.eq(start).and(o::meeting_id.gt(id))),
                );
            }
            query
                .order((o::start_micros.asc(), o::meeting_id.asc()))
                .limit($limit as i64)
        }};
    }
    if let DbConnection::Pg(_) = conn {
        let mut query = walk!(
            o::table
                .inner_join(meetings::table.on(meetings::id.eq(o::meeting_id)))
                .inner_join(support_groups::table.on(support_groups::id.eq(meetings::group_id)))
                .select((
                    MeetingRow::as_select(),
                    o::start_micros,
                    o::moved_from_micros
                )),
            limit,
            after
        );
        sql_filters!(query, scope, search);
        return Ok(query.load(conn)?);
    }
    // SQLite: walk the occurrences alone, a chunk at a time, and keep those whose meeting
    // passes the filters (one statement per chunk for each). Chunks double, so a filter few
    // meetings pass takes a few statements more, not many.
    let mut chunk = (limit * 4).max(64);
    let mut after = after;
    let mut found = Vec::new();
    loop {
        let mut walked = walk!(
            o::table.select((o::meeting_id, o::start_micros, o::moved_from_micros)),
            chunk,
            after
        );
        if scope.organization_id.is_none() && scope.member_id.is_none() {
            walked = walked.filter(o::public.eq(true));
        }
        let hits: Vec<(Id, i64, Option<i64>)> = walked.load(conn)?;
        let ids: Vec<Id> = hits.iter().map(|(id, ..)| *id).collect();
        let mut matching =
            candidates!(MeetingRow::as_select()).filter(meetings::id.eq_any(ids.clone()));
        sql_filters!(matching, scope, search);
        let mut rows: std::collections::HashMap<Id, MeetingRow> = match ids.is_empty() {
            true => Default::default(),
            false => matching
                .load::<MeetingRow>(conn)?
                .into_iter()
                .map(|m| (m.id, m))
                .collect(),
        };
        for (id, start, moved_from) in &hits {
            after = Some((*start, *id));
            if let Some(row) = rows.remove(id) {
                found.push((row, *start, *moved_from));
                if found.len() == limit {
                    return Ok(found);
                }
            }
        }
        if hits.len() < chunk {
            return Ok(found);
        }
        chunk = (chunk * 2).min(MAX_CHUNK);
    }
}

/// The page in `NAME` order (the database's `lower(name)`, then id), each meeting with its
/// first occurrence in the window.
fn by_name(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    request: &PageRequest,
    (from, to): (i64, i64),
) -> ApiResult<Vec<Listed>> {
    let first_start = first_start_in!(from, to);
    let mut query = candidates!((MeetingRow::as_select(), lower(meetings::name), first_start));
    sql_filters!(query, scope, search);
    if let Some((name, id)) = &request.after {
        query = query.filter(
            lower(meetings::name)
                .gt(name.clone())
                .or(lower(meetings::name)
                    .eq(name.clone())
                    .and(meetings::id.gt(*id))),
        );
    }
    let found: Vec<(MeetingRow, String, Option<i64>)> = query
        .order((lower(meetings::name).asc(), meetings::id.asc()))
        .limit(request.limit as i64)
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|(row, name, start)| listed((name, row.id), row, start, None))
        .collect())
}

/// How many meetings `scope` may find pass `search`.
fn count(conn: &mut DbConnection, scope: GroupScope, search: &MeetingSearch) -> ApiResult<usize> {
    let mut query = candidates!(diesel::dsl::count_star());
    sql_filters!(query, scope, search);
    let total: i64 = query.first(conn)?;
    Ok(total as usize)
}

/// The start (Unix microseconds) a `NEXT_OCCURRENCE` cursor key holds.
fn start_of_key(key: &str) -> ApiResult<i64> {
    key.parse::<i64>()
        .map(|shifted| shifted - (1_i64 << 60))
        .map_err(|_| ApiError::bad_input("after", "this cursor belongs to another list"))
}
