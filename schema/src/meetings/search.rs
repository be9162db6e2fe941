//! Meeting search: a SQL prefilter (visibility, status, modes, program, languages, group
//! audience/pathway/focus, text, a bounding box around `near`), then the time-aware filters
//! evaluated per meeting in its own time zone (weekdays, local time of day, "starting between"),
//! distances, and the order by next occurrence, distance or name.

use super::model::{AttendanceMode, MeetingRow, MeetingStatus};
use super::recurrence::{self, Status};
use super::slots;
use crate::db::tables::{meeting_exceptions, meeting_slots, meetings, support_groups};
use crate::db::{DbConnection, Id, MultiBackend, Ts};
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

type Boxed<'a> = diesel::internal::table_macro::BoxedSelectStatement<
    'a,
    diesel::helper_types::AsSelect<MeetingRow, MultiBackend>,
    diesel::internal::table_macro::FromClause<
        diesel::helper_types::InnerJoinQuerySource<
            meetings::table,
            support_groups::table,
            diesel::dsl::Eq<support_groups::id, meetings::group_id>,
        >,
    >,
    MultiBackend,
>;

fn prefilter<'a>(scope: GroupScope, search: &MeetingSearch) -> Boxed<'a> {
    let mut query = meetings::table
        .inner_join(support_groups::table.on(support_groups::id.eq(meetings::group_id)))
        .select(MeetingRow::as_select())
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
    if let Some((from, to)) = search.starts_between
        && let Some(ranges) = slots::window_ranges(from, to)
    {
        // Starts in the window: a slot in its minutes (in the cells around the point when
        // searching near one), or an occurrence moved into the window. One range of minutes,
        // or two when the window wraps past Saturday midnight UTC.
        let moved = meeting_exceptions::table
            .filter(meeting_exceptions::new_start.ge(Ts::from(from)))
            .filter(meeting_exceptions::new_start.lt(Ts::from(to)))
            .select(meeting_exceptions::meeting_id);
        let minute = meeting_slots::minute_of_week;
        let cells = search
            .near
            .and_then(|(lat, lon, radius)| slots::cells_around(lat, lon, radius));
        macro_rules! starting_in {
            ($slots:expr) => {
                query.filter(
                    meetings::id.eq_any($slots.select(meeting_slots::meeting_id).union(moved)),
                )
            };
        }
        let in_cells =
            |cells: Vec<i32>| meeting_slots::table.filter(meeting_slots::cell.eq_any(cells));
        query = match (cells, ranges.as_slice()) {
            (Some(cells), [(start, end)]) => {
                starting_in!(in_cells(cells).filter(minute.between(*start, *end)))
            }
            (Some(cells), [(start, _), (_, end)]) => {
                starting_in!(in_cells(cells).filter(minute.ge(*start).or(minute.le(*end))))
            }
            (None, [(start, end)]) => {
                starting_in!(meeting_slots::table.filter(minute.between(*start, *end)))
            }
            (None, [(start, _), (_, end)]) => {
                starting_in!(meeting_slots::table.filter(minute.ge(*start).or(minute.le(*end))))
            }
            _ => query,
        };
    }
    query
}

fn types_match(row: &MeetingRow, search: &MeetingSearch) -> bool {
    let codes = decode_list(&row.types);
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

/// Runs a search at `now`: the matching meetings, unordered.
pub fn search(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    now: DateTime<Utc>,
) -> ApiResult<Vec<Found>> {
    let candidates: Vec<MeetingRow> = prefilter(scope, search).load(conn)?;
    let ids: Vec<Id> = candidates.iter().map(|m| m.id).collect();
    let mut exceptions = super::model::exceptions_of(conn, &ids)?;
    let (from, to) = search
        .starts_between
        .unwrap_or((now, now + Duration::days(35)));
    let mut found = Vec::new();
    for row in candidates {
        let distance_km = match (search.near, row.latitude, row.longitude) {
            (Some((lat, lon, radius)), Some(mlat), Some(mlon)) => {
                let d = haversine_km((lat, lon), (mlat, mlon));
                if d > radius {
                    continue;
                }
                Some(d)
            }
            (Some(_), _, _) => continue,
            (None, _, _) => None,
        };
        if !types_match(&row, search) {
            continue;
        }
        let Ok(schedule) = row.schedule() else {
            continue;
        };
        let mine: Vec<_> = exceptions
            .extract_if(.., |(id, _)| *id == row.id)
            .map(|(_, e)| e.to_exception(row.duration_minutes))
            .collect();
        if mine.is_empty()
            && search.starts_between.is_some()
            && !slots::may_start_between(&row, from, to)
        {
            continue;
        }
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

/// The found meetings in `order`, each with its keyset cursor key: the sort value, then the id.
pub fn ranked(found: Vec<Found>, order: super::MeetingOrder) -> Vec<((String, Id), Found)> {
    use super::MeetingOrder;
    let key = |f: &Found| -> (String, Id) {
        let sort = match order {
            MeetingOrder::NextOccurrence => f.next.as_ref().map_or_else(
                || "~".to_owned(),
                |o| format!("{:020}", o.start.timestamp_micros() + (1_i64 << 60)),
            ),
            MeetingOrder::Distance => format!("{:015.4}", f.distance_km.unwrap_or(f64::MAX / 4.0)),
            MeetingOrder::Name => f.row.name.to_lowercase(),
        };
        (sort, f.row.id)
    };
    let mut keyed: Vec<((String, Id), Found)> = found.into_iter().map(|f| (key(&f), f)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed
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
