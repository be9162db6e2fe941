//! Meeting search. [`page`] answers a search in one of five ways, by what it asks:
//! - no place, window or words (browsing, filtered or not) by next occurrence or name: an index
//!   walked in that order, stopping at the page (`browse`);
//! - words without a place, best match first: the text index's scores of the matches, and
//!   only the page's meetings loaded (`ranked`);
//! - a window the occurrence horizon holds, filtered by nothing but `near` and `groupIds`:
//!   from the stored occurrences alone (`stored::from_horizon`);
//! - other filters in such a window, or no window (the next five weeks) with a place or words:
//!   the meetings that pass the filters, each with its first stored occurrence
//!   (`stored::by_meeting`);
//! - local weekdays or times of day, or a window outside the horizon: each candidate's schedule
//!   expanded in its own time zone (`expanded`).
//!
//! The first four load only the page's meetings. All five share the filters SQL checks
//! (`candidates`), the cursor keys and the paging.

mod browse;
mod candidates;
mod expanded;
mod ranked;
pub use expanded::Turn;
pub mod graphql;
mod stored;

use super::MeetingOrder;
use super::horizon;
use super::model::{AttendanceMode, MeetingRow};
use super::recurrence;
use crate::db::full_text::{Words, score_key};
use crate::db::{DbConnection, Id};
use crate::error::ApiResult;
use crate::groups::model::GroupScope;
use crate::recovery::{Audience, Pathway, RecoveryFocus};
use chrono::{DateTime, Duration, NaiveTime, Utc, Weekday};

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
    /// Words in the name, group name, place or description.
    pub text: Option<Words>,
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
    /// How well it matches the search's words, when it has some.
    pub score: Option<f64>,
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

/// The sort value of a meeting in `order` (the cursor key is this, then the id).
fn sort_value(
    order: MeetingOrder,
    next_start: Option<DateTime<Utc>>,
    distance_km: Option<f64>,
    name: &str,
    score: Option<f64>,
) -> String {
    match order {
        MeetingOrder::NextOccurrence => next_start.map_or_else(
            || "~".to_owned(),
            |start| format!("{:020}", start.timestamp_micros() + (1_i64 << 60)),
        ),
        MeetingOrder::Distance => format!("{:015.4}", distance_km.unwrap_or(f64::MAX / 4.0)),
        MeetingOrder::Name => name.to_lowercase(),
        MeetingOrder::Relevance => score_key(score.unwrap_or(0.0)),
    }
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
    /// Whether to count every match (`totalCount`); a list that counts only when asked
    /// answers 0 otherwise.
    pub count_total: bool,
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

/// The search's window, and whether the stored horizon holds it.
fn horizon_window(search: &MeetingSearch, clock: Clock) -> ((DateTime<Utc>, DateTime<Utc>), bool) {
    let window = search
        .starts_between
        .unwrap_or_else(|| default_window(clock.now));
    let in_horizon = clock
        .horizon
        .is_some_and(|until| horizon::covers(until, window.0, window.1, clock.now));
    (window, in_horizon)
}

/// Whether the search expands schedules ([`expanded`]): by local weekday or time of day, or
/// over a window the stored horizon does not hold. Such searches take a turn
/// ([`expanded::Turn`]) before they take a connection.
pub fn expands(search: &MeetingSearch, clock: Clock) -> bool {
    let by_time_of_day = !search.weekdays.is_empty() || search.local_time.is_some();
    by_time_of_day || !horizon_window(search, clock).1
}

/// Runs a search: the number of matches and the page `request` asks for. When the occurrence
/// horizon holds the window (the search's `startsBetween`, or the next five weeks), matches
/// are found with their next occurrence in SQL and only the page's meetings are loaded: from
/// the stored occurrences alone when nothing but `near` and `groupIds` narrows the window
/// ([`stored::from_horizon`]), from the meetings otherwise ([`stored::by_meeting`]). Local weekdays and times
/// of day, and windows outside the horizon, expand each candidate's schedule
/// ([`expanded::expanded`]).
pub fn page(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    request: &PageRequest,
    clock: Clock,
) -> ApiResult<SearchPage> {
    let (window, in_horizon) = horizon_window(search, clock);
    if !expands(search, clock) {
        if search.starts_between.is_some()
            && only_near_and_groups(search)
            && request.order != MeetingOrder::Name
        {
            return stored::from_horizon(conn, scope, search, request, window);
        }
        if browse::serves(search, request) {
            return browse::page(conn, scope, search, request, window);
        }
        if ranked::serves(search, request) {
            return ranked::page(conn, scope, search, request, window);
        }
        return stored::by_meeting(conn, scope, search, request, window);
    }
    let within_horizon = search.starts_between.filter(|_| in_horizon);
    let found = expanded::expanded(
        conn,
        scope,
        search,
        clock.now,
        within_horizon,
        request.order,
    )?;
    let (total, rows) = paged(expanded::ranked(found, request.order), request);
    Ok(SearchPage { total, rows })
}

/// The groups of a page's meetings, in one statement (the page shows them with its meetings).
pub fn groups_of(
    conn: &mut DbConnection,
    page: &SearchPage,
) -> ApiResult<Vec<crate::groups::model::GroupRow>> {
    let ids: Vec<Id> = page.rows.iter().map(|(_, f)| f.row.group_id).collect();
    crate::groups::model::find_many(conn, &ids)
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
}
