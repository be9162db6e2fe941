//! Membership rows and the state machine of joining, leaving, inviting, approving and removing,
//! with capacity enforced under concurrent joins.

use crate::db::tables::{memberships, support_groups};
use crate::db::{DbConnection, Id, Ts, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::groups::model::{GroupRow, GroupStatus, JoinPolicy};
use crate::members::model::MemberRow;
use crate::stored::stored_enum;
use diesel::prelude::*;

stored_enum! {
    /// A member's role in a group.
    pub enum MembershipRole {
        /// Takes part.
        Member = "MEMBER",
        /// Leads meetings; can invite, approve and remove members.
        Facilitator = "FACILITATOR",
        /// Runs the group; can also change roles.
        Organizer = "ORGANIZER",
    }
}

stored_enum! {
    /// Where a membership stands.
    pub enum MembershipState {
        /// Invited, not yet accepted (accept with `joinGroup`).
        Invited = "INVITED",
        /// Asked to join, waiting for approval.
        Requested = "REQUESTED",
        /// A member.
        Active = "ACTIVE",
        /// Left the group.
        Left = "LEFT",
        /// Removed by an organizer, a facilitator or the organization.
        Removed = "REMOVED",
    }
}

/// A member's place in a group.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = memberships)]
pub struct MembershipRow {
    /// Row id.
    pub id: Id,
    /// The group's organization.
    pub organization_id: Id,
    /// The group.
    pub group_id: Id,
    /// The member.
    pub member_id: Id,
    /// Role in the group.
    pub role: MembershipRole,
    /// Where it stands.
    pub state: MembershipState,
    /// When it was created.
    pub created_at: Ts,
    /// When it last changed.
    pub updated_at: Ts,
}

/// Who is acting on a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The organization's API key: may do anything, regardless of the join policy.
    Staff,
    /// The member itself, through its member token.
    Member,
}

/// The membership of `member_id` in `group_id`.
pub fn find(
    conn: &mut DbConnection,
    group_id: Id,
    member_id: Id,
) -> ApiResult<Option<MembershipRow>> {
    Ok(memberships::table
        .filter(memberships::group_id.eq(group_id))
        .filter(memberships::member_id.eq(member_id))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()?)
}

