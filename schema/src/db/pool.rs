//! The r2d2 pool and the one helper, [`Db::run`], through which request-time database work runs.

use super::connection::{BackendKind, DbConnection};
use super::stats::{CountStatements, StatementCount};
use crate::error::ApiError;
use diesel::ConnectionError;
use diesel::connection::SimpleConnection;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// Bumped whenever a connection is found dead: connections opened before are retired
    /// when next checked out, since they likely died with it.
    generation: Arc<AtomicU64>,
}

/// A pooled connection and whether it was found dead (then the pool drops it instead of
/// handing it out again).
pub struct Pooled {
    conn: DbConnection,
    lost: bool,
    generation: u64,
}

impl std::ops::Deref for Pooled {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = ConnectionError;

    fn connect(&self) -> Result<Pooled, ConnectionError> {
        let mut conn = DbConnection::open(&self.url, self.timeout)?;
        diesel::Connection::set_instrumentation(&mut conn, CountStatements);
        Ok(Pooled {
            conn,
            lost: false,
            generation: self.generation.load(Ordering::Acquire),
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), ConnectionError> {
        pooled
            .conn
            .batch_execute("SELECT 1")
            .map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        use diesel::r2d2::R2D2Connection;
        pooled.lost
            || match &mut pooled.conn {
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
    generation: Arc<AtomicU64>,
    /// One permit per pooled connection: requests wait here, asynchronously, rather than as
    /// blocked threads inside the pool (a semaphore in front of the pool).
    permits: Arc<tokio::sync::Semaphore>,
    timeout: std::time::Duration,
}

impl Db {
    /// Connects once (so that a wrong URL or an unreachable server is reported with its real
    /// cause), then builds the pool.
    pub fn connect(settings: &DbSettings) -> Result<Db, ConnectionError> {
        let generation = Arc::new(AtomicU64::new(0));
        let manager = Manager {
            url: settings.url.clone(),
            timeout: settings.timeout,
            generation: generation.clone(),
        };
        let first = r2d2::ManageConnection::connect(&manager)?;
        let backend = first.conn.backend();
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(settings.pool_size)
            .min_idle(Some(1))
            .connection_timeout(settings.timeout)
            .test_on_check_out(false)
            .build_unchecked(manager);
        Ok(Db {
            pool,
            backend,
            generation,
            permits: Arc::new(tokio::sync::Semaphore::new(settings.pool_size as usize)),
            timeout: settings.timeout,
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> BackendKind {
        self.backend
    }

    /// Takes a connection from the pool on the current thread. For the CLI and start-up
    /// work; request handlers use [`Db::run`].
    pub fn conn(&self) -> Result<PooledConnection, ApiError> {
        loop {
            let mut pooled = self.pool.get().map_err(ApiError::unavailable)?;
            if pooled.generation >= self.generation.load(Ordering::Acquire) {
                return Ok(pooled);
            }
            pooled.lost = true;
        }
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
        let permit = tokio::time::timeout(self.timeout, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| ApiError::unavailable("timed out waiting for a database connection"))?
            .map_err(ApiError::unavailable)?;
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let _entered = span.enter();
            StatementCount::on_thread(count, || {
                let mut pooled = db.conn()?;
                let result = work(&mut pooled.conn);
                // An unexpected failure may mean the connection died (the database restarted,
                // or an operator cut it): check, and if so retire it and say "unavailable".
                if matches!(
                    result,
                    Err(ApiError::Internal(_) | ApiError::Unavailable(_))
                ) && pooled.conn.batch_execute("SELECT 1").is_err()
                {
                    pooled.lost = true;
                    db.generation.fetch_add(1, Ordering::AcqRel);
                    return Err(ApiError::unavailable("the database connection was lost"));
                }
                result
            })
        });
        task.in_current_span()
            .await
            .map_err(|e| ApiError::internal(format!("database task failed: {e}")))?
    }

    /// Checks that the database answers and takes writes, for readiness probes: a full disk,
    /// files that cannot be written or a read-only standby answer reads but fail here.
    pub async fn ping(&self) -> Result<(), ApiError> {
        self.run(Db::check_writes).await
    }

    /// Rewrites the readiness row (`readiness_probe`) in a transaction of its own.
    pub fn check_writes(conn: &mut DbConnection) -> Result<(), ApiError> {
        use super::tables::readiness_probe;
        use diesel::prelude::*;
        super::write_transaction(conn, |conn| {
            diesel::update(readiness_probe::table.find(1))
                .set(readiness_probe::probed_at.eq(super::Ts::now()))
                .execute(conn)?;
            Ok(())
        })
    }
}
