//! The data layer: one connection type over PostgreSQL or SQLite, its pool, the shared column
//! types, the hand-written tables and the embedded migrations.
//!
//! Every diesel call made while serving a request goes through [`Db::run`], which takes a pooled
//! connection on the blocking thread pool so that no async worker ever waits on the database.

mod bulk;
#[macro_use]
pub(crate) mod change;
// The MultiConnection derive generates undocumented public items.
#[allow(missing_docs)]
mod connection;
pub mod full_text;
pub mod migrations;
mod pool;
mod stats;
// `table!` generates a public struct per column, documented by the table.
#[allow(missing_docs)]
pub mod tables;
mod transaction;
pub mod types;
pub(crate) mod windowed;

pub(crate) use bulk::insert_in_batches;
pub use connection::{BackendKind, DbConnection, MultiBackend, sqlite_path};
pub use pool::{Db, DbSettings};
pub use stats::StatementCount;
pub(crate) use transaction::find_for_update;
pub use transaction::{expect_unchanged, write_transaction};
pub use types::{Id, Ts};
