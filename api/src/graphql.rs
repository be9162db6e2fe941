//! `/graphql` over HTTP, following the GraphQL-over-HTTP draft: POST with `application/json`
//! (single or batched), GET with query parameters for queries only. Responses are
//! `application/graphql-response+json` when the client accepts it (request errors then answer
//! `400`), `application/json` otherwise. Every refusal is a GraphQL error with a stable
//! `extensions.code`.

use crate::server::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, BatchResponse, Response, ServerError};
use futures_util::StreamExt as _;
use kinship_schema::auth::{Viewer, authenticate};
use kinship_schema::db::StatementCount;
use kinship_schema::error::ApiError;
use kinship_schema::limits::{Preflight, coded_error};
use serde::Serialize;
use tracing::Instrument as _;

/// Codes of errors that stop a request before execution.
const REQUEST_ERROR_CODES: [&str; 4] = [
    "BAD_REQUEST",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_COMPLEX",
];

/// The media type the client asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `application/graphql-response+json`: request errors answer 400.
    GraphqlResponse,
    /// `application/json`: every executed request answers 200.
    Json,
}

impl Format {
    fn negotiate(req: &HttpRequest) -> Format {
        let accepts = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/graphql-response+json"));
        if accepts {
            Format::GraphqlResponse
        } else {
            Format::Json
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Format::Json => "application/json; charset=utf-8",
        }
    }

    fn respond(self, status: StatusCode, body: &impl Serialize) -> HttpResponse {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.respond_bytes(status, bytes),
            Err(_) => HttpResponse::InternalServerError().finish(),
        }
    }

    fn respond_bytes(self, status: StatusCode, body: Vec<u8>) -> HttpResponse {
        let mut response = HttpResponse::build(status);
        response.content_type(self.content_type());
        match status {
            StatusCode::SERVICE_UNAVAILABLE => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            StatusCode::UNAUTHORIZED => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            StatusCode::METHOD_NOT_ALLOWED => {
                response.insert_header((header::ALLOW, "POST"));
            }
            _ => {}
        }
        response.body(body)
    }

    /// A response carrying one error that stopped the request before execution.
    fn error(self, status: StatusCode, error: ServerError) -> HttpResponse {
        self.respond(status, &Response::from_errors(vec![error]))
    }

    /// The answer to a client held back for its failed authentications.
    fn rate_limited(self, wait: std::time::Duration) -> HttpResponse {
        let seconds = wait.as_secs().max(1);
        let error = coded_error(
            format!("too many wrong keys or tokens from this client; try again in {seconds} s"),
            "RATE_LIMITED",
            &[("retryAfter", seconds as usize)],
        );
        let mut response = self.respond(
            StatusCode::TOO_MANY_REQUESTS,
            &Response::from_errors(vec![error]),
        );
        if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }

    /// The status of an executed request.
    fn status_of<'a>(self, errors: impl Iterator<Item = &'a ServerError>) -> StatusCode {
        let codes: Vec<&str> = errors.filter_map(error_code).collect();
        if codes.contains(&"UNAVAILABLE") {
            StatusCode::SERVICE_UNAVAILABLE
        } else if self == Format::GraphqlResponse
            && codes.iter().any(|c| REQUEST_ERROR_CODES.contains(c))
        {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        }
    }
}

fn is_empty_array(body: &[u8]) -> bool {
    let text: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    text == b"[]"
}

/// Gives every error a code: async-graphql's own errors come without one. Those with a path
/// arose while resolving a field (bad input values); those without stopped the request
/// (unknown or missing operation name, fragment cycles).
fn ensure_codes(response: &mut Response) {
    for error in &mut response.errors {
        if error_code(error).is_none() {
            let code = if error.path.is_empty() {
                "GRAPHQL_VALIDATION_FAILED"
            } else {
                "BAD_USER_INPUT"
            };
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
}

fn error_code(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.as_str()),
        _ => None,
    }
}

fn api_error(error: ApiError) -> (StatusCode, ServerError) {
    let status = match &error {
        ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let error: async_graphql::Error = error.into();
    let mut server_error = ServerError::new(error.message, None);
    server_error.extensions = error.extensions;
    (status, server_error)
}

fn bad_request(message: impl Into<String>) -> ServerError {
    coded_error(message, "BAD_REQUEST", &[])
}

/// Who is calling: anonymous without an `Authorization` header, the API key of a valid
/// bearer token, and an error for anything else.
async fn resolve_viewer(req: &HttpRequest, state: &AppState) -> Result<Viewer, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(Viewer::Anonymous);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthenticated("the Authorization header must be `Bearer <token>`".into())
        })?;
    authenticate(&state.db, &state.signer, token).await
}

