//! Meeting search: a SQL prefilter (visibility, status, modes, program, languages, group
//! audience/pathway/focus, text, a bounding box around `near`), then the time-aware filters
//! evaluated per meeting in its own time zone (weekdays, local time of day, "starting between"),
//! distances, and the order by next occurrence, distance or name.

use super::MeetingOrder;
use super::horizon;
use super::model::{AttendanceMode, MeetingRow, MeetingStatus};
use super::recurrence::{self, Status};
use crate::db::tables::{meeting_occurrences, meetings, support_groups};
use crate::db::{DbConnection, Id, MultiBackend};
use crate::error::ApiResult;
use crate::groups::model::{GroupScope, findable_by};
use crate::recovery::{Audience, Pathway, RecoveryFocus};
use crate::stored::{
    StoredEnum, contains_pattern, decode_list, filter_like_any, language_patterns, list_pattern,
    lower,
};
use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc, Weekday};
use diesel::prelude::*;

/// Mean Earth radius in kilometres.
const EARTH_KM: f64 = 6371.0;

/// How types must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeMatch {
    /// At least one of the listed types.
    Any,
    /// Every listed type.
    All,
}

/// The search, validated.
#[derive(Debug, Clone, Default)]
pub struct MeetingSearch {
    /// A point and a radius in kilometres (infinite for "the nearest N").
    pub near: Option<(f64, f64, f64)>,
    /// Local weekdays (any).
    pub weekdays: Vec<Weekday>,
    /// A local time-of-day window `[from, to)` (wrapping past midnight when `to < from`).
    pub local_time: Option<(NaiveTime, NaiveTime)>,
    /// An occurrence (not cancelled) starts in `[from, to)`.
    pub starts_between: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Attendance modes (a hybrid meeting matches both in-person and online).
    pub modes: Vec<AttendanceMode>,
    /// Program key.
    pub program: Option<String>,
    /// Type codes to include, and how.
    pub include_types: Option<(Vec<String>, TypeMatch)>,
    /// Type codes to exclude.
    pub exclude_types: Vec<String>,
    /// Languages (any, by primary language).
    pub languages: Vec<String>,
    /// Group audiences (any).
    pub audiences: Vec<Audience>,
    /// Group pathways (any).
    pub pathways: Vec<Pathway>,
    /// Group focus (any).
    pub focus: Vec<RecoveryFocus>,
    /// Words in the name or description.
    pub text: Option<String>,
    /// Groups (any).
    pub group_ids: Vec<Id>,
}

/// A meeting found, with what the search computed for it.
#[derive(Debug, Clone)]
pub struct Found {
    /// The meeting.
    pub row: MeetingRow,
    /// Distance from the search point, when searching near one.
    pub distance_km: Option<f64>,
    /// The next occurrence that takes place (within the window, when one is given).
    pub next: Option<recurrence::Occurrence>,
}

impl Found {
    /// The distance as the API shows it: kilometres to the metre.
    pub fn distance_km_shown(&self) -> Option<f64> {
        self.distance_km.map(|d| (d * 1000.0).round() / 1000.0)
    }
}

/// Great-circle distance in kilometres.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().asin()
}

