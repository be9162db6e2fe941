//! Pages of memberships for many groups (a group's members) or many members (a member's
//! groups) in one statement each, with `ROW_NUMBER() OVER (PARTITION BY ...)`, which both
//! PostgreSQL and SQLite (3.25+) support. The SQL is written once; only placeholders differ.

use super::model::{MembershipRow, MembershipState};
use crate::db::types::UuidSql;
use crate::db::windowed::placeholders;
use crate::db::{DbConnection, Id, MultiBackend};
use crate::error::ApiResult;
use crate::loaders::PagedQuery;
use crate::stored::StoredEnum;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};

/// The membership states a page includes, as a bit set over [`MembershipState::ALL`].
pub fn state_filter(states: &[MembershipState]) -> u32 {
    crate::loaders::filter_of(MembershipState::ALL, states)
}

fn states_of(filter: u32) -> Vec<&'static str> {
    crate::loaders::chosen_by(MembershipState::ALL, filter)
        .into_iter()
        .map(|s| s.as_str())
        .collect()
}

/// Which side of the membership the pages are for.
#[derive(Clone, Copy)]
enum Side {
    /// Pages of members, per group.
    Group,
    /// Pages of groups, per member.
    Member,
}

impl Side {
    fn column(self) -> &'static str {
        match self {
            Side::Group => "group_id",
            Side::Member => "member_id",
        }
    }
}

/// `sql` with its first binds: the parent ids, then the state names (the order of the
/// placeholders both queries share).
fn with_parents_and_states<'a>(
    sql: &str,
    parents: &[Id],
    states: &[&'static str],
) -> BoxedSqlQuery<'a, MultiBackend, SqlQuery> {
    let mut query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
    for parent in parents {
        query = query.bind::<UuidSql, _>(*parent);
    }
    for state in states {
        query = query.bind::<Text, _>(*state);
    }
    query
}

#[derive(QueryableByName)]
struct PageRow {
    #[diesel(embed)]
    membership: MembershipRow,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = UuidSql)]
    parent: Id,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

fn page(
    conn: &mut DbConnection,
    side: Side,
    parents: &[Id],
    limit: usize,
    after: Option<Id>,
    filter: u32,
) -> ApiResult<Vec<(Id, MembershipRow)>> {
    let states = states_of(filter);
    if parents.is_empty() || states.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.backend();
    let column = side.column();
    let mut next = 0;
    let parent_list = placeholders(backend, &mut next, parents.len());
    let state_list = placeholders(backend, &mut next, states.len());
    let after_clause = match after {
        Some(_) => format!(" AND id > {}", placeholders(backend, &mut next, 1)),
        None => String::new(),
    };
    let limit_placeholder = placeholders(backend, &mut next, 1);
    let sql = format!(
        "SELECT id, organization_id, group_id, member_id, role, state, created_at, updated_at \
         FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY {column} ORDER BY id) AS position \
               FROM memberships WHERE {column} IN ({parent_list}) AND state IN ({state_list}){after_clause}) AS numbered \
         WHERE position <= {limit_placeholder} ORDER BY {column}, id"
    );
    let mut query = with_parents_and_states(&sql, parents, &states);
    if let Some(after) = after {
        query = query.bind::<UuidSql, _>(after);
    }
    query = query.bind::<BigInt, _>(limit as i64);
    let rows: Vec<PageRow> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let parent = match side {
                Side::Group => r.membership.group_id,
                Side::Member => r.membership.member_id,
            };
            (parent, r.membership)
        })
        .collect())
}

fn count(
    conn: &mut DbConnection,
    side: Side,
    parents: &[Id],
    filter: u32,
) -> ApiResult<Vec<(Id, i64)>> {
    let states = states_of(filter);
    if parents.is_empty() || states.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.backend();
    let column = side.column();
    let mut next = 0;
    let parent_list = placeholders(backend, &mut next, parents.len());
    let state_list = placeholders(backend, &mut next, states.len());
    let sql = format!(
        "SELECT {column} AS parent, COUNT(*) AS total FROM memberships \
         WHERE {column} IN ({parent_list}) AND state IN ({state_list}) GROUP BY {column}"
    );
    let query = with_parents_and_states(&sql, parents, &states);
    let rows: Vec<CountRow> = query.load(conn)?;
    Ok(rows.into_iter().map(|r| (r.parent, r.total)).collect())
}

/// A group's memberships, a page per group.
pub struct MembersOfGroups;

impl PagedQuery for MembersOfGroups {
    type Row = MembershipRow;

    fn page(
        conn: &mut DbConnection,
        parents: &[Id],
        limit: usize,
        after: Option<Id>,
        filter: u32,
    ) -> ApiResult<Vec<(Id, MembershipRow)>> {
        page(conn, Side::Group, parents, limit, after, filter)
    }

    fn count(conn: &mut DbConnection, parents: &[Id], filter: u32) -> ApiResult<Vec<(Id, i64)>> {
        count(conn, Side::Group, parents, filter)
    }
}

/// A member's memberships, a page per member.
pub struct GroupsOfMembers;

impl PagedQuery for GroupsOfMembers {
    type Row = MembershipRow;

    fn page(
        conn: &mut DbConnection,
        parents: &[Id],
        limit: usize,
        after: Option<Id>,
        filter: u32,
    ) -> ApiResult<Vec<(Id, MembershipRow)>> {
        page(conn, Side::Member, parents, limit, after, filter)
    }

    fn count(conn: &mut DbConnection, parents: &[Id], filter: u32) -> ApiResult<Vec<(Id, i64)>> {
        count(conn, Side::Member, parents, filter)
    }
}
