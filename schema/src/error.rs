//! The one error type of the schema crate, and how it reaches clients.
//!
//! Layers: model functions and resolvers return [`ApiError`]; resolvers turn it into an
//! `async_graphql::Error` (through `?`) carrying a stable `extensions.code`. Transport errors
//! (body too large, malformed JSON) are the HTTP layer's, in `kinship-api`, with the same codes.
//! Internal details (SQL, connection errors) are logged here and never sent to the client.

/// A failure a caller can act on, or an internal one whose details stay in the log.
///
/// It deliberately does not implement `Display`: that keeps async-graphql's blanket
/// `From<impl Display>` away, so `?` in a resolver always goes through the conversion below
/// and never loses the code. Use [`ApiError::message`] for the text.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// No valid credentials: a wrong, expired or revoked token, or none where one is needed.
    Unauthenticated(String),
    /// The caller is known but may not do this (missing scope, another tenant's object).
    Forbidden(String),
    /// The object does not exist, or the caller may not know that it exists.
    NotFound(String),
    /// An argument is wrong; `field` names it in the input's terms.
    BadUserInput {
        /// The input field, as the client spelled it (`input.slug`).
        field: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// The change clashes with the current state (a taken slug, a full group).
    Conflict(String),
    /// The database cannot be reached or is saturated; retrying later may work.
    Unavailable(String),
    /// A bug or an unexpected state; the detail is only logged.
    Internal(String),
}

impl ApiError {
    /// The message shown to the client (never internal details).
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated(m)
            | ApiError::Forbidden(m)
            | ApiError::NotFound(m)
            | ApiError::Conflict(m) => m.clone(),
            ApiError::BadUserInput { field, message } => format!("{field}: {message}"),
            ApiError::Unavailable(_) => {
                "the service is temporarily unavailable; try again shortly".into()
            }
            ApiError::Internal(_) => {
                "internal error; the X-Request-Id response header identifies it in the server log"
                    .into()
            }
        }
    }

    /// The stable `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::NotFound(_) => "NOT_FOUND",
            ApiError::BadUserInput { .. } => "BAD_USER_INPUT",
            ApiError::Conflict(_) => "CONFLICT",
            ApiError::Unavailable(_) => "UNAVAILABLE",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    /// A [`ApiError::BadUserInput`] for `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// An internal error; `detail` goes to the log only.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(detail.to_string())
    }

    /// The database is out of reach; `detail` goes to the log only.
    pub fn unavailable(detail: impl std::fmt::Display) -> ApiError {
        ApiError::Unavailable(detail.to_string())
    }

    /// Writes the hidden detail of internal and unavailable errors to the log.
    fn log(&self) {
        match self {
            ApiError::Internal(detail) => tracing::error!(error = %detail, "internal error"),
            ApiError::Unavailable(detail) => {
                tracing::warn!(error = %detail, "database unavailable")
            }
            _ => {}
        }
    }
}

/// What databases say when storage, not the request, is at fault: the disk is full or
/// failing, the files cannot be written, the server is read-only (a standby after a failover),
/// or other writers held the database longer than a request waits (SQLite's busy timeout).
/// Retrying later may work, so these are `UNAVAILABLE` (503 with `Retry-After`), never
/// `INTERNAL`. SQLite's messages are its fixed result-code texts; PostgreSQL's are those of
/// SQLSTATE classes 53 (insufficient resources), 55P03 (lock not available) and 58 (system
/// error).
const STORAGE_FAULTS: [&str; 13] = [
    "database or disk is full",
    "disk I/O error",
    "attempt to write a readonly database",
    "unable to open database file",
    "database disk image is malformed",
    "database is locked",
    "database table is locked",
    "No space left on device",
    "could not extend file",
    "could not write to file",
    "out of memory",
    "read-only transaction",
    "could not obtain lock",
];

/// Whether a database error is a storage fault (see [`STORAGE_FAULTS`]).
pub fn is_storage_fault(message: &str) -> bool {
    STORAGE_FAULTS.iter().any(|fault| message.contains(fault))
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => ApiError::NotFound("not found".into()),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                ApiError::unavailable(info.message())
            }
            Error::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, info) => {
                ApiError::unavailable(info.message())
            }
            Error::DatabaseError(_, info) if is_storage_fault(info.message()) => {
                ApiError::unavailable(info.message())
            }
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict("an object with the same unique value already exists".into())
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> async_graphql::Error {
        error.log();
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", error.code());
        if let ApiError::BadUserInput { field, .. } = &error {
            extensions.set("field", field.as_str());
        }
        async_graphql::Error {
            message: error.message(),
            source: None,
            extensions: Some(extensions),
        }
    }
}

/// Result of schema-crate functions.
pub type ApiResult<T> = Result<T, ApiError>;