/// The meetings (joined with their groups) that pass the filters SQL can check, selecting
/// `$select`, as a boxed query; `$within_horizon` is the search's window when the occurrence
/// horizon holds it. A macro because each selection is its own query type.
macro_rules! prefiltered {
    ($select:expr, $scope:expr, $search:expr, $within_horizon:expr) => {{
        let (scope, search, within_horizon): (
            GroupScope,
            &MeetingSearch,
            Option<(DateTime<Utc>, DateTime<Utc>)>,
        ) = ($scope, $search, $within_horizon);
        let mut query = meetings::table
            .inner_join(support_groups::table.on(support_groups::id.eq(meetings::group_id)))
            .select($select)
            .filter(findable_by!(scope))
            .filter(meetings::status.eq(MeetingStatus::Active))
            .into_boxed();
        if !search.modes.is_empty() {
            let mut modes = search.modes.clone();
            if modes.iter().any(|m| *m != AttendanceMode::Hybrid) {
                modes.push(AttendanceMode::Hybrid);
            }
            query = query.filter(meetings::attendance_mode.eq_any(modes));
        }
        if let Some(program) = &search.program {
            query = query.filter(meetings::program.eq(program.clone()));
        }
        if !search.group_ids.is_empty() {
            query = query.filter(meetings::group_id.eq_any(search.group_ids.clone()));
        }
        if !search.pathways.is_empty() {
            query = query.filter(support_groups::pathway.eq_any(search.pathways.clone()));
        }
        filter_like_any!(
            query,
            support_groups::audience,
            search
                .audiences
                .iter()
                .map(|a| list_pattern(a.as_str()))
                .collect()
        );
        filter_like_any!(
            query,
            support_groups::focus,
            search
                .focus
                .iter()
                .map(|f| list_pattern(f.as_str()))
                .collect()
        );
        filter_like_any!(
            query,
            meetings::languages,
            language_patterns(&search.languages)
        );
        if let Some(pattern) = search.text.as_deref().and_then(contains_pattern) {
            query = query.filter(
                lower(meetings::name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(meetings::description).like(pattern).escape('\\')),
            );
        }
        if let Some((lat, lon, radius)) = search.near.filter(|(_, _, r)| r.is_finite()) {
            let dlat = radius / 111.0;
            let dlon = radius / (111.0 * lat.to_radians().cos().abs().max(0.01));
            query = query
                .filter(meetings::latitude.between(lat - dlat, lat + dlat))
                .filter(meetings::longitude.between(lon - dlon, lon + dlon));
        }
        if let Some((from, to)) = within_horizon {
            // Only meetings with an occurrence in the window (in the cells around the point, when
            // searching near one); the loop below still checks each one's occurrences.
            let in_window = meeting_occurrences::table
                .filter(meeting_occurrences::start_micros.ge(horizon::micros(from)))
                .filter(meeting_occurrences::start_micros.lt(horizon::micros(to)));
            let cells = search
                .near
                .and_then(|(lat, lon, radius)| horizon::cells_around(lat, lon, radius));
            query = match cells {
                Some(cells) => query.filter(
                    meetings::id.eq_any(
                        in_window
                            .filter(meeting_occurrences::cell.eq_any(cells))
                            .select(meeting_occurrences::meeting_id),
                    ),
                ),
                None => query
                    .filter(meetings::id.eq_any(in_window.select(meeting_occurrences::meeting_id))),
            };
        }
        query
    }};
}

