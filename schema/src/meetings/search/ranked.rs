//! Words, best match first (`RELEVANCE`): the text index (`db::full_text`) scores every meeting
//! that holds the words, SQL keeps those that pass the other filters, and only the page's
//! meetings are then loaded, each with its first occurrence. Ranking costs the matches, not the
//! table. A place is left to `stored::by_meeting`, which checks the radius in Rust.

use super::candidates::{candidates, first_start_in, prefilter};
use super::stored::{Listed, with_next_occurrences};
use super::{MeetingSearch, PageRequest, SearchPage, paged};
use crate::db::full_text::{Indexed, score_key};
use crate::db::tables::meetings;
use crate::db::{DbConnection, Id};
use crate::error::{ApiError, ApiResult};
use crate::groups::model::GroupScope;
use crate::meetings::MeetingOrder;
use crate::meetings::horizon;
use crate::meetings::model::MeetingRow;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use std::collections::HashMap;

/// Whether [`page`] answers this search: words in `RELEVANCE` order, without a place.
pub(super) fn serves(search: &MeetingSearch, request: &PageRequest) -> bool {
    search.text.is_some()
        && search.near.is_none()
        && request.nearest.is_none()
        && request.order == MeetingOrder::Relevance
}

/// A page of the meetings `scope` may find that hold the search's words and pass its other
/// filters, best match first (ties by id), each with its first occurrence in `window` (the
/// search's `startsBetween`, which it must have one in, or the next five weeks).
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
    let scores = words.scores_in(conn, Indexed::Meetings)?;
    let ids: Vec<Id> = prefilter(
        candidates!(meetings::id),
        scope,
        search,
        search.starts_between,
    )
    .load(conn)?;
    let mut keyed: Vec<((String, Id), f64)> = ids
        .into_iter()
        .filter_map(|id| scores.get(&id).map(|s| ((score_key(*s), id), *s)))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let (total, page) = paged(keyed, request);
    let page_ids: Vec<Id> = page.iter().map(|((_, id), _)| *id).collect();
    let first_start = first_start_in!(horizon::micros(window.0), horizon::micros(window.1));
    let mut rows: HashMap<Id, (MeetingRow, Option<i64>)> = meetings::table
        .filter(meetings::id.eq_any(&page_ids))
        .select((MeetingRow::as_select(), first_start))
        .load::<(MeetingRow, Option<i64>)>(conn)?
        .into_iter()
        .map(|(row, start)| (row.id, (row, start)))
        .collect();
    let listed = page
        .into_iter()
        .filter_map(|(key, score)| {
            let (row, start_micros) = rows.remove(&key.1)?;
            Some(Listed {
                key,
                row,
                start_micros,
                moved: None,
                distance_km: None,
                score: Some(score),
            })
        })
        .collect();
    Ok(SearchPage {
        total,
        rows: with_next_occurrences(conn, listed)?,
    })
}
