//! The connection type: a diesel `MultiConnection` over PostgreSQL and SQLite, chosen by URL.

use diesel::connection::SimpleConnection;
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};
use std::time::Duration;

/// A connection to either supported database. Code that must use backend-only SQL matches on
/// the variant; everything else uses the common diesel DSL.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// A PostgreSQL connection (`postgres://` or `postgresql://` URLs).
    Pg(PgConnection),
    /// A SQLite connection (any other URL is a file path, or `:memory:`).
    Sqlite(SqliteConnection),
}

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// PostgreSQL.
    Postgres,
    /// SQLite (embedded).
    Sqlite,
}

impl BackendKind {
    /// The backend a `DATABASE_URL` names: PostgreSQL for `postgres://`/`postgresql://`, else SQLite.
    pub fn from_url(url: &str) -> BackendKind {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            BackendKind::Postgres
        } else {
            BackendKind::Sqlite
        }
    }
}

/// The file a SQLite `DATABASE_URL` names: the URL without its `sqlite://` or `sqlite:`.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

impl DbConnection {
    /// The backend of this connection.
    pub fn backend(&self) -> BackendKind {
        match self {
            DbConnection::Pg(_) => BackendKind::Postgres,
            DbConnection::Sqlite(_) => BackendKind::Sqlite,
        }
    }

    /// Opens a connection, dispatching on the URL scheme so that the real error (for example
    /// "connection refused") reaches the operator, and applying the per-connection settings.
    pub fn open(url: &str, timeout: Duration) -> Result<DbConnection, ConnectionError> {
        match BackendKind::from_url(url) {
            BackendKind::Postgres => {
                let url = with_connect_timeout(url, timeout);
                PgConnection::establish(&url).map(DbConnection::Pg)
            }
            BackendKind::Sqlite => {
                let path = sqlite_path(url);
                let busy_ms = timeout.as_millis();
                let setup = format!(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busy_ms}; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                );
                // Switching a new file to WAL takes a lock that does not wait on busy_timeout:
                // when several processes open the same new database at once, retry briefly.
                let deadline = std::time::Instant::now() + timeout;
                loop {
                    let mut conn = SqliteConnection::establish(path)?;
                    match conn.batch_execute(&setup) {
                        Ok(()) => return Ok(DbConnection::Sqlite(conn)),
                        Err(e) if is_locked(&e) && std::time::Instant::now() < deadline => {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        Err(e) => return Err(ConnectionError::CouldntSetupConfiguration(e)),
                    }
                }
            }
        }
    }
}

/// Whether SQLite answered "database is locked" (or busy).
fn is_locked(error: &diesel::result::Error) -> bool {
    let text = error.to_string();
    text.contains("locked") || text.contains("busy")
}

/// Adds libpq's `connect_timeout` to a PostgreSQL URL unless the operator already set one, so an
/// unreachable server fails fast instead of hanging.
fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!(
        "{url}{separator}connect_timeout={}",
        timeout.as_secs().max(1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_timeout_is_added_once() {
        let t = Duration::from_secs(3);
        assert_eq!(
            with_connect_timeout("postgres://h/db", t),
            "postgres://h/db?connect_timeout=3"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?sslmode=require", t),
            "postgres://h/db?sslmode=require&connect_timeout=3"
        );
        assert_eq!(
            with_connect_timeout("postgres://h/db?connect_timeout=9", t),
            "postgres://h/db?connect_timeout=9"
        );
    }

    #[test]
    fn backend_follows_the_scheme() {
        assert_eq!(
            BackendKind::from_url("postgresql://x/y"),
            BackendKind::Postgres
        );
        assert_eq!(BackendKind::from_url("kinship.db"), BackendKind::Sqlite);
        assert_eq!(BackendKind::from_url(":memory:"), BackendKind::Sqlite);
    }
}