/// The memberships with these ids.
pub fn find_many(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<MembershipRow>> {
    Ok(memberships::table
        .filter(memberships::id.eq_any(ids))
        .select(MembershipRow::as_select())
        .load(conn)?)
}

/// The memberships of `member_id` in these groups.
pub fn of_member_in(
    conn: &mut DbConnection,
    member_id: Id,
    group_ids: &[Id],
) -> ApiResult<Vec<MembershipRow>> {
    Ok(memberships::table
        .filter(memberships::member_id.eq(member_id))
        .filter(memberships::group_id.eq_any(group_ids))
        .select(MembershipRow::as_select())
        .load(conn)?)
}

/// Most active facilitators a group has (the group's public page lists them all).
pub const MAX_FACILITATORS: usize = 10;

/// Refuses to add an active facilitator to a group that has [`MAX_FACILITATORS`]; call it with
/// the group locked.
fn ensure_facilitator_room(conn: &mut DbConnection, group_id: Id) -> ApiResult<()> {
    let active: i64 = memberships::table
        .filter(memberships::group_id.eq(group_id))
        .filter(memberships::state.eq(MembershipState::Active))
        .filter(memberships::role.eq(MembershipRole::Facilitator))
        .count()
        .get_result(conn)?;
    if active >= MAX_FACILITATORS as i64 {
        return Err(ApiError::Conflict(format!(
            "the group has {MAX_FACILITATORS} facilitators, the most it may have"
        )));
    }
    Ok(())
}

/// Locks the group row for the rest of the transaction, so that capacity checks of concurrent
/// joins run one after the other (SQLite's write transactions are already serial).
fn lock_group(conn: &mut DbConnection, group_id: Id) -> ApiResult<GroupRow> {
    let group = match conn {
        DbConnection::Pg(pg) => support_groups::table
            .find(group_id)
            .select(GroupRow::as_select())
            .for_update()
            .first(pg)
            .optional()?,
        DbConnection::Sqlite(_) => support_groups::table
            .find(group_id)
            .select(GroupRow::as_select())
            .first(conn)
            .optional()?,
    };
    group.ok_or_else(|| ApiError::NotFound("no such group".into()))
}

fn ensure_room(conn: &mut DbConnection, group: &GroupRow) -> ApiResult<()> {
    let Some(capacity) = group.capacity else {
        return Ok(());
    };
    let active: i64 = memberships::table
        .filter(memberships::group_id.eq(group.id))
        .filter(memberships::state.eq(MembershipState::Active))
        .count()
        .get_result(conn)?;
    if active >= i64::from(capacity) {
        let noun = if capacity == 1 { "member" } else { "members" };
        return Err(ApiError::Conflict(format!(
            "the group is full ({capacity} {noun})"
        )));
    }
    Ok(())
}

fn set_state(
    conn: &mut DbConnection,
    mut row: MembershipRow,
    state: MembershipState,
) -> ApiResult<MembershipRow> {
    row.state = state;
    row.updated_at = Ts::now();
    diesel::update(memberships::table.find(row.id))
        .set((
            memberships::state.eq(row.state),
            memberships::role.eq(row.role),
            memberships::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(row)
}

fn insert(
    conn: &mut DbConnection,
    group: &GroupRow,
    member_id: Id,
    role: MembershipRole,
    state: MembershipState,
) -> ApiResult<MembershipRow> {
    let now = Ts::now();
    let row = MembershipRow {
        id: Id::new(),
        organization_id: group.organization_id,
        group_id: group.id,
        member_id,
        role,
        state,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(memberships::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

fn check_same_organization(group: &GroupRow, member: &MemberRow) -> ApiResult<()> {
    if group.organization_id != member.organization_id || member.erased_at.is_some() {
        return Err(ApiError::NotFound("no such group".into()));
    }
    if group.status != GroupStatus::Active {
        return Err(ApiError::Conflict("the group is archived".into()));
    }
    Ok(())
}

/// Joins a group, or asks to, as its join policy says. Accepting an invitation is joining.
/// Joining twice changes nothing; a full group is `CONFLICT`.
pub fn join(
    conn: &mut DbConnection,
    group_id: Id,
    member: &MemberRow,
    actor: Actor,
) -> ApiResult<MembershipRow> {
    write_transaction(conn, |conn| {
        let group = lock_group(conn, group_id)?;
        check_same_organization(&group, member)?;
        let existing = find(conn, group.id, member.id)?;
        let state = existing.as_ref().map(|m| m.state);
        let target = match (state, actor, group.join_policy) {
            (Some(MembershipState::Active), _, _) => return existing.ok_or_else(missing),
            (Some(MembershipState::Removed), Actor::Member, _) => {
                return Err(ApiError::Forbidden(
                    "you were removed from this group; ask its organizers".into(),
                ));
            }
            (Some(MembershipState::Requested), Actor::Member, _) => {
                return existing.ok_or_else(missing);
            }
            (Some(MembershipState::Invited), _, _) | (_, Actor::Staff, _) => {
                MembershipState::Active
            }
            (_, Actor::Member, JoinPolicy::Open) => MembershipState::Active,
            (_, Actor::Member, JoinPolicy::Request) => MembershipState::Requested,
            (_, Actor::Member, JoinPolicy::Invitation) => {
                return Err(ApiError::Forbidden(
                    "this group is by invitation only".into(),
                ));
            }
        };
        match existing {
            Some(row) if target == MembershipState::Active => activate(conn, &group, row),
            Some(row) => set_state(conn, row, target),
            None => {
                if target == MembershipState::Active {
                    ensure_room(conn, &group)?;
                }
                insert(conn, &group, member.id, MembershipRole::Member, target)
            }
        }
    })
}

/// Makes a membership active, within the group's capacity and, for a facilitator, its
/// facilitator cap; call it with the group locked.
fn activate(
    conn: &mut DbConnection,
    group: &GroupRow,
    row: MembershipRow,
) -> ApiResult<MembershipRow> {
    ensure_room(conn, group)?;
    if row.role == MembershipRole::Facilitator {
        ensure_facilitator_room(conn, group.id)?;
    }
    set_state(conn, row, MembershipState::Active)
}

fn missing() -> ApiError {
    ApiError::internal("membership vanished inside its transaction")
}

/// Leaves a group (or declines an invitation, or withdraws a request). Idempotent.
pub fn leave(conn: &mut DbConnection, group_id: Id, member_id: Id) -> ApiResult<MembershipRow> {
    write_transaction(conn, |conn| {
        // Every change to a group's memberships holds the group's lock, so none overwrites
        // another (a role set while the member leaves).
        lock_group(conn, group_id)?;
        let row = find(conn, group_id, member_id)?
            .ok_or_else(|| ApiError::NotFound("not a member of this group".into()))?;
        match row.state {
            MembershipState::Left | MembershipState::Removed => Ok(row),
            _ => set_state(conn, row, MembershipState::Left),
        }
    })
}

/// Invites a member into a group with a role; inviting someone who asked to join approves them.
pub fn invite(
    conn: &mut DbConnection,
    group_id: Id,
    member: &MemberRow,
    role: MembershipRole,
) -> ApiResult<MembershipRow> {
    write_transaction(conn, |conn| {
        let group = lock_group(conn, group_id)?;
        check_same_organization(&group, member)?;
        match find(conn, group.id, member.id)? {
            None => insert(conn, &group, member.id, role, MembershipState::Invited),
            Some(row) => match row.state {
                MembershipState::Active | MembershipState::Invited => Ok(row),
                MembershipState::Requested => activate(conn, &group, row),
                MembershipState::Left | MembershipState::Removed => {
                    let mut row = row;
                    row.role = role;
                    set_state(conn, row, MembershipState::Invited)
                }
            },
        }
    })
}

/// Approves a request to join.
pub fn approve(conn: &mut DbConnection, membership: &MembershipRow) -> ApiResult<MembershipRow> {
    write_transaction(conn, |conn| {
        let group = lock_group(conn, membership.group_id)?;
        let row = find(conn, group.id, membership.member_id)?.ok_or_else(missing)?;
        match row.state {
            MembershipState::Requested => activate(conn, &group, row),
            MembershipState::Active => Ok(row),
            _ => Err(ApiError::Conflict("there is no request to approve".into())),
        }
    })
}

/// Removes a member from a group (or turns down a request).
pub fn remove(conn: &mut DbConnection, membership: &MembershipRow) -> ApiResult<MembershipRow> {
    write_transaction(conn, |conn| {
        lock_group(conn, membership.group_id)?;
        let row = find(conn, membership.group_id, membership.member_id)?.ok_or_else(missing)?;
        set_state(conn, row, MembershipState::Removed)
    })
}

/// Changes a member's role in a group.
pub fn set_role(
    conn: &mut DbConnection,
    membership: &MembershipRow,
    role: MembershipRole,
) -> ApiResult<MembershipRow> {
    write_transaction(conn, |conn| {
        lock_group(conn, membership.group_id)?;
        let mut row = find(conn, membership.group_id, membership.member_id)?.ok_or_else(missing)?;
        if role == MembershipRole::Facilitator
            && row.role != MembershipRole::Facilitator
            && row.state == MembershipState::Active
        {
            ensure_facilitator_room(conn, row.group_id)?;
        }
        if !matches!(
            row.state,
            MembershipState::Active | MembershipState::Invited
        ) {
            return Err(ApiError::Conflict(
                "roles are for active members and invitations".into(),
            ));
        }
        row.role = role;
        let state = row.state;
        set_state(conn, row, state)
    })
}

/// The active facilitators of these groups, as `(group id, member)` pairs.
pub fn facilitators_of(
    conn: &mut DbConnection,
    group_ids: &[Id],
) -> ApiResult<Vec<(Id, MemberRow)>> {
    use crate::db::tables::members;
    Ok(memberships::table
        .inner_join(members::table)
        .filter(memberships::group_id.eq_any(group_ids))
        .filter(memberships::role.eq(MembershipRole::Facilitator))
        .filter(memberships::state.eq(MembershipState::Active))
        .order(memberships::id.asc())
        .select((memberships::group_id, MemberRow::as_select()))
        .load(conn)?)
}

/// Whether two members of an organization share an active group or an accepted support link.
pub fn are_related(conn: &mut DbConnection, a: Id, b: Id) -> ApiResult<bool> {
    use crate::db::tables::support_links;
    use crate::support_links::model::SupportLinkState;
    let a_groups: Vec<Id> = memberships::table
        .filter(memberships::member_id.eq(a))
        .filter(memberships::state.eq(MembershipState::Active))
        .select(memberships::group_id)
        .load(conn)?;
    let shared: i64 = memberships::table
        .filter(memberships::member_id.eq(b))
        .filter(memberships::state.eq(MembershipState::Active))
        .filter(memberships::group_id.eq_any(a_groups))
        .count()
        .get_result(conn)?;
    if shared > 0 {
        return Ok(true);
    }
    let linked: i64 = support_links::table
        .filter(
            support_links::supporter_id
                .eq(a)
                .and(support_links::person_id.eq(b))
                .or(support_links::supporter_id
                    .eq(b)
                    .and(support_links::person_id.eq(a))),
        )
        .filter(support_links::state.eq(SupportLinkState::Active))
        .count()
        .get_result(conn)?;
    Ok(linked > 0)
}
