//! Write transactions that serialize where it matters: on SQLite they begin with
//! `BEGIN IMMEDIATE` (taking the write lock at once, so two writers never both read and then
//! both fail to upgrade); on PostgreSQL they are ordinary transactions, and model code that
//! must serialize locks the rows it reads with `FOR UPDATE`.

use super::connection::DbConnection;
use crate::error::ApiResult;
use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};

/// Runs `work` in a write transaction, committing on `Ok` and rolling back on `Err`.
pub fn write_transaction<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> ApiResult<T>,
) -> ApiResult<T> {
    if matches!(conn, DbConnection::Pg(_)) {
        return conn.transaction(work);
    }
    if let DbConnection::Sqlite(lite) = conn {
        AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")?;
    }
    let result = work(conn);
    if let DbConnection::Sqlite(lite) = conn {
        match &result {
            Ok(_) => AnsiTransactionManager::commit_transaction(lite)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(lite)?,
        }
    }
    result
}
