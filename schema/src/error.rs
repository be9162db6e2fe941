//! The one error type of the schema crate, and how it reaches clients.
//!
//! Layers: model functions and resolvers return [`ApiError`]; resolvers turn it into an
//! `async_graphql::Error` (through `?`) carrying a stable `extensions.code`. Transport errors
//! (body too large, malformed JSON) are the HTTP layer's, in `kinship-api`, with the same codes.
//! Internal details (SQL, connection errors) are logged here and never sent to the client.

use async_graphql::ErrorExtensions;

/// A failure a caller can act on, or an internal one whose details stay in the log.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// No valid credentials: a wrong, expired or revoked token, or none where one is needed.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but may not do this (missing scope, another tenant's object).
    #[error("{0}")]
    Forbidden(String),
    /// The object does not exist, or the caller may not know that it exists.
    #[error("{0}")]
    NotFound(String),
    /// An argument is wrong; `field` names it in the input's terms.
    #[error("{message}")]
    BadUserInput {
        /// The input field, as the client spelled it (`input.slug`).
        field: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// The change clashes with the current state (a taken slug, a full group).
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be reached or is saturated; retrying later may work.
    #[error("the service is temporarily unavailable; try again shortly")]
    Unavailable(String),
    /// A bug or an unexpected state; the detail is only logged.
    #[error("internal error; the X-Request-Id response header identifies it in the server log")]
    Internal(String),
}

impl ApiError {
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

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => ApiError::NotFound("not found".into()),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                ApiError::unavailable(info.message())
            }
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict("an object with the same unique value already exists".into())
            }
            other => ApiError::internal(other),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        self.log();
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            if let ApiError::BadUserInput { field, .. } = self {
                ext.set("field", field.as_str());
            }
        })
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> async_graphql::Error {
        error.extend()
    }
}

/// Result of schema-crate functions.
pub type ApiResult<T> = Result<T, ApiError>;