/// The parameters of a GraphQL request over GET, as the GraphQL-over-HTTP draft names them.
#[derive(serde::Deserialize)]
struct GetParams {
    #[serde(default)]
    query: String,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
}

/// Reads a GraphQL request from a query string (async-graphql's reader expects
/// `operation_name`, not the `operationName` clients send).
fn request_from_query_string(query: &str) -> Result<async_graphql::Request, String> {
    let params = web::Query::<GetParams>::from_query(query)
        .map_err(|e| e.to_string())?
        .into_inner();
    let variables = match params.variables.as_deref() {
        Some(text) => async_graphql::Variables::from_json(
            serde_json::from_str(text)
                .map_err(|_| "`variables` is not a JSON object".to_owned())?,
        ),
        None => async_graphql::Variables::default(),
    };
    let mut request = async_graphql::Request::new(params.query).variables(variables);
    if let Some(name) = params.operation_name.filter(|n| !n.is_empty()) {
        request = request.operation_name(name);
    }
    Ok(request)
}

/// `GET /graphql?query=...&variables=...&operationName=...`: queries only.
pub async fn graphql_get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let format = Format::negotiate(&req);
    match request_from_query_string(req.query_string()) {
        Ok(request) if request.query.trim().is_empty() => format.error(
            StatusCode::BAD_REQUEST,
            bad_request("give the GraphQL document in the `query` parameter"),
        ),
        Ok(request) => execute(&req, &state, BatchRequest::Single(request), true, format).await,
        Err(e) => format.error(
            StatusCode::BAD_REQUEST,
            bad_request(format!(
                "cannot read a GraphQL request from the query string: {e}"
            )),
        ),
    }
}

/// `POST /graphql` with an `application/json` body: one request or a batch (an array).
pub async fn graphql_post(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let format = Format::negotiate(&req);
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return format.error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            coded_error(
                "send the GraphQL request as JSON with `Content-Type: application/json`",
                "UNSUPPORTED_MEDIA_TYPE",
                &[],
            ),
        );
    }
    let max = state.max_body_bytes;
    let too_large = || {
        format.error(
            StatusCode::PAYLOAD_TOO_LARGE,
            coded_error(
                format!("the request body is larger than {max} bytes"),
                "PAYLOAD_TOO_LARGE",
                &[("max", max)],
            ),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max) {
        return too_large();
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return format.error(
                StatusCode::BAD_REQUEST,
                bad_request("the request body could not be read"),
            );
        };
        if body.len() + chunk.len() > max {
            return too_large();
        }
        body.extend_from_slice(&chunk);
    }
    if is_empty_array(&body) {
        return execute(&req, &state, BatchRequest::Batch(Vec::new()), false, format).await;
    }
    match serde_json::from_slice::<BatchRequest>(&body) {
        Ok(batch) => execute(&req, &state, batch, false, format).await,
        Err(_) => format.error(
            StatusCode::BAD_REQUEST,
            bad_request(
                "the body is not a GraphQL request: send a JSON object \
                 {\"query\": \"...\", \"variables\": {...}, \"operationName\": \"...\"} or an array of them",
            ),
        ),
    }
}

async fn execute(
    req: &HttpRequest,
    state: &AppState,
    batch: BatchRequest,
    over_get: bool,
    format: Format,
) -> HttpResponse {
    let count = StatementCount::default();
    let response = count
        .scope(execute_counted(req, state, batch, over_get, format, &count))
        .await;
    tracing::Span::current().record("db.statements", count.get());
    response
}

