//! Public feeds under `/feeds/`: the formats other software reads. Each handler loads through
//! a schema-crate function and only formats; no handler knows a table.

pub mod icalendar;
pub mod meeting_guide;

/// A feed's answer when the database fails it: `UNAVAILABLE` (503) when it cannot be reached in
/// time, else the error's code (500), in the shape of every other route's errors.
fn feed_error(error: &kinship_schema::error::ApiError) -> actix_web::HttpResponse {
    let status = match error.code() {
        "UNAVAILABLE" => actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
        _ => actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
    };
    crate::server::json_error(status, error.code(), &error.message())
}

/// A feed that could not be written (500 `INTERNAL`).
fn not_written() -> actix_web::HttpResponse {
    crate::server::json_error(
        actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "the feed could not be written",
    )
}

/// No such feed (404 `NOT_FOUND`), and why.
fn no_feed(why: &str) -> actix_web::HttpResponse {
    crate::server::json_error(actix_web::http::StatusCode::NOT_FOUND, "NOT_FOUND", why)
}
