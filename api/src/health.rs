//! Liveness and readiness probes.

use crate::server::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `GET /healthz`: the process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// How long a readiness answer is reused: a flood of probes costs one write per interval
/// (on SQLite each probe takes the write lock).
const READINESS_TTL: Duration = Duration::from_secs(2);

/// The last readiness answer and when it was found.
#[derive(Default)]
pub struct Readiness(Mutex<Option<(Instant, bool)>>);

/// `GET /readyz`: the database answers and takes writes; `503` otherwise.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let cached = state
        .readiness
        .0
        .lock()
        .ok()
        .and_then(|last| *last)
        .filter(|(at, _)| at.elapsed() < READINESS_TTL)
        .map(|(_, ready)| ready);
    let ready = match cached {
        Some(ready) => ready,
        None => {
            let ready = match state.db.ping().await {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(code = e.code(), "not ready");
                    false
                }
            };
            if let Ok(mut last) = state.readiness.0.lock() {
                *last = Some((Instant::now(), ready));
            }
            ready
        }
    };
    if ready {
        HttpResponse::Ok().json(json!({ "status": "ready" }))
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "5"))
            .json(json!({
                "status": "unavailable",
                "reason": "the database does not answer or does not take writes",
                "errors": [{
                    "message": "the database does not answer or does not take writes",
                    "extensions": { "code": "UNAVAILABLE" }
                }]
            }))
    }
}
