//! Searching with the stored occurrence horizon: every match and its first occurrence in the
//! window come from one statement, and only the page's meetings are then loaded.

use super::candidates::{candidates, first_start_in, prefilter};
use super::{
    Found, Keyed, MeetingSearch, PageRequest, SearchPage, paged, sort_value, within_radius,
};
use crate::db::full_text::Indexed;
use crate::db::tables::{meeting_occurrences, meetings};
use crate::db::{DbConnection, Id, MultiBackend};
use crate::error::ApiResult;
use crate::groups::model::{GroupScope, groups_of_member};
use crate::meetings::MeetingOrder;
use crate::meetings::horizon;
use crate::meetings::model::{MeetingRow, exceptions_of, find_many, take_exceptions_of};
use crate::meetings::recurrence::{self, Status};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

/// A match before its meeting is loaded: when its first occurrence in the window starts,
/// whether that occurrence was moved (when known), its distance and its score.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start_micros: Option<i64>,
    moved: Option<bool>,
    distance_km: Option<f64>,
    score: Option<f64>,
}

impl Hit {
    /// The hit of meeting `id` with its cursor key in `order` (`name` counts only when
    /// ordering by name).
    fn keyed(self, id: Id, order: MeetingOrder, name: &str) -> ((String, Id), Hit) {
        let start = self.start_micros.map(horizon::instant);
        let key = sort_value(order, start, self.distance_km, name, self.score);
        ((key, id), self)
    }
}

type HorizonQuery<'a> = diesel::internal::table_macro::BoxedSelectStatement<
    'a,
    (
        crate::db::types::UuidSql,
        diesel::sql_types::BigInt,
        diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
        diesel::sql_types::Nullable<diesel::sql_types::Double>,
        diesel::sql_types::Nullable<diesel::sql_types::Double>,
    ),
    diesel::internal::table_macro::FromClause<meeting_occurrences::table>,
    MultiBackend,
>;

/// The stored occurrences in `[from, to)` that `scope` may find, near the point (by map cell
/// and bounding box) and in the groups the search names.
fn horizon_query<'a>(
    scope: GroupScope,
    search: &MeetingSearch,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> HorizonQuery<'a> {
    use meeting_occurrences as o;
    let mut query = o::table
        .filter(o::start_micros.ge(horizon::micros(from)))
        .filter(o::start_micros.lt(horizon::micros(to)))
        .select((
            o::meeting_id,
            o::start_micros,
            o::moved_from_micros,
            o::latitude,
            o::longitude,
        ))
        .into_boxed();
    query = match (scope.organization_id, scope.member_id) {
        (None, None) => query.filter(o::public.eq(true)),
        // The rule of `findable_by`, on the stored copies of the group's fields.
        (organization_id, member_id) => query.filter(
            o::public
                .eq(true)
                .or(o::organization_id.nullable().eq(organization_id))
                .or(o::group_id.eq_any(groups_of_member!(member_id))),
        ),
    };
    if !search.group_ids.is_empty() {
        query = query.filter(o::group_id.eq_any(search.group_ids.clone()));
    }
    if let Some((lat, lon, radius)) = search.near {
        query = query.filter(o::latitude.is_not_null());
        if let Some(cells) = horizon::cells_around(lat, lon, radius) {
            query = query.filter(o::cell.eq_any(cells));
        }
        if radius.is_finite() {
            let ((south, north), (west, east)) = horizon::bounding_box(lat, lon, radius);
            query = query
                .filter(o::latitude.between(south, north))
                .filter(o::longitude.between(west, east));
        }
    }
    query
}

