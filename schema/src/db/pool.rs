//! The r2d2 pool and the one helper, [`Db::run`], through which request-time database work runs.

use super::connection::{BackendKind, DbConnection};
use super::stats::{CountStatements, StatementCount};
use crate::error::ApiError;
use diesel::ConnectionError;
use diesel::connection::SimpleConnection;
use std::time::Duration;
use tracing::Instrument as _;

/// How to reach the database and how many connections to keep.
#[derive(Debug, Clone)]
pub struct DbSettings {
    /// `postgres://...` or a SQLite file path.
    pub url: String,
    /// Most connections the pool opens.
    pub pool_size: u32,
    /// How long to wait for a new connection or a free pooled one before giving up.
    pub timeout: Duration,
}

/// Opens connections for the pool; dispatches on the URL so the real error is kept.
#[derive(Debug)]
pub struct Manager {
    url: String,
    timeout: Duration,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConnection, ConnectionError> {
        let mut conn = DbConnection::open(&self.url, self.timeout)?;
        diesel::Connection::set_instrumentation(&mut conn, CountStatements);
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1")
            .map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        match conn {
            DbConnection::Pg(pg) => pg.is_broken(),
            DbConnection::Sqlite(lite) => lite.is_broken(),
        }
    }
}

/// A pooled connection.
pub type PooledConnection = r2d2::PooledConnection<Manager>;

/// The database handle shared by the whole process: cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    backend: BackendKind,
}

impl Db {
    /// Connects once (so that a wrong URL or an unreachable server is reported with its real
    /// cause), then builds the pool.
    pub fn connect(settings: &DbSettings) -> Result<Db, ConnectionError> {
        let manager = Manager {
            url: settings.url.clone(),
            timeout: settings.timeout,
        };
        let first = r2d2::ManageConnection::connect(&manager)?;
        let backend = first.backend();
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(settings.pool_size)
            .min_idle(Some(1))
            .connection_timeout(settings.timeout)
            .test_on_check_out(false)
            .build_unchecked(manager);
        Ok(Db { pool, backend })
    }

    /// Which database this is.
    pub fn backend(&self) -> BackendKind {
        self.backend
    }

    /// Takes a connection from the pool on the current thread. For the CLI and start-up
    /// work; request handlers use [`Db::run`].
    pub fn conn(&self) -> Result<PooledConnection, ApiError> {
        self.pool.get().map_err(ApiError::unavailable)
    }

    /// Runs `work` with a pooled connection on the blocking thread pool, inside the caller's
    /// tracing span. Pool exhaustion or an unreachable database gives [`ApiError::Unavailable`].
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        let span = tracing::info_span!("db");
        let count = StatementCount::current();
        let task = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            StatementCount::on_thread(count, || {
                let mut conn = db.conn()?;
                work(&mut conn)
            })
        });
        task.in_current_span()
            .await
            .map_err(|e| ApiError::internal(format!("database task failed: {e}")))?
    }

    /// Checks that the database answers, for readiness probes.
    pub async fn ping(&self) -> Result<(), ApiError> {
        self.run(|conn| Ok(conn.batch_execute("SELECT 1")?)).await
    }
}
