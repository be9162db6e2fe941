//! Embedded migrations, one folder per backend. On PostgreSQL they run under an advisory lock,
//! on SQLite in an immediate transaction, so several instances starting together migrate once
//! and wait for each other.

use super::connection::DbConnection;
use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// The advisory lock key that serializes migrations on PostgreSQL ("kinship" in ASCII).
const MIGRATION_LOCK: i64 = 0x6b696e73686970;

/// An error while migrating, with the migration's own message.
pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let applied = match conn {
        DbConnection::Pg(pg) => {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let result = pg.run_pending_migrations(POSTGRES).map(versions);
            pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            result?
        }
        // An immediate transaction takes SQLite's write lock first, so a second process
        // waits (busy_timeout) and then finds the migrations applied.
        DbConnection::Sqlite(lite) => {
            lite.immediate_transaction(|lite| lite.run_pending_migrations(SQLITE).map(versions))?
        }
    };
    Ok(applied)
}

/// Reverts every applied migration, newest first; returns the versions reverted.
pub fn revert_all(conn: &mut DbConnection) -> Result<Vec<String>, MigrationError> {
    let reverted = match conn {
        DbConnection::Pg(pg) => pg.revert_all_migrations(POSTGRES).map(versions)?,
        DbConnection::Sqlite(lite) => lite.revert_all_migrations(SQLITE).map(versions)?,
    };
    Ok(reverted)
}

fn versions(list: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    list.into_iter().map(|v| v.to_string()).collect()
}