/// Answers a search from the stored occurrences: one statement finds every match with its
/// first occurrence in the window, and only the page's meetings are then loaded.
pub(super) fn from_horizon(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    request: &PageRequest,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> ApiResult<SearchPage> {
    type Stored = (Id, i64, Option<i64>, Option<f64>, Option<f64>);
    let stored: Vec<Stored> = horizon_query(scope, search, window).load(conn)?;
    let mut first: std::collections::HashMap<Id, Hit> = std::collections::HashMap::new();
    for (id, start_micros, moved_from_micros, lat, lon) in stored {
        let Some(distance_km) = within_radius(search.near, lat, lon) else {
            continue;
        };
        let hit = Hit {
            start_micros: Some(start_micros),
            moved: Some(moved_from_micros.is_some()),
            distance_km,
            score: None,
        };
        first
            .entry(id)
            .and_modify(|h| {
                if Some(start_micros) < h.start_micros {
                    *h = hit;
                }
            })
            .or_insert(hit);
    }
    let keyed = first
        .into_iter()
        .map(|(id, hit)| hit.keyed(id, request.order, ""))
        .collect();
    load_page(conn, keyed, request)
}

/// Answers a search from the meetings that pass its filters, each with its first stored
/// occurrence in `window` (a correlated subquery on the horizon): one statement finds every
/// match, and only the page's meetings are then loaded.
pub(super) fn by_meeting(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    request: &PageRequest,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> ApiResult<SearchPage> {
    let first_start = first_start_in!(horizon::micros(window.0), horizon::micros(window.1));
    let scores = match (&search.text, request.order) {
        (Some(words), MeetingOrder::Relevance) => words.scores_in(conn, Indexed::Meetings)?,
        _ => Default::default(),
    };
    let select = (
        meetings::id,
        meetings::name,
        meetings::latitude,
        meetings::longitude,
        first_start,
    );
    type Light = (Id, String, Option<f64>, Option<f64>, Option<i64>);
    let narrowed = search.starts_between;
    let candidates: Vec<Light> =
        prefilter(candidates!(select), scope, search, narrowed).load(conn)?;
    let mut keyed = Vec::with_capacity(candidates.len());
    for (id, name, lat, lon, start_micros) in candidates {
        let Some(distance_km) = within_radius(search.near, lat, lon) else {
            continue;
        };
        if narrowed.is_some() && start_micros.is_none() {
            continue;
        }
        let hit = Hit {
            start_micros,
            moved: None,
            distance_km,
            score: scores.get(&id).copied(),
        };
        keyed.push(hit.keyed(id, request.order, &name));
    }
    load_page(conn, keyed, request)
}

/// Ranks keyed matches, takes the page and loads its meetings (one statement) with their
/// next occurrences.
fn load_page(
    conn: &mut DbConnection,
    mut keyed: Keyed<Hit>,
    request: &PageRequest,
) -> ApiResult<SearchPage> {
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let (total, page) = paged(keyed, request);
    let ids: Vec<Id> = page.iter().map(|((_, id), _)| *id).collect();
    let mut rows: std::collections::HashMap<Id, MeetingRow> = find_many(conn, &ids)?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let listed = page
        .into_iter()
        .filter_map(|(key, hit)| {
            let row = rows.remove(&key.1)?;
            Some(Listed {
                key,
                row,
                start_micros: hit.start_micros,
                moved: hit.moved,
                distance_km: hit.distance_km,
                score: hit.score,
            })
        })
        .collect();
    Ok(SearchPage {
        total,
        rows: with_next_occurrences(conn, listed)?,
    })
}

/// A meeting of a page, loaded, with its cursor key, the start of its first occurrence in the
/// window, whether that occurrence was moved (`None`: not known), its distance and its score.
pub(super) struct Listed {
    pub key: (String, Id),
    pub row: MeetingRow,
    pub start_micros: Option<i64>,
    pub moved: Option<bool>,
    pub distance_km: Option<f64>,
    pub score: Option<f64>,
}

/// A page's meetings with their next occurrences: exceptions are read (one statement) only
/// for occurrences that may have moved.
pub(super) fn with_next_occurrences(
    conn: &mut DbConnection,
    listed: Vec<Listed>,
) -> ApiResult<Keyed<Found>> {
    let may_have_moved: Vec<Id> = listed
        .iter()
        .filter(|l| l.start_micros.is_some() && l.moved != Some(false))
        .map(|l| l.key.1)
        .collect();
    let mut exceptions = match may_have_moved.is_empty() {
        true => Vec::new(),
        false => exceptions_of(conn, &may_have_moved)?,
    };
    Ok(listed
        .into_iter()
        .map(|l| {
            let mine = take_exceptions_of(&mut exceptions, &l.row);
            let next = l
                .start_micros
                .and_then(|start| occurrence_at(&l.row, &mine, horizon::instant(start)));
            let found = Found {
                row: l.row,
                distance_km: l.distance_km,
                next,
                score: l.score,
            };
            (l.key, found)
        })
        .collect())
}

/// The occurrence of a meeting that takes place starting at `start` (moved there, or as
/// scheduled).
pub(super) fn occurrence_at(
    row: &MeetingRow,
    exceptions: &[recurrence::Exception],
    start: DateTime<Utc>,
) -> Option<recurrence::Occurrence> {
    let duration = Duration::minutes(i64::from(row.duration_minutes));
    if exceptions.is_empty() {
        return Some(recurrence::Occurrence::scheduled(start, duration));
    }
    recurrence::occurrences(
        &row.schedule().ok()?,
        exceptions,
        start,
        start + Duration::seconds(1),
        8,
    )
    .into_iter()
    .find(|o| o.status != Status::Cancelled)
}