/// The distance of a place from the search's point: `None` when the search is near a point and
/// the place lies outside the radius or has no coordinates; `Some(None)` without a point.
fn within_radius(
    near: Option<(f64, f64, f64)>,
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> Option<Option<f64>> {
    match (near, latitude, longitude) {
        (Some((lat, lon, radius)), Some(mlat), Some(mlon)) => {
            let d = haversine_km((lat, lon), (mlat, mlon));
            (d <= radius).then_some(Some(d))
        }
        (Some(_), _, _) => None,
        (None, _, _) => Some(None),
    }
}

/// Whether a meeting's type codes (as stored) pass the search's type filters.
fn types_match(types: &str, search: &MeetingSearch) -> bool {
    let codes = decode_list(types);
    let included = match &search.include_types {
        None => true,
        Some((wanted, TypeMatch::Any)) => wanted.iter().any(|t| codes.contains(t)),
        Some((wanted, TypeMatch::All)) => wanted.iter().all(|t| codes.contains(t)),
    };
    included && !search.exclude_types.iter().any(|t| codes.contains(t))
}

fn in_window(time: NaiveTime, (from, to): (NaiveTime, NaiveTime)) -> bool {
    if from <= to {
        time >= from && time < to
    } else {
        time >= from || time < to
    }
}

/// Runs a search at `now` by expanding each candidate's schedule: the matching meetings,
/// unordered. For local weekdays and times of day, which the horizon does not store, and for
/// windows outside the horizon.
fn expanded(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    now: DateTime<Utc>,
    within_horizon: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> ApiResult<Vec<Found>> {
    let candidates: Vec<MeetingRow> =
        prefiltered!(MeetingRow::as_select(), scope, search, within_horizon).load(conn)?;
    let ids: Vec<Id> = candidates.iter().map(|m| m.id).collect();
    let mut exceptions = super::model::exceptions_of(conn, &ids)?;
    let (from, to) = search
        .starts_between
        .unwrap_or((now, now + Duration::days(35)));
    let mut found = Vec::new();
    for row in candidates {
        let Some(distance_km) = within_radius(search.near, row.latitude, row.longitude) else {
            continue;
        };
        if !types_match(&row.types, search) {
            continue;
        }
        let Ok(schedule) = row.schedule() else {
            continue;
        };
        let mine: Vec<_> = exceptions
            .extract_if(.., |(id, _)| *id == row.id)
            .map(|(_, e)| e.to_exception(row.duration_minutes))
            .collect();
        let upcoming: Vec<_> = recurrence::occurrences(&schedule, &mine, from, to, 64)
            .into_iter()
            .filter(|o| o.status != Status::Cancelled)
            .filter(|o| {
                let local = schedule.local(o.start);
                (search.weekdays.is_empty() || search.weekdays.contains(&local.weekday()))
                    && search.local_time.is_none_or(|w| {
                        in_window(
                            NaiveTime::from_hms_opt(local.hour(), local.minute(), 0)
                                .unwrap_or(NaiveTime::MIN),
                            w,
                        )
                    })
            })
            .collect();
        let time_filtered = search.starts_between.is_some()
            || !search.weekdays.is_empty()
            || search.local_time.is_some();
        if time_filtered && upcoming.is_empty() {
            continue;
        }
        found.push(Found {
            row,
            distance_km,
            next: upcoming.into_iter().next(),
        });
    }
    Ok(found)
}

/// The sort value of a meeting in `order` (the cursor key is this, then the id).
fn sort_value(
    order: MeetingOrder,
    next_start: Option<DateTime<Utc>>,
    distance_km: Option<f64>,
    name: &str,
) -> String {
    match order {
        MeetingOrder::NextOccurrence => next_start.map_or_else(
            || "~".to_owned(),
            |start| format!("{:020}", start.timestamp_micros() + (1_i64 << 60)),
        ),
        MeetingOrder::Distance => format!("{:015.4}", distance_km.unwrap_or(f64::MAX / 4.0)),
        MeetingOrder::Name => name.to_lowercase(),
    }
}

/// The found meetings in `order`, each with its keyset cursor key: the sort value, then the id.
fn ranked(found: Vec<Found>, order: MeetingOrder) -> Keyed<Found> {
    let mut keyed: Keyed<Found> = found
        .into_iter()
        .map(|f| {
            let sort = sort_value(
                order,
                f.next.as_ref().map(|o| o.start),
                f.distance_km,
                &f.row.name,
            );
            ((sort, f.row.id), f)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed
}

/// Which page of the results to return.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// The order.
    pub order: MeetingOrder,
    /// Keep only the first N in that order (`nearest`).
    pub nearest: Option<usize>,
    /// Continue after this cursor key.
    pub after: Option<(String, Id)>,
    /// At most this many results.
    pub limit: usize,
}

/// A page of results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// How many meetings match in all.
    pub total: usize,
    /// The page, in order, each with its cursor key.
    pub rows: Keyed<Found>,
}

/// When a search runs, and how far ahead occurrences are stored ([`horizon`]).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// Now.
    pub now: DateTime<Utc>,
    /// The end of the occurrence horizon, when known.
    pub horizon: Option<DateTime<Utc>>,
}

/// Results with their cursor keys.
type Keyed<T> = Vec<((String, Id), T)>;

/// The total and the page of ranked results `request` asks for.
fn paged<T>(mut keyed: Keyed<T>, request: &PageRequest) -> (usize, Keyed<T>) {
    if let Some(n) = request.nearest {
        keyed.truncate(n);
    }
    let total = keyed.len();
    let rows = keyed
        .into_iter()
        .filter(|(k, _)| request.after.as_ref().is_none_or(|after| k > after))
        .take(request.limit)
        .collect();
    (total, rows)
}

/// How long ahead the next occurrence of a meeting is looked for when a search has no window.
pub fn default_window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now, now + Duration::days(35))
}

