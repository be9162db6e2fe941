//! Support link rows: a family member or friend linked to a person in recovery, only once
//! that person accepts; either side can end it.

use crate::db::tables::support_links;
use crate::db::{DbConnection, Id, Ts, write_transaction};
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
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
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

/// Asks a person in recovery to accept a family member or friend as a supporter. Once the
/// person declined or the link ended, only the organization (`by_staff`) can ask again: a
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
    // One answer for "no such member", "another organization" and "not in recovery", so that
    // the request reveals nothing about the person.
    if person.role != MemberRole::PersonInRecovery
        || person.organization_id != supporter.organization_id
        || person.erased_at.is_some()
    {
        return Err(ApiError::NotFound("no such person in recovery".into()));
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

/// The person in recovery accepts or declines a pending link.
pub fn respond(
    conn: &mut DbConnection,
    link: &SupportLinkRow,
    accept: bool,
) -> ApiResult<SupportLinkRow> {
    if link.state != SupportLinkState::Pending {
        return Err(ApiError::Conflict(
            "this support link is not waiting for an answer".into(),
        ));
    }
    let state = if accept {
        SupportLinkState::Active
    } else {
        SupportLinkState::Declined
    };
    set_state(conn, link.clone(), state)
}

/// Ends a link (either side, or the organization).
pub fn end(conn: &mut DbConnection, link: &SupportLinkRow) -> ApiResult<SupportLinkRow> {
    match link.state {
        SupportLinkState::Ended | SupportLinkState::Declined => Ok(link.clone()),
        _ => set_state(conn, link.clone(), SupportLinkState::Ended),
    }
}

/// The links with these ids.
pub fn find_many(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<SupportLinkRow>> {
    Ok(support_links::table
        .filter(support_links::id.eq_any(ids))
        .select(SupportLinkRow::as_select())
        .load(conn)?)
}

/// The pending and active links of these members, as `(member id, link)` pairs.
pub fn of_members(
    conn: &mut DbConnection,
    member_ids: &[Id],
) -> ApiResult<Vec<(Id, SupportLinkRow)>> {
    let rows: Vec<SupportLinkRow> = support_links::table
        .filter(
            support_links::supporter_id
                .eq_any(member_ids)
                .or(support_links::person_id.eq_any(member_ids)),
        )
        .filter(support_links::state.eq_any([SupportLinkState::Pending, SupportLinkState::Active]))
        .order(support_links::id.asc())
        .select(SupportLinkRow::as_select())
        .load(conn)?;
    let mut out = Vec::new();
    for row in rows {
        for side in [row.supporter_id, row.person_id] {
            if member_ids.contains(&side) {
                out.push((side, row.clone()));
            }
        }
    }
    Ok(out)
}
