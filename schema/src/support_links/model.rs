//! Support link rows: a family member or friend linked to a person in recovery, only once
//! that person accepts; either side can end it.

use crate::db::tables::support_links;
use crate::db::windowed::{self, Children};
use crate::db::{DbConnection, Id, Ts, find_for_update, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::members::model::{MemberRole, MemberRow};
use crate::stored::stored_enum;
use diesel::prelude::*;

stored_enum! {
    /// Where a support link stands.
    pub enum SupportLinkState {
        /// Asked for; waiting for the person in recovery to answer.
        Pending = "PENDING",
        /// Accepted by the person in recovery.
        Active = "ACTIVE",
        /// Turned down by the person in recovery.
        Declined = "DECLINED",
        /// Ended by either side.
        Ended = "ENDED",
    }
}

/// A link between a supporter (family or friend) and a person in recovery.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = support_links)]
pub struct SupportLinkRow {
    /// Row id.
    pub id: Id,
    /// Their organization.
    pub organization_id: Id,
    /// The family member or friend.
    pub supporter_id: Id,
    /// The person in recovery.
    pub person_id: Id,
    /// Where it stands.
    pub state: SupportLinkState,
    /// When it was first asked for.
    pub created_at: Ts,
    /// When it last changed.
    pub updated_at: Ts,
}

fn find(
    conn: &mut DbConnection,
    supporter_id: Id,
    person_id: Id,
) -> ApiResult<Option<SupportLinkRow>> {
    Ok(support_links::table
        .filter(support_links::supporter_id.eq(supporter_id))
        .filter(support_links::person_id.eq(person_id))
        .select(SupportLinkRow::as_select())
        .first(conn)
        .optional()?)
}

fn set_state(
    conn: &mut DbConnection,
    mut row: SupportLinkRow,
    state: SupportLinkState,
) -> ApiResult<SupportLinkRow> {
    row.state = state;
    row.updated_at = Ts::now();
    diesel::update(support_links::table.find(row.id))
        .set((
            support_links::state.eq(row.state),
            support_links::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(row)
}

/// Asks a member to accept a family member or friend as a supporter. The answer is the same
/// for every member of the organization, whatever their role: a request reveals nothing about
/// who is in recovery (only a person in recovery can accept one, and only they see it). Once
/// the person declined or the link ended, only the organization (`by_staff`) can ask again: a
/// supporter cannot wear consent down by asking over and over.
pub fn request(
    conn: &mut DbConnection,
    supporter: &MemberRow,
    person: &MemberRow,
    by_staff: bool,
) -> ApiResult<SupportLinkRow> {
    if supporter.role != MemberRole::FamilyOrFriend {
        return Err(ApiError::bad_input(
            "input.supporterId",
            "the supporter must be a FAMILY_OR_FRIEND member",
        ));
    }
    if person.organization_id != supporter.organization_id {
        return Err(ApiError::NotFound("no such member".into()));
    }
    if person.id == supporter.id {
        return Err(ApiError::bad_input(
            "input.personId",
            "a member cannot support themselves",
        ));
    }
    write_transaction(conn, |conn| match find(conn, supporter.id, person.id)? {
        Some(row)
            if matches!(
                row.state,
                SupportLinkState::Pending | SupportLinkState::Active
            ) =>
        {
            Ok(row)
        }
        Some(row) if by_staff => set_state(conn, row, SupportLinkState::Pending),
        Some(_) => Err(ApiError::Conflict(
            "this link was declined or ended; only the organization can ask again".into(),
        )),
        None => {
            let now = Ts::now();
            let row = SupportLinkRow {
                id: Id::new(),
                organization_id: person.organization_id,
                supporter_id: supporter.id,
                person_id: person.id,
                state: SupportLinkState::Pending,
                created_at: now,
                updated_at: now,
            };
            diesel::insert_into(support_links::table)
                .values(&row)
                .execute(conn)?;
            Ok(row)
        }
    })
}

/// The person asked accepts or declines a pending link; only a person in recovery can accept
/// (anyone asked can decline).
pub fn respond(
    conn: &mut DbConnection,
    link: &SupportLinkRow,
    person: &MemberRow,
    accept: bool,
) -> ApiResult<SupportLinkRow> {
    if accept && person.role != MemberRole::PersonInRecovery {
        return Err(ApiError::Forbidden(
            "only a person in recovery accepts supporters; decline instead".into(),
        ));
    }
    let state = if accept {
        SupportLinkState::Active
    } else {
        SupportLinkState::Declined
    };
    write_transaction(conn, |conn| {
        let row = find_for_update!(conn, support_links, link.id, SupportLinkRow)?
            .ok_or_else(|| ApiError::NotFound("no such support link".into()))?;
        if row.state != SupportLinkState::Pending {
            return Err(ApiError::Conflict(
                "this support link is not waiting for an answer".into(),
            ));
        }
        set_state(conn, row, state)
    })
}

/// Ends a link (either side, or the organization). The link stays in both sides' lists, so
/// the person always sees who asked.
pub fn end(conn: &mut DbConnection, link: &SupportLinkRow) -> ApiResult<SupportLinkRow> {
    write_transaction(conn, |conn| {
        let row = find_for_update!(conn, support_links, link.id, SupportLinkRow)?
            .ok_or_else(|| ApiError::NotFound("no such support link".into()))?;
        match row.state {
            SupportLinkState::Ended | SupportLinkState::Declined => Ok(row),
            _ => set_state(conn, row, SupportLinkState::Ended),
        }
    })
}

/// The links with these ids.
pub fn find_many(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<SupportLinkRow>> {
    Ok(support_links::table
        .filter(support_links::id.eq_any(ids))
        .select(SupportLinkRow::as_select())
        .load(conn)?)
}

/// A link with the member whose list it is in (either side).
#[derive(QueryableByName)]
struct SideOfLink {
    #[diesel(sql_type = crate::db::types::UuidSql)]
    parent: Id,
    #[diesel(embed)]
    link: SupportLinkRow,
}

/// Where each member's links come from: those it asked for and those it was asked, in the
/// given states (trusted names of [`SupportLinkState`]).
fn links_of(states: &[SupportLinkState]) -> String {
    use crate::stored::StoredEnum as _;
    let states = states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT supporter_id AS parent, * FROM support_links \
         WHERE supporter_id IN ({{parents}}) AND state IN ({states}) \
         UNION ALL SELECT person_id AS parent, * FROM support_links \
         WHERE person_id IN ({{parents}}) AND state IN ({states})"
    )
}

/// A page of each member's links (either side) in the given states, oldest first, as
/// `(member id, link)` pairs.
pub fn page_of_members(
    conn: &mut DbConnection,
    member_ids: &[Id],
    states: &[SupportLinkState],
    limit: usize,
    after: Option<Id>,
) -> ApiResult<Vec<(Id, SupportLinkRow)>> {
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let source = links_of(states);
    Ok(
        windowed::page::<SideOfLink>(conn, Children(&source), member_ids, limit, after)?
            .into_iter()
            .map(|s| (s.parent, s.link))
            .collect(),
    )
}

/// How many links in the given states each member has.
pub fn count_of_members(
    conn: &mut DbConnection,
    member_ids: &[Id],
    states: &[SupportLinkState],
) -> ApiResult<Vec<(Id, i64)>> {
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let source = links_of(states);
    windowed::totals(conn, Children(&source), member_ids)
}
