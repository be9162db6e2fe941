//! Bulk inserts. MultiConnection cannot insert a batch of rows (DESIGN.md, data layer), so bulk
//! paths match on the backend and insert in statements of as many rows as its bind limit allows.

/// Inserts `$rows` (a slice of insertable rows with `$columns` columns) into `$table`, in as
/// few statements as the backend's bind limit allows; `?`-propagates diesel errors. With
/// `skip_existing`, rows whose key is already there are left out.
macro_rules! insert_in_batches {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr, skip_existing) => {{
        let binds = match $conn {
            $crate::db::DbConnection::Pg(_) => 65_000,
            $crate::db::DbConnection::Sqlite(_) => 32_000,
        };
        for chunk in $rows.chunks(binds / $columns) {
            match $conn {
                $crate::db::DbConnection::Pg(pg) => diesel::RunQueryDsl::execute(
                    diesel::insert_into($table)
                        .values(chunk)
                        .on_conflict_do_nothing(),
                    pg,
                )?,
                $crate::db::DbConnection::Sqlite(lite) => diesel::RunQueryDsl::execute(
                    diesel::insert_or_ignore_into($table).values(chunk),
                    lite,
                )?,
            };
        }
    }};
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {{
        let binds = match $conn {
            $crate::db::DbConnection::Pg(_) => 65_000,
            $crate::db::DbConnection::Sqlite(_) => 32_000,
        };
        for chunk in $rows.chunks(binds / $columns) {
            let insert = diesel::insert_into($table).values(chunk);
            match $conn {
                $crate::db::DbConnection::Pg(pg) => diesel::RunQueryDsl::execute(insert, pg)?,
                $crate::db::DbConnection::Sqlite(lite) => {
                    diesel::RunQueryDsl::execute(insert, lite)?
                }
            };
        }
    }};
}
pub(crate) use insert_in_batches;
