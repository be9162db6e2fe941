//! `GET /feeds/meeting-guide/{organizationSlug}.json`: an organization's public meetings in the
//! Meeting Guide format (entries written by `kinship_schema::meetings::meeting_guide`).

use super::{feed_error, no_feed, not_written};
use crate::server::AppState;
use actix_web::{HttpResponse, web};
use kinship_schema::meetings::meeting_guide::entries;
use kinship_schema::meetings::model::published_by;
use serde_json::Value;

/// `GET /feeds/meeting-guide/{organizationSlug}.json`.
pub async fn feed(path: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    let Some(slug) = path.into_inner().strip_suffix(".json").map(str::to_owned) else {
        return no_feed("feeds end in .json");
    };
    let published = state.db.run(move |conn| published_by(conn, &slug)).await;
    match published {
        Ok(Some(meetings)) => {
            // Writing every meeting's entries is CPU work: off the async workers.
            let written = web::block(move || {
                let feed: Vec<Value> = meetings
                    .iter()
                    .flat_map(|(meeting, group)| entries(meeting, group))
                    .collect();
                serde_json::to_vec(&feed)
            })
            .await;
            match written {
                Ok(Ok(body)) => HttpResponse::Ok()
                    .content_type("application/json")
                    .insert_header(("Cache-Control", "public, max-age=300"))
                    .insert_header(("Access-Control-Allow-Origin", "*"))
                    .body(body),
                _ => not_written(),
            }
        }
        Ok(None) => no_feed("no organization with this slug"),
        Err(e) => feed_error(&e),
    }
}