/// Runs a search: the number of matches and the page `request` asks for. When the occurrence
/// horizon holds the window (the search's `startsBetween`, or the next five weeks), matches
/// are found with their next occurrence in SQL and only the page's meetings are loaded: from
/// the stored occurrences alone when nothing but `near` and `groupIds` narrows the window
/// ([`from_horizon`]), from the meetings otherwise ([`by_meeting`]). Local weekdays and times
/// of day, and windows outside the horizon, expand each candidate's schedule ([`expanded`]).
pub fn page(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    request: &PageRequest,
    clock: Clock,
) -> ApiResult<SearchPage> {
    let window = search
        .starts_between
        .unwrap_or_else(|| default_window(clock.now));
    let in_horizon = clock
        .horizon
        .is_some_and(|until| horizon::covers(until, window.0, window.1, clock.now));
    let by_time_of_day = !search.weekdays.is_empty() || search.local_time.is_some();
    if in_horizon && !by_time_of_day {
        if search.starts_between.is_some()
            && only_near_and_groups(search)
            && request.order != MeetingOrder::Name
        {
            return from_horizon(conn, scope, search, request, window);
        }
        return by_meeting(conn, scope, search, request, window);
    }
    let within_horizon = search.starts_between.filter(|_| in_horizon);
    let found = expanded(conn, scope, search, clock.now, within_horizon)?;
    let (total, rows) = paged(ranked(found, request.order), request);
    Ok(SearchPage { total, rows })
}

/// Whether the search filters by nothing but time, place and groups.
fn only_near_and_groups(search: &MeetingSearch) -> bool {
    search.weekdays.is_empty()
        && search.local_time.is_none()
        && search.modes.is_empty()
        && search.program.is_none()
        && search.include_types.is_none()
        && search.exclude_types.is_empty()
        && search.languages.is_empty()
        && search.audiences.is_empty()
        && search.pathways.is_empty()
        && search.focus.is_empty()
        && search.text.is_none()
}

/// A match before its meeting is loaded: when its first occurrence in the window starts, and
/// whether that occurrence was moved, when known.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start_micros: Option<i64>,
    moved: Option<bool>,
    distance_km: Option<f64>,
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
        (organization_id, member_id) => {
            use crate::db::tables::memberships;
            use crate::memberships::model::MembershipState;
            let member_groups = memberships::table
                .filter(memberships::member_id.nullable().eq(member_id))
                .filter(memberships::state.eq_any([
                    MembershipState::Invited,
                    MembershipState::Requested,
                    MembershipState::Active,
                ]))
                .select(memberships::group_id);
            query.filter(
                o::public
                    .eq(true)
                    .or(o::organization_id.nullable().eq(organization_id))
                    .or(o::group_id.eq_any(member_groups)),
            )
        }
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
            let dlat = radius / 111.0;
            let dlon = radius / (111.0 * lat.to_radians().cos().abs().max(0.01));
            query = query
                .filter(o::latitude.between(lat - dlat, lat + dlat))
                .filter(o::longitude.between(lon - dlon, lon + dlon));
        }
    }
    query
}

/// Answers a search from the stored occurrences: one statement finds every match with its
/// first occurrence in the window, and only the page's meetings are then loaded.
fn from_horizon(
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
    load_page(
        conn,
        first.into_iter().collect(),
        request,
        &std::collections::HashMap::new(),
    )
}

