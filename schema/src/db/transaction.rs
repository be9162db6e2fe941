//! Write transactions that serialize where it matters: on SQLite they begin with
//! `BEGIN IMMEDIATE` (taking the write lock at once, so two writers never both read and then
//! both fail to upgrade); on PostgreSQL they are ordinary transactions, and model code that
//! must serialize locks the rows it reads with `FOR UPDATE`.

use super::connection::DbConnection;
use super::types::Ts;
use crate::error::{ApiError, ApiResult};
use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};

/// Runs `work` in a write transaction, committing on `Ok` and rolling back on `Err`. Inside
/// another transaction it is a savepoint of it. Every transaction that writes uses this (a lint
/// refuses `Connection::transaction` elsewhere): a deferred SQLite transaction that reads and
/// then writes fails with "database is locked" when another writer went first, instead of
/// waiting.
pub fn write_transaction<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> ApiResult<T>,
) -> ApiResult<T> {
    if let DbConnection::Sqlite(lite) = conn {
        let outermost = matches!(
            AnsiTransactionManager::transaction_manager_status_mut(lite).transaction_depth(),
            Ok(None)
        );
        if outermost {
            AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")?;
            let result = work(conn);
            if let DbConnection::Sqlite(lite) = conn {
                match &result {
                    Ok(_) => AnsiTransactionManager::commit_transaction(lite)?,
                    Err(_) => AnsiTransactionManager::rollback_transaction(lite)?,
                }
            }
            return result;
        }
    }
    #[allow(clippy::disallowed_methods)]
    conn.transaction(work)
}

/// Reads the row of `$table` (a `diesel::table!` module) whose primary key is `$id` as a
/// `$row`, locking it for the rest of the write transaction: `FOR UPDATE` on PostgreSQL; on
/// SQLite, [`write_transaction`] already holds the database's write lock. Every
/// read-modify-write reads what it changes this way, so concurrent edits wait for each other
/// instead of overwriting each other. Gives `Ok(None)` when there is no such row.
macro_rules! find_for_update {
    ($conn:expr, $table:ident, $id:expr, $row:ty) => {{
        use diesel::prelude::*;
        use $crate::db::tables::$table::table;
        let id = $id;
        let found: $crate::error::ApiResult<Option<$row>> = match $conn {
            $crate::db::DbConnection::Pg(pg) => Ok(table
                .find(id)
                .select(<$row>::as_select())
                .for_update()
                .first::<$row>(pg)
                .optional()?),
            $crate::db::DbConnection::Sqlite(lite) => Ok(table
                .find(id)
                .select(<$row>::as_select())
                .first::<$row>(lite)
                .optional()?),
        };
        found
    }};
}
pub(crate) use find_for_update;

/// Optimistic concurrency: refuses, with `CONFLICT`, a change a client made on the strength of
/// an `updatedAt` (`expected`) that the row no longer has. Call it on the row read with
/// [`find_for_update`].
pub fn expect_unchanged(
    expected: Option<chrono::DateTime<chrono::Utc>>,
    current: Ts,
) -> ApiResult<()> {
    match expected {
        Some(expected) if Ts::from(expected) != current => Err(ApiError::Conflict(format!(
            "it changed since {}: its updatedAt is now {}; read it again and decide",
            Ts::from(expected)
                .0
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            current
                .0
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        ))),
        _ => Ok(()),
    }
}
