//! Occurrences for `Meeting.occurrences` and `Meeting.nextOccurrence`, computed in batches on
//! the blocking thread pool: expanding schedules is CPU work, and it never runs on the async
//! workers that serve requests. One batch reads the meetings and their exceptions in two
//! statements and expands every schedule asked for.

use super::model::{self, MeetingRow};
use super::recurrence::{Occurrence, occurrences};
use crate::db::{Db, Id};
use crate::error::{ApiError, ApiResult};
use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// One expansion: a meeting's occurrences starting in `[from, to)` (instants in
/// microseconds), at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    /// The meeting.
    pub meeting: Id,
    /// Window start, in microseconds since the epoch.
    pub from: i64,
    /// Window end, in microseconds since the epoch.
    pub to: i64,
    /// Most occurrences.
    pub limit: usize,
}

/// Expands batches of [`Window`]s on the blocking pool.
pub struct PlannedLoader {
    db: Db,
}

impl PlannedLoader {
    /// A loader over `db`.
    pub fn new(db: &Db) -> PlannedLoader {
        PlannedLoader { db: db.clone() }
    }
}

fn instant(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

impl Loader<Window> for PlannedLoader {
    type Value = Vec<Occurrence>;
    type Error = ApiError;

    async fn load(&self, windows: &[Window]) -> Result<HashMap<Window, Vec<Occurrence>>, ApiError> {
        let windows = windows.to_vec();
        self.db
            .run(move |conn| {
                let mut ids: Vec<Id> = windows.iter().map(|w| w.meeting).collect();
                ids.sort();
                ids.dedup();
                let meetings: HashMap<Id, MeetingRow> = model::find_many(conn, &ids)?
                    .into_iter()
                    .map(|m| (m.id, m))
                    .collect();
                let mut exceptions = model::exceptions_of(conn, &ids)?;
                let mut planned = HashMap::new();
                let mut by_meeting = HashMap::new();
                for meeting in meetings.values() {
                    by_meeting.insert(
                        meeting.id,
                        model::take_exceptions_of(&mut exceptions, meeting),
                    );
                }
                for window in windows {
                    let Some(meeting) = meetings.get(&window.meeting) else {
                        continue;
                    };
                    let schedule = meeting.schedule()?;
                    let found = occurrences(
                        &schedule,
                        by_meeting.get(&meeting.id).map_or(&[][..], Vec::as_slice),
                        instant(window.from),
                        instant(window.to),
                        window.limit,
                    );
                    planned.insert(window, found);
                }
                Ok(planned)
            })
            .await
    }
}

/// A meeting's occurrences in `[from, to)`, at most `limit`, through the request's loader.
pub async fn planned(
    ctx: &Context<'_>,
    meeting: Id,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
) -> ApiResult<Vec<Occurrence>> {
    let loader = ctx
        .data::<DataLoader<PlannedLoader>>()
        .map_err(|e| ApiError::internal(e.message))?;
    let window = Window {
        meeting,
        from: from.timestamp_micros(),
        to: to.timestamp_micros(),
        limit,
    };
    Ok(loader.load_one(window).await?.unwrap_or_default())
}