/// Answers a search from the meetings that pass its filters, each with its first stored
/// occurrence in `window` (a correlated subquery on the horizon): one statement finds every
/// match, and only the page's meetings are then loaded.
fn by_meeting(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    request: &PageRequest,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> ApiResult<SearchPage> {
    use meeting_occurrences as o;
    let first_start = o::table
        .filter(o::meeting_id.eq(meetings::id))
        .filter(o::start_micros.ge(horizon::micros(window.0)))
        .filter(o::start_micros.lt(horizon::micros(window.1)))
        .select(diesel::dsl::min(o::start_micros))
        .single_value();
    let select = (
        meetings::id,
        meetings::name,
        meetings::latitude,
        meetings::longitude,
        meetings::types,
        first_start,
    );
    type Light = (Id, String, Option<f64>, Option<f64>, String, Option<i64>);
    let narrowed = search.starts_between;
    let candidates: Vec<Light> = prefiltered!(select, scope, search, narrowed).load(conn)?;
    let mut hits = Vec::with_capacity(candidates.len());
    let mut names = std::collections::HashMap::new();
    for (id, name, lat, lon, types, start_micros) in candidates {
        let Some(distance_km) = within_radius(search.near, lat, lon) else {
            continue;
        };
        if !types_match(&types, search) || (narrowed.is_some() && start_micros.is_none()) {
            continue;
        }
        if request.order == MeetingOrder::Name {
            names.insert(id, name);
        }
        hits.push((
            id,
            Hit {
                start_micros,
                moved: None,
                distance_km,
            },
        ));
    }
    load_page(conn, hits, request, &names)
}

/// Ranks matches (`names` holds their names when ordering by name), takes the page and loads
/// its meetings (one statement) with their next occurrences; exceptions are read (one more)
/// only for occurrences that may have moved.
fn load_page(
    conn: &mut DbConnection,
    hits: Vec<(Id, Hit)>,
    request: &PageRequest,
    names: &std::collections::HashMap<Id, String>,
) -> ApiResult<SearchPage> {
    let mut keyed: Keyed<Hit> = hits
        .into_iter()
        .map(|(id, hit)| {
            let start = hit.start_micros.map(horizon::instant);
            let name = names.get(&id).map_or("", String::as_str);
            let sort = sort_value(request.order, start, hit.distance_km, name);
            ((sort, id), hit)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let (total, page) = paged(keyed, request);
    let ids: Vec<Id> = page.iter().map(|((_, id), _)| *id).collect();
    let mut rows: std::collections::HashMap<Id, MeetingRow> = super::model::find_many(conn, &ids)?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let may_have_moved: Vec<Id> = page
        .iter()
        .filter(|(_, hit)| hit.start_micros.is_some() && hit.moved != Some(false))
        .map(|((_, id), _)| *id)
        .collect();
    let exceptions = if may_have_moved.is_empty() {
        Vec::new()
    } else {
        super::model::exceptions_of(conn, &may_have_moved)?
    };
    let rows = page
        .into_iter()
        .filter_map(|(key, hit)| {
            let row = rows.remove(&key.1)?;
            let mine: Vec<_> = exceptions
                .iter()
                .filter(|(id, _)| *id == row.id)
                .map(|(_, e)| e.to_exception(row.duration_minutes))
                .collect();
            let next = hit
                .start_micros
                .and_then(|start| occurrence_at(&row, &mine, horizon::instant(start)));
            Some((
                key,
                Found {
                    row,
                    distance_km: hit.distance_km,
                    next,
                },
            ))
        })
        .collect();
    Ok(SearchPage { total, rows })
}

/// The occurrence of a meeting that takes place starting at `start` (moved there, or as
/// scheduled).
fn occurrence_at(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_great_circle_kilometres() {
        let manhattan = (40.7831, -73.9712);
        let brooklyn = (40.6782, -73.9442);
        let d = haversine_km(manhattan, brooklyn);
        assert!((11.0..12.5).contains(&d), "{d}");
        assert!(haversine_km((51.5074, -0.1278), (48.8566, 2.3522)) > 340.0);
    }

    #[test]
    fn time_windows_may_wrap_past_midnight() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("time");
        assert!(in_window(t(19, 0), (t(18, 0), t(21, 0))));
        assert!(!in_window(t(21, 0), (t(18, 0), t(21, 0))));
        assert!(in_window(t(23, 30), (t(22, 0), t(2, 0))));
        assert!(in_window(t(1, 0), (t(22, 0), t(2, 0))));
        assert!(!in_window(t(12, 0), (t(22, 0), t(2, 0))));
    }
}
