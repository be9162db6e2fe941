//! The HTTP server: routes, shared state, and start-up.

use crate::config::Config;
use crate::graphql::{graphql_get, graphql_post};
use crate::health::{healthz, readyz};
use crate::request_context::request_context;
use actix_cors::Cors;
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use kinship_schema::db::Db;
use kinship_schema::limits::QueryLimits;
use kinship_schema::meetings::horizon::KnownHorizon;
use kinship_schema::members::tokens::TokenSigner;
use kinship_schema::{KinshipSchema, build_schema};
use serde_json::json;
use std::net::SocketAddr;

/// What every handler shares: built once per process, not per worker.
pub struct AppState {
    /// The executable schema.
    pub schema: KinshipSchema,
    /// The database.
    pub db: Db,
    /// How far ahead meeting occurrences are stored.
    pub horizon: KnownHorizon,
    /// Query limits applied before execution.
    pub limits: QueryLimits,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Signs and checks member tokens.
    pub signer: TokenSigner,
    /// Whether responses report their SQL statement count.
    pub expose_sql_statements: bool,
    /// The checks made before execution.
    pub preflight: kinship_schema::limits::Preflight,
    /// One permit per unit of cost executing at once (`KINSHIP_MAX_CONCURRENT_COST`).
    pub admission: std::sync::Arc<tokio::sync::Semaphore>,
    /// How long a request waits for room before it is shed.
    pub admission_wait: std::time::Duration,
    /// Failed authentications per client (`KINSHIP_AUTH_FAILURES_PER_MINUTE`).
    pub auth_throttle: crate::throttle::AuthThrottle,
    /// Whether clients are told apart by `X-Forwarded-For` (`KINSHIP_TRUST_FORWARDED_FOR`).
    pub trust_forwarded_for: bool,
    /// Whether `/graphiql` serves the IDE (`KINSHIP_GRAPHIQL`).
    pub graphiql: bool,
    /// The last `/readyz` answer, reused for a moment.
    pub readiness: crate::health::Readiness,
}

/// An error of a route that is not GraphQL, in the shape of GraphQL's errors.
pub(crate) fn json_error(
    status: actix_web::http::StatusCode,
    code: &str,
    message: &str,
) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    }))
}

async fn not_found() -> HttpResponse {
    json_error(
        actix_web::http::StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "no such route; the API is at /graphql and GraphiQL at /graphiql",
    )
}

async fn graphql_method_not_allowed() -> HttpResponse {
    let mut response = json_error(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        "use POST (or GET for queries)",
    );
    response.headers_mut().insert(
        actix_web::http::header::ALLOW,
        actix_web::http::header::HeaderValue::from_static("GET, POST"),
    );
    response
}

async fn to_graphiql(state: web::Data<AppState>) -> HttpResponse {
    if !state.graphiql {
        return not_found().await;
    }
    HttpResponse::Found()
        .insert_header((actix_web::http::header::LOCATION, "/graphiql"))
        .finish()
}

/// Cross-origin access for browser apps, from the configured origins.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers(["authorization", "content-type", "accept", "x-request-id"])
        .expose_headers(["x-request-id"])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

/// A route for `GET` and `HEAD` (which answers the same headers, without the body).
fn get_or_head() -> actix_web::Route {
    use actix_web::guard;
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Registers every route of the service.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql_post))
            .route(web::get().to(graphql_get))
            .default_service(web::to(graphql_method_not_allowed)),
    )
    .route(
        "/feeds/meetings/{file}",
        get_or_head().to(crate::feeds::icalendar::meeting_feed),
    )
    .route(
        "/feeds/groups/{file}",
        get_or_head().to(crate::feeds::icalendar::group_feed),
    )
    .route(
        "/feeds/meeting-guide/{organization}",
        get_or_head().to(crate::feeds::meeting_guide::feed),
    )
    .route("/graphiql", get_or_head().to(crate::graphiql::page))
    .route(
        "/graphiql/assets/{file}",
        get_or_head().to(crate::graphiql::asset),
    )
    .route("/healthz", get_or_head().to(healthz))
    .route("/readyz", get_or_head().to(readyz))
    .route("/", get_or_head().to(to_graphiql));
}

/// Moves the meeting occurrence horizon forward: checked every hour, extended once a day
/// (start-up has just extended it).
async fn keep_horizon(db: Db, known: KnownHorizon) {
    let mut every = actix_web::rt::time::interval(std::time::Duration::from_secs(3600));
    every.tick().await;
    loop {
        every.tick().await;
        let now = chrono::Utc::now();
        match db
            .run(move |conn| kinship_schema::meetings::horizon::extend(conn, now))
            .await
        {
            Ok(until) => known.moved_to(until),
            Err(e) => tracing::warn!(code = e.code(), "cannot extend the meeting horizon"),
        }
    }
}

/// Binds the listener and returns the server (not yet awaited) and the addresses it bound.
/// The server stops gracefully on SIGTERM/SIGINT, letting requests in flight finish.
pub fn start(
    config: &Config,
    db: Db,
    listener: std::net::TcpListener,
) -> std::io::Result<(actix_web::dev::Server, Vec<SocketAddr>)> {
    let signer = db
        .conn()
        .and_then(|mut conn| TokenSigner::load(&mut conn, config.token_secret.as_deref()))
        .map_err(|e| {
            std::io::Error::other(format!("cannot load the token secret: {}", e.message()))
        })?;
    let horizon = db
        .conn()
        .and_then(|mut conn| KnownHorizon::read(&mut conn))
        .map_err(|e| {
            std::io::Error::other(format!("cannot read the meeting horizon: {}", e.message()))
        })?;
    actix_web::rt::spawn(keep_horizon(db.clone(), horizon.clone()));
    let state = web::Data::new(AppState {
        schema: build_schema(db.clone(), horizon.clone(), signer.clone(), &config.limits),
        horizon,
        db,
        limits: config.limits.clone(),
        max_body_bytes: config.max_body_bytes,
        signer,
        expose_sql_statements: config.expose_sql_statements,
        preflight: kinship_schema::preflight(),
        admission: std::sync::Arc::new(tokio::sync::Semaphore::new(
            config.limits.max_concurrent_cost.max(1),
        )),
        admission_wait: config.db_timeout,
        auth_throttle: crate::throttle::AuthThrottle::new(config.auth_failures_per_minute),
        trust_forwarded_for: config.trust_forwarded_for,
        graphiql: config.graphiql,
        readiness: Default::default(),
    });
    let cors_origins = config.cors_origins.clone();
    let bench_reference = config.bench_reference;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(Condition::new(
                !cors_origins.is_empty(),
                cors(&cors_origins),
            ))
            .wrap(from_fn(request_context))
            .configure(routes)
            .configure(|cfg| {
                if bench_reference {
                    cfg.route(
                        "/reference/meetings-soon",
                        web::get().to(crate::reference::meetings_soon),
                    );
                }
            })
            .default_service(web::to(not_found))
    })
    .workers(config.workers)
    .shutdown_timeout(config.shutdown_timeout.as_secs())
    .listen(listener)?;
    let addrs = server.addrs();
    Ok((server.run(), addrs))
}
