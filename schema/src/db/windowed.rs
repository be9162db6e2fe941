//! Pages of children for many parents in one statement (a group's meetings, a meeting's
//! changes, a member's support links): `ROW_NUMBER() OVER (PARTITION BY parent ORDER BY id)`,
//! which PostgreSQL and SQLite (3.25+) both run, so a list of 100 groups with a page of
//! meetings each costs one statement, not 100. The SQL is written once; only placeholders
//! differ by backend.

use super::connection::{BackendKind, DbConnection, MultiBackend};
use super::types::{Id, UuidSql};
use crate::error::ApiResult;
use diesel::RunQueryDsl;
use diesel::deserialize::QueryableByName;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::BigInt;

/// Where children come from: a `SELECT` that yields a `parent` column and the rows' own
/// columns (with `id`, the keyset order), and names the parents as `{parents}`, once or more
/// (each becomes the list of parent ids). Only trusted text: no input goes into it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Children<'a>(pub &'a str);

/// A row of a page with its parent.
#[derive(diesel::QueryableByName)]
pub(crate) struct Total {
    /// The parent.
    #[diesel(sql_type = UuidSql)]
    pub parent: Id,
    /// How many children it has.
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

/// Numbered placeholders for the backend, continuing from `next`: `$3, $4` on PostgreSQL,
/// `?, ?` on SQLite.
pub(crate) fn placeholders(backend: BackendKind, next: &mut usize, n: usize) -> String {
    (0..n)
        .map(|_| {
            *next += 1;
            match backend {
                BackendKind::Postgres => format!("${next}"),
                BackendKind::Sqlite => "?".to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The source with each `{parents}` replaced by placeholders, and how many times it appears.
fn source_sql(
    children: Children<'_>,
    backend: BackendKind,
    next: &mut usize,
    n: usize,
) -> (String, usize) {
    let parts: Vec<&str> = children.0.split("{parents}").collect();
    let mut sql = String::from(parts[0]);
    for part in &parts[1..] {
        sql.push_str(&placeholders(backend, next, n));
        sql.push_str(part);
    }
    (sql, parts.len() - 1)
}

fn bind_parents<'a>(
    mut query: BoxedSqlQuery<'a, MultiBackend, SqlQuery>,
    parents: &[Id],
    times: usize,
) -> BoxedSqlQuery<'a, MultiBackend, SqlQuery> {
    for _ in 0..times {
        for parent in parents {
            query = query.bind::<UuidSql, _>(*parent);
        }
    }
    query
}

/// Up to `limit` children of each parent, after `after` in `id` order, as rows `W` (which
/// read the `parent` column too).
pub(crate) fn page<W>(
    conn: &mut DbConnection,
    children: Children<'_>,
    parents: &[Id],
    limit: usize,
    after: Option<Id>,
) -> ApiResult<Vec<W>>
where
    W: QueryableByName<MultiBackend> + 'static,
{
    if parents.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.backend();
    let mut next = 0;
    let (source, times) = source_sql(children, backend, &mut next, parents.len());
    let after_clause = match after {
        Some(_) => format!(" WHERE s.id > {}", placeholders(backend, &mut next, 1)),
        None => String::new(),
    };
    let limit_placeholder = placeholders(backend, &mut next, 1);
    let sql = format!(
        "SELECT * FROM (SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.parent ORDER BY s.id) AS position \
         FROM ({source}) AS s{after_clause}) AS numbered \
         WHERE position <= {limit_placeholder} ORDER BY parent, id"
    );
    let mut query = bind_parents(diesel::sql_query(sql).into_boxed(), parents, times);
    if let Some(after) = after {
        query = query.bind::<UuidSql, _>(after);
    }
    Ok(query.bind::<BigInt, _>(limit as i64).load(conn)?)
}

/// How many children each parent has.
pub(crate) fn totals(
    conn: &mut DbConnection,
    children: Children<'_>,
    parents: &[Id],
) -> ApiResult<Vec<(Id, i64)>> {
    if parents.is_empty() {
        return Ok(Vec::new());
    }
    let mut next = 0;
    let (source, times) = source_sql(children, conn.backend(), &mut next, parents.len());
    let sql = format!(
        "SELECT s.parent AS parent, COUNT(*) AS total FROM ({source}) AS s GROUP BY s.parent"
    );
    let rows: Vec<Total> =
        bind_parents(diesel::sql_query(sql).into_boxed(), parents, times).load(conn)?;
    Ok(rows.into_iter().map(|r| (r.parent, r.total)).collect())
}
