//! The filters SQL checks for every way of searching: who may find a meeting, its status,
//! and the search's filters but local weekdays and times of day, over the meetings joined with
//! their groups, whatever the query selects.

use super::MeetingSearch;
use crate::db::MultiBackend;
use crate::db::tables::{meeting_occurrences, meetings, support_groups};
use crate::groups::model::GroupScope;
use crate::meetings::horizon;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// The meetings joined with their groups: what a search selects from.
type Joined = diesel::internal::table_macro::FromClause<
    diesel::helper_types::InnerJoinQuerySource<
        meetings::table,
        support_groups::table,
        diesel::dsl::Eq<support_groups::id, meetings::group_id>,
    >,
>;

/// A boxed query over [`Joined`] selecting a row of SQL type `ST`.
pub(super) type Candidates<'a, ST> =
    diesel::internal::table_macro::BoxedSelectStatement<'a, ST, Joined, MultiBackend>;

/// The meetings joined with their groups, selecting `select`, boxed.
macro_rules! candidates {
    ($select:expr) => {{
        use $crate::db::tables::{meetings, support_groups};
        meetings::table
            .inner_join(support_groups::table.on(support_groups::id.eq(meetings::group_id)))
            .select($select)
            .into_boxed()
    }};
}
pub(super) use candidates;

/// The start (Unix microseconds) of a meeting's first stored occurrence in `[$from, $to)`, as a
/// subquery correlated on `meetings.id`: NULL when it has none there.
macro_rules! first_start_in {
    ($from:expr, $to:expr) => {{
        use $crate::db::tables::{meeting_occurrences, meetings};
        let (from, to): (i64, i64) = ($from, $to);
        meeting_occurrences::table
            .filter(meeting_occurrences::meeting_id.eq(meetings::id))
            .filter(meeting_occurrences::start_micros.ge(from))
            .filter(meeting_occurrences::start_micros.lt(to))
            .select(diesel::dsl::min(meeting_occurrences::start_micros))
            .single_value()
    }};
}
pub(super) use first_start_in;

/// Keeps the rows of `$query` (whose FROM clause holds `meetings` joined with their
/// `support_groups`) that `$scope` may find, that are active, and that pass every filter of
/// `$search` but local weekdays and times of day, and the window.
macro_rules! sql_filters {
    ($query:ident, $scope:expr, $search:expr) => {{
        use $crate::db::tables::meetings;
        use $crate::groups::model::{filter_by_recovery, findable_by};
        use $crate::meetings::model::{AttendanceMode, MeetingStatus};
        use $crate::stored::{filter_like_any, language_patterns, list_pattern};
        let search: &$crate::meetings::search::MeetingSearch = $search;
        $query = $query
            .filter(findable_by!($scope))
            .filter(meetings::status.eq(MeetingStatus::Active));
        if !search.modes.is_empty() {
            let mut modes = search.modes.clone();
            if modes.iter().any(|m| *m != AttendanceMode::Hybrid) {
                modes.push(AttendanceMode::Hybrid);
            }
            $query = $query.filter(meetings::attendance_mode.eq_any(modes));
        }
        if let Some(program) = &search.program {
            $query = $query.filter(meetings::program.eq(program.clone()));
        }
        if !search.group_ids.is_empty() {
            $query = $query.filter(meetings::group_id.eq_any(search.group_ids.clone()));
        }
        match &search.include_types {
            None => {}
            Some((codes, $crate::meetings::search::TypeMatch::Any)) => {
                filter_like_any!(
                    $query,
                    meetings::types,
                    codes.iter().map(|c| list_pattern(c)).collect()
                );
            }
            Some((codes, $crate::meetings::search::TypeMatch::All)) => {
                for code in codes {
                    $query = $query.filter(meetings::types.like(list_pattern(code)));
                }
            }
        }
        for code in &search.exclude_types {
            $query = $query.filter(meetings::types.not_like(list_pattern(code)));
        }
        filter_by_recovery!($query, &search.focus, &search.audiences, &search.pathways);
        filter_like_any!(
            $query,
            meetings::languages,
            language_patterns(&search.languages)
        );
        if let Some(words) = &search.text {
            $query = $query.filter(words.matched_in($crate::db::full_text::Indexed::Meetings));
        }
        if let Some((lat, lon, radius)) = search.near.filter(|(_, _, r)| r.is_finite()) {
            let ((south, north), (west, east)) =
                $crate::meetings::horizon::bounding_box(lat, lon, radius);
            $query = $query
                .filter(meetings::latitude.between(south, north))
                .filter(meetings::longitude.between(west, east));
        }
    }};
}
pub(super) use sql_filters;

/// Keeps the candidates that pass the filters SQL can check ([`sql_filters!`]);
/// `within_horizon` is the search's window when the occurrence horizon holds it.
pub(super) fn prefilter<'a, ST: 'a>(
    mut query: Candidates<'a, ST>,
    scope: GroupScope,
    search: &MeetingSearch,
    within_horizon: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Candidates<'a, ST> {
    sql_filters!(query, scope, search);
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
            None => {
                query.filter(meetings::id.eq_any(in_window.select(meeting_occurrences::meeting_id)))
            }
        };
    }
    query
}
