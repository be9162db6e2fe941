//! Searching by expanding each candidate's schedule in its own time zone: for local weekdays
//! and times of day, which the occurrence horizon does not store, and for windows outside it.

use super::candidates::{candidates, prefilter};
use super::{Found, Keyed, MeetingSearch, default_window, sort_value, within_radius};
use crate::db::full_text::Indexed;
use crate::db::{DbConnection, Id};
use crate::error::ApiResult;
use crate::groups::model::GroupScope;
use crate::meetings::MeetingOrder;
use crate::meetings::model::{MeetingRow, exceptions_of, take_exceptions_of};
use crate::meetings::recurrence::{self, Status};
use chrono::{DateTime, Datelike, NaiveTime, Timelike, Utc};
use diesel::prelude::*;

fn in_window(time: NaiveTime, (from, to): (NaiveTime, NaiveTime)) -> bool {
    if from <= to {
        time >= from && time < to
    } else {
        time >= from || time < to
    }
}

/// How many candidates are read and expanded at a time: what bounds the memory of a search
/// however many meetings it has to look at.
const BATCH: i64 = 1000;

/// Most searches that expand schedules running at once in the process: each reads every
/// candidate, so more at once would only share the CPU and add their memory.
const AT_ONCE: usize = 2;

/// How long a search waits for its turn before the server says it is busy.
const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The turns, out of [`AT_ONCE`].
static TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(AT_ONCE);

/// A turn to expand schedules, taken before the search takes a database connection (so
/// waiting searches hold none); given back when dropped.
pub struct Turn(#[allow(dead_code)] tokio::sync::SemaphorePermit<'static>);

impl Turn {
    /// Waits up to [`WAIT`] for a turn; `UNAVAILABLE` after that.
    pub async fn take() -> ApiResult<Turn> {
        let busy =
            || crate::error::ApiError::unavailable("schedule-expanding searches are all busy");
        match tokio::time::timeout(WAIT, TURNS.acquire()).await {
            Ok(Ok(permit)) => Ok(Turn(permit)),
            _ => Err(busy()),
        }
    }
}

/// SQL that keeps a superset of the meetings a search by local weekday or time of day can
/// find, decided from the row alone, so that only those are read and expanded: a weekday
/// named in the rule (or a rule without `BYDAY`, or none), a start time in the window (or in
/// the small hours, where daylight-saving changes move local times), or any moved occurrence.
/// Built from the search's parsed values only, never from the caller's text.
fn by_row(search: &MeetingSearch) -> Option<String> {
    use chrono::Weekday;
    const MOVED: &str =
        "meetings.id IN (SELECT meeting_id FROM meeting_exceptions WHERE new_start IS NOT NULL)";
    let mut parts = Vec::new();
    if !search.weekdays.is_empty() {
        let days: Vec<String> = search
            .weekdays
            .iter()
            .map(|day| {
                let code = match day {
                    Weekday::Mon => "MO",
                    Weekday::Tue => "TU",
                    Weekday::Wed => "WE",
                    Weekday::Thu => "TH",
                    Weekday::Fri => "FR",
                    Weekday::Sat => "SA",
                    Weekday::Sun => "SU",
                };
                format!("meetings.rrule LIKE '%{code}%'")
            })
            .collect();
        parts.push(format!(
            "(meetings.rrule IS NULL OR meetings.rrule NOT LIKE '%BYDAY%' OR {})",
            days.join(" OR ")
        ));
    }
    if let Some((from, to)) = search.local_time {
        let (from, to) = (from.format("%H:%M"), to.format("%H:%M"));
        let joiner = if from.to_string() <= to.to_string() {
            "AND"
        } else {
            "OR"
        };
        parts.push(format!(
            "((meetings.start_time >= '{from}' {joiner} meetings.start_time <= '{to}') OR meetings.start_time < '04:00')"
        ));
    }
    (!parts.is_empty()).then(|| format!("({} OR {MOVED})", parts.join(" AND ")))
}

/// Runs a search at `now` by expanding each candidate's schedule: the matching meetings,
/// unordered. For local weekdays and times of day, which the horizon does not store, and for
/// windows outside the horizon. Candidates are read [`BATCH`] at a time, in id order, with their
/// exceptions; only the matches are kept. Callers hold a [`Turn`].
pub(super) fn expanded(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    now: DateTime<Utc>,
    within_horizon: Option<(DateTime<Utc>, DateTime<Utc>)>,
    order: MeetingOrder,
) -> ApiResult<Vec<Found>> {
    use crate::db::tables::meetings;
    let (from, to) = search.starts_between.unwrap_or_else(|| default_window(now));
    let time_filtered = search.starts_between.is_some()
        || !search.weekdays.is_empty()
        || search.local_time.is_some();
    let scores = match (&search.text, order) {
        (Some(words), MeetingOrder::Relevance) => words.scores_in(conn, Indexed::Meetings)?,
        _ => Default::default(),
    };
    let mut found = Vec::new();
    let mut after: Option<Id> = None;
    loop {
        let mut query = prefilter(
            candidates!(MeetingRow::as_select()),
            scope,
            search,
            within_horizon,
        )
        .order(meetings::id.asc())
        .limit(BATCH);
        if let Some(superset) = by_row(search) {
            query = query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&superset));
        }
        if let Some(last) = after {
            query = query.filter(meetings::id.gt(last));
        }
        let batch: Vec<MeetingRow> = query.load(conn)?;
        let Some(last) = batch.last() else {
            break;
        };
        after = Some(last.id);
        let full = batch.len() as i64 == BATCH;
        let ids: Vec<Id> = batch.iter().map(|m| m.id).collect();
        let mut exceptions = exceptions_of(conn, &ids)?;
        for row in batch {
            let Some(distance_km) = within_radius(search.near, row.latitude, row.longitude) else {
                continue;
            };
            let Ok(schedule) = row.schedule() else {
                continue;
            };
            let mine = take_exceptions_of(&mut exceptions, &row);
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
            if time_filtered && upcoming.is_empty() {
                continue;
            }
            let score = scores.get(&row.id).copied();
            found.push(Found {
                row,
                distance_km,
                next: upcoming.into_iter().next(),
                score,
            });
        }
        if !full {
            break;
        }
    }
    Ok(found)
}

/// The found meetings in `order`, each with its keyset cursor key: the sort value, then the id.
pub(super) fn ranked(found: Vec<Found>, order: MeetingOrder) -> Keyed<Found> {
    let mut keyed: Keyed<Found> = found
        .into_iter()
        .map(|f| {
            let sort = sort_value(
                order,
                f.next.as_ref().map(|o| o.start),
                f.distance_km,
                &f.row.name,
                f.score,
            );
            ((sort, f.row.id), f)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed
}

#[cfg(test)]
mod tests {
    use super::*;

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
