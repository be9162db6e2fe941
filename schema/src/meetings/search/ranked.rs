//! Words, best match first (`RELEVANCE`): the text index (`db::full_text`) finds the meetings
//! that hold every word, SQL ranks them and stops at the page, keyset on (score, id). Only a
//! place is left to `stored::by_meeting`, which checks the radius in Rust.

use super::candidates::{candidates, first_start_in, prefilter};
use super::stored::{Listed, with_next_occurrences};
use super::{MeetingSearch, PageRequest, SearchPage};
use crate::db::DbConnection;
use crate::db::full_text::{Indexed, score_key};
use crate::db::tables::meetings;
use crate::error::{ApiError, ApiResult};
use crate::groups::model::GroupScope;
use crate::meetings::MeetingOrder;
use crate::meetings::horizon;
use crate::meetings::model::MeetingRow;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

/// Whether [`page`] answers this search: words in `RELEVANCE` order, without a place.
pub(super) fn serves(search: &MeetingSearch, request: &PageRequest) -> bool {
    search.text.is_some()
        && search.near.is_none()
        && request.nearest.is_none()
        && request.order == MeetingOrder::Relevance
}

/// A page of the meetings `scope` may find that hold the search's words and pass its other
/// filters, best match first, each with its first occurrence in `window` (the search's
/// `startsBetween`, which it must have one in, or the next five weeks).
pub(super) fn page(
    conn: &mut DbConnection,
    scope: GroupScope,
    search: &MeetingSearch,
    request: &PageRequest,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> ApiResult<SearchPage> {
    let Some(words) = &search.text else {
        return Err(ApiError::bad_input(
            "orderBy",
            "RELEVANCE needs filter.text",
        ));
    };
    let score = words.score_in(Indexed::Meetings);
    let first_start = first_start_in!(horizon::micros(window.0), horizon::micros(window.1));
    let mut query = prefilter(
        candidates!((MeetingRow::as_select(), score.clone(), first_start)),
        scope,
        search,
        search.starts_between,
    );
    if let Some((key, id)) = &request.after {
        query = query.filter(score.clone().after(key, meetings::id, *id)?);
    }
    let found: Vec<(MeetingRow, Option<f64>, Option<i64>)> = query
        .order((score.desc(), meetings::id.asc()))
        .limit(request.limit as i64)
        .load(conn)?;
    let listed = found
        .into_iter()
        .map(|(row, score, start_micros)| Listed {
            key: (score_key(score.unwrap_or(0.0)), row.id),
            row,
            start_micros,
            moved: None,
            distance_km: None,
            score,
        })
        .collect();
    let total = match request.count_total {
        true => {
            let counted = prefilter(
                candidates!(diesel::dsl::count_star()),
                scope,
                search,
                search.starts_between,
            );
            counted.first::<i64>(conn)? as usize
        }
        false => 0,
    };
    Ok(SearchPage {
        total,
        rows: with_next_occurrences(conn, listed)?,
    })
}
