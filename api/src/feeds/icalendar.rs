//! The iCalendar feeds' routes: `GET /feeds/meetings/{meetingId}.ics` and
//! `GET /feeds/groups/{groupId}.ics`. What they write is `kinship_schema::meetings::icalendar`.

use super::{feed_error, no_feed, not_written};
use crate::server::AppState;
use actix_web::{HttpResponse, web};
use kinship_schema::db::Id;
use kinship_schema::meetings::icalendar::render;
use kinship_schema::meetings::model::calendar;

async fn serve(state: web::Data<AppState>, file: String, group: bool) -> HttpResponse {
    let Some(id) = file
        .strip_suffix(".ics")
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .map(Id)
    else {
        return no_feed("feeds are /feeds/meetings/{uuid}.ics and /feeds/groups/{uuid}.ics");
    };
    let (meeting, group_id) = if group {
        (None, Some(id))
    } else {
        (Some(id), None)
    };
    match state
        .db
        .run(move |conn| calendar(conn, meeting, group_id))
        .await
    {
        Ok(Some(found)) => {
            let name = if group {
                found.0.name.clone()
            } else {
                found
                    .1
                    .first()
                    .map_or_else(|| found.0.name.clone(), |(m, _)| m.name.clone())
            };
            // Expanding schedules and zones is CPU work: off the async workers.
            match web::block(move || render(&name, &found)).await {
                Ok(body) => HttpResponse::Ok()
                    .content_type("text/calendar; charset=utf-8")
                    .insert_header(("Cache-Control", "public, max-age=300"))
                    .body(body),
                Err(_) => not_written(),
            }
        }
        Ok(None) => no_feed("no such public meeting or group"),
        Err(e) => feed_error(&e),
    }
}

/// `GET /feeds/meetings/{meetingId}.ics`.
pub async fn meeting_feed(path: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    serve(state, path.into_inner(), false).await
}

/// `GET /feeds/groups/{groupId}.ics`.
pub async fn group_feed(path: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    serve(state, path.into_inner(), true).await
}