async fn execute_counted(
    req: &HttpRequest,
    state: &AppState,
    batch: BatchRequest,
    over_get: bool,
    format: Format,
    count: &StatementCount,
) -> HttpResponse {
    let client = req
        .headers()
        .contains_key(header::AUTHORIZATION)
        .then(|| crate::throttle::client_of(req, state.trust_forwarded_for))
        .flatten();
    if let Some(wait) = client.and_then(|c| state.auth_throttle.wait(c)) {
        return format.rate_limited(wait);
    }
    let viewer = match resolve_viewer(req, state).await {
        Ok(viewer) => viewer,
        Err(e) => {
            if let (ApiError::Unauthenticated(_), Some(client)) = (&e, client) {
                state.auth_throttle.failed(client);
            }
            let (status, error) = api_error(e);
            return format.error(status, error);
        }
    };
    let limits = &state.limits;
    let (mut requests, is_batch) = match batch {
        BatchRequest::Single(request) => (vec![request], false),
        BatchRequest::Batch(requests) => (requests, true),
    };
    if requests.len() > limits.max_batch || requests.is_empty() {
        let mut error = coded_error(
            format!("a batch holds 1 to {} operations", limits.max_batch),
            "QUERY_TOO_COMPLEX",
            &[("max", limits.max_batch)],
        );
        if let Some(extensions) = error.extensions.as_mut() {
            extensions.set("limit", "batch");
        }
        let status = format.status_of(std::iter::once(&error));
        return format.error(status, error);
    }
    let mut responses = Vec::with_capacity(requests.len());
    let (mut cost, mut introspection) = (0usize, 0usize);
    for request in requests.iter_mut() {
        responses.push(match state.preflight.check(request, limits) {
            Err(error) => Some(Response::from_errors(vec![error])),
            Ok(checked) if over_get && checked.operation == Some(OperationType::Mutation) => {
                return format.error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    coded_error(
                        "mutations are not allowed over GET; send them with POST",
                        "METHOD_NOT_ALLOWED",
                        &[],
                    ),
                );
            }
            Ok(checked) => {
                cost = cost.saturating_add(checked.cost);
                introspection = introspection.saturating_add(checked.introspection);
                None
            }
        });
    }
    // A batch shares one budget, and one for introspection.
    let refusal = if cost > limits.max_complexity {
        Some(Preflight::too_costly(cost, limits.max_complexity))
    } else if introspection > limits.max_introspection {
        Some(Preflight::too_much_introspection(limits.max_introspection))
    } else {
        None
    };
    if let Some(error) = refusal {
        let status = format.status_of(std::iter::once(&error));
        return format.error(status, error);
    }
    // Work is admitted by cost, so what executes at once stays within what memory can hold;
    // when no room frees up in time, the request is shed.
    let weight = cost
        .saturating_add(introspection)
        .clamp(1, limits.max_concurrent_cost.max(1));
    let admitted = tokio::time::timeout(
        state.admission_wait,
        state
            .admission
            .acquire_many(u32::try_from(weight).unwrap_or(u32::MAX)),
    )
    .await;
    let Ok(Ok(_admitted)) = admitted else {
        let (status, error) = api_error(ApiError::unavailable(
            "the server is at its limit of work in progress",
        ));
        return format.error(status, error);
    };
    let executions = requests
        .into_iter()
        .zip(responses)
        .map(|(request, checked)| {
            let viewer = viewer.clone();
            async move {
                match checked {
                    Some(refused) => refused,
                    None => {
                        // One span for the operation; never the query text, variables or
                        // results, and no span per field.
                        let span = tracing::info_span!(
                            target: "kinship::graphql",
                            "execute",
                            operation = request.operation_name.as_deref().unwrap_or("anonymous"),
                        );
                        let query = request.query.clone();
                        let operation_name = request.operation_name.clone();
                        let request =
                            kinship_schema::prepare_request(request, &state.db, viewer, count);
                        let mut response = state.schema.execute(request).instrument(span).await;
                        state
                            .preflight
                            .settle(&query, operation_name.as_deref(), &mut response);
                        response
                    }
                }
            }
        });
    let mut responses = futures_util::future::join_all(executions).await;
    for response in &mut responses {
        ensure_codes(response);
    }
    if state.expose_sql_statements {
        for response in &mut responses {
            response.extensions.insert(
                "sqlStatements".into(),
                async_graphql::Value::from(count.get()),
            );
        }
    }
    let status = format.status_of(responses.iter().flat_map(|r| r.errors.iter()));
    let body = if is_batch {
        serde_json::to_vec(&BatchResponse::Batch(responses))
    } else {
        serde_json::to_vec(&responses.into_iter().next())
    };
    let mut http = match body {
        Ok(body) if body.len() <= limits.max_response_bytes => format.respond_bytes(status, body),
        Ok(body) => {
            tracing::warn!(bytes = body.len(), "response over the size limit");
            format.error(
                format.status_of(std::iter::empty()),
                too_large_response(limits.max_response_bytes),
            )
        }
        Err(e) => {
            let (status, error) = api_error(ApiError::internal(e));
            format.error(status, error)
        }
    };
    http.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    http
}

/// The refusal of an answer larger than `max` bytes.
fn too_large_response(max: usize) -> ServerError {
    let mut error = coded_error(
        format!("the answer is larger than {max} bytes; ask for fewer items or fields"),
        "QUERY_TOO_COMPLEX",
        &[("max", max)],
    );
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.set("limit", "responseBytes");
    }
    error
}
