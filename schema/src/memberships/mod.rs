//! Memberships: who belongs to which group, in which role and state, and the mutations that
//! move people in and out (`joinGroup`, `leaveGroup`, `inviteToGroup`, `approveMembership`,
//! `removeMembership`, `setMembershipRole`).

pub mod model;
pub mod pages;

use crate::auth::{Scope, Viewer, viewer};
use crate::db::{Db, DbConnection, Id};
use crate::error::{ApiError, ApiResult};
use crate::groups::Group;
use crate::groups::model::GroupRow;
use crate::loaders::{LoadById, db, load_by_id};
use crate::members::model::MemberRow;
use crate::members::{Member, target_member};
use crate::policy::{self, Caller, GroupAction};
use crate::relay::{ConnectionFields, Cursor, NodeKind, Page, decode_id_of, global_id};
use async_graphql::connection::{Connection, ConnectionNameType, Edge, EdgeNameType};
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, ID, InputObject, Object, OutputType, SimpleObject};
use chrono::{DateTime, Utc};
use model::{Actor, MembershipRole, MembershipRow, MembershipState};
use std::collections::HashMap;

/// A member's place in a group.
#[derive(Debug, Clone)]
pub struct Membership(pub MembershipRow);

impl LoadById for MembershipRow {
    fn load_by_ids(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<Self>> {
        model::find_many(conn, ids)
    }

    fn row_id(&self) -> Id {
        self.id
    }
}

impl Membership {
    /// The membership, if the caller is its member or the group's organization.
    pub async fn load_visible(ctx: &Context<'_>, id: Id) -> ApiResult<Option<Membership>> {
        let Some(row) = load_by_id::<MembershipRow>(ctx, id).await? else {
            return Ok(None);
        };
        let visible = policy::members::sees_membership(
            Caller::of(viewer(ctx), row.organization_id),
            row.member_id,
        );
        Ok(visible.then_some(Membership(row)))
    }
}

/// A member's place in a group: its role and its state (invited, requested, active, left, removed).
#[Object]
impl Membership {
    /// The membership's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Membership, self.0.id)
    }

    /// Role in the group.
    async fn role(&self) -> MembershipRole {
        self.0.role
    }

    /// Where the membership stands.
    async fn state(&self) -> MembershipState {
        self.0.state
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.0
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at.0
    }

    /// The group, if the caller may still see it (a removed member no longer sees a private
    /// group through its old membership).
    async fn group(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Group>> {
        Ok(Group::load_visible(ctx, self.0.group_id).await?)
    }

    /// The member (fully for itself and the organization, by display name for others).
    async fn member(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Member>> {
        Ok(load_by_id::<MemberRow>(ctx, self.0.member_id)
            .await?
            .map(|row| Member::seen_by(viewer(ctx), row)))
    }
}

/// What an edge between a group and a member says about the membership.
#[derive(SimpleObject, Debug, Clone)]
pub struct MembershipEdge {
    /// The membership's global id (for `approveMembership`, `removeMembership`,
    /// `setMembershipRole`).
    pub membership_id: ID,
    /// Role in the group.
    pub role: MembershipRole,
    /// Where the membership stands.
    pub state: MembershipState,
    /// Since when it stands so.
    pub since: DateTime<Utc>,
}

/// Names the connection of a group's members.
pub struct GroupMemberNames;

impl ConnectionNameType for GroupMemberNames {
    fn type_name<T: OutputType>() -> String {
        "GroupMemberConnection".into()
    }
}

impl EdgeNameType for GroupMemberNames {
    fn type_name<T: OutputType>() -> String {
        "GroupMemberEdge".into()
    }
}

/// Names the connection of a member's groups.
pub struct MemberGroupNames;

impl ConnectionNameType for MemberGroupNames {
    fn type_name<T: OutputType>() -> String {
        "MemberGroupConnection".into()
    }
}

impl EdgeNameType for MemberGroupNames {
    fn type_name<T: OutputType>() -> String {
        "MemberGroupEdge".into()
    }
}

/// A group's members, each edge carrying the membership.
pub type GroupMemberConnection = Connection<
    Cursor<Id>,
    Member,
    ConnectionFields,
    MembershipEdge,
    GroupMemberNames,
    GroupMemberNames,
>;

/// A member's groups, each edge carrying the membership.
pub type MemberGroupConnection = Connection<
    Cursor<Id>,
    Group,
    ConnectionFields,
    MembershipEdge,
    MemberGroupNames,
    MemberGroupNames,
>;

/// Builds a membership connection from a page of `(membership, node)` pairs keyed by the
/// membership id.
pub fn membership_connection<N, C, E>(
    page: &Page<Id>,
    mut rows: Vec<(MembershipRow, N)>,
    total_count: i64,
) -> Connection<Cursor<Id>, N, ConnectionFields, MembershipEdge, C, E>
where
    N: OutputType,
    C: ConnectionNameType,
    E: EdgeNameType,
{
    let has_next = rows.len() > page.first;
    rows.truncate(page.first);
    let mut connection = Connection::with_additional_fields(
        page.after.is_some(),
        has_next,
        ConnectionFields { total_count },
    );
    connection.edges.extend(rows.into_iter().map(|(m, node)| {
        Edge::with_additional_fields(
            Cursor(m.id),
            node,
            MembershipEdge {
                membership_id: global_id(NodeKind::Membership, m.id),
                role: m.role,
                state: m.state,
                since: m.updated_at.0,
            },
        )
    }));
    connection
}

/// The requesting member's memberships, by group, batched per request.
pub struct ViewerMembershipLoader {
    db: Db,
    member_id: Option<Id>,
}

impl Loader<Id> for ViewerMembershipLoader {
    type Value = MembershipRow;
    type Error = ApiError;

    async fn load(&self, group_ids: &[Id]) -> Result<HashMap<Id, MembershipRow>, ApiError> {
        let Some(member_id) = self.member_id else {
            return Ok(HashMap::new());
        };
        let group_ids = group_ids.to_vec();
        self.db
            .run(move |conn| {
                Ok(model::of_member_in(conn, member_id, &group_ids)?
                    .into_iter()
                    .map(|m| (m.group_id, m))
                    .collect())
            })
            .await
    }
}

impl ViewerMembershipLoader {
    /// The loader for a request by `viewer`.
    pub fn new(db: &Db, viewer: &Viewer) -> ViewerMembershipLoader {
        ViewerMembershipLoader {
            db: db.clone(),
            member_id: viewer.member_id(),
        }
    }
}

/// The caller's membership in a group (always `None` unless the caller is a member token).
pub async fn viewer_membership(
    ctx: &Context<'_>,
    group_id: Id,
) -> ApiResult<Option<MembershipRow>> {
    let loader = ctx
        .data::<DataLoader<ViewerMembershipLoader>>()
        .map_err(|e| ApiError::internal(e.message))?;
    loader.load_one(group_id).await
}

/// Input of `joinGroup` and `leaveGroup`.
#[derive(InputObject)]
pub struct GroupMemberInput {
    /// The group's global id.
    pub group_id: ID,
    /// The member's global id; a member token may leave it out to mean itself.
    pub member_id: Option<ID>,
}

/// Input of `inviteToGroup`.
#[derive(InputObject)]
pub struct InviteToGroupInput {
    /// The group's global id.
    pub group_id: ID,
    /// The member to invite.
    pub member_id: ID,
    /// The role the member will have (default: MEMBER).
    #[graphql(default_with = "MembershipRole::Member")]
    pub role: MembershipRole,
}

/// Input of `approveMembership` and `removeMembership`.
#[derive(InputObject)]
pub struct MembershipInput {
    /// The membership's global id.
    pub id: ID,
}

/// Input of `setMembershipRole`.
#[derive(InputObject)]
pub struct SetMembershipRoleInput {
    /// The membership's global id.
    pub id: ID,
    /// The new role.
    pub role: MembershipRole,
}

/// A group the caller may do `action` with, as the policy says.
async fn group_for(ctx: &Context<'_>, id: &ID, action: GroupAction) -> ApiResult<GroupRow> {
    let id = decode_id_of(NodeKind::Group, id, "input.groupId")?;
    let group = load_by_id::<GroupRow>(ctx, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such group".into()))?;
    crate::groups::allowed(ctx, &group, action).await?;
    Ok(group)
}

/// A membership of the caller's organization, and its group, if the caller may do `action`
/// with the group.
async fn membership_for(
    ctx: &Context<'_>,
    id: &ID,
    action: GroupAction,
) -> ApiResult<(MembershipRow, GroupRow)> {
    let id = decode_id_of(NodeKind::Membership, id, "input.id")?;
    let row = policy::own(viewer(ctx), load_by_id::<MembershipRow>(ctx, id).await?)?;
    let group = load_by_id::<GroupRow>(ctx, row.group_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such membership".into()))?;
    crate::groups::allowed(ctx, &group, action).await?;
    Ok((row, group))
}

/// Membership mutations.
#[derive(Default)]
pub struct MembershipMutation;

#[Object]
impl MembershipMutation {
    /// Joins a group as its join policy allows: OPEN groups at once (while there is room),
    /// REQUEST groups by asking (state REQUESTED), INVITATION groups only after an invitation
    /// (joining accepts it). An organization key (`WRITE`) adds its members directly. Joining
    /// twice changes nothing; a full group is `CONFLICT`.
    async fn join_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `GroupMemberInput`.")] input: GroupMemberInput,
    ) -> async_graphql::Result<Membership> {
        let group = group_for(ctx, &input.group_id, GroupAction::Join).await?;
        let (member, staff) = target_member(
            ctx,
            input.member_id.as_ref(),
            "input.memberId",
            Scope::Write,
        )
        .await?;
        let actor = if staff { Actor::Staff } else { Actor::Member };
        let row = db(ctx)?
            .run(move |conn| model::join(conn, group.id, &member, actor))
            .await?;
        Ok(Membership(row))
    }

    /// Leaves a group, declines an invitation or withdraws a request: the member itself, or its
    /// organization (`WRITE`).
    async fn leave_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `GroupMemberInput`.")] input: GroupMemberInput,
    ) -> async_graphql::Result<Membership> {
        let group = group_for(ctx, &input.group_id, GroupAction::Join).await?;
        let (member, _) = target_member(
            ctx,
            input.member_id.as_ref(),
            "input.memberId",
            Scope::Write,
        )
        .await?;
        let row = db(ctx)?
            .run(move |conn| model::leave(conn, group.id, member.id))
            .await?;
        Ok(Membership(row))
    }

    /// Invites a member of the organization into a group (accepting a pending request if there
    /// is one): the group's organizers and facilitators, or its organization (`WRITE`).
    async fn invite_to_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `InviteToGroupInput`.")] input: InviteToGroupInput,
    ) -> async_graphql::Result<Membership> {
        let action = GroupAction::invite_as(input.role);
        let group = group_for(ctx, &input.group_id, action).await?;
        let member_id = decode_id_of(NodeKind::Member, &input.member_id, "input.memberId")?;
        let member = load_by_id::<MemberRow>(ctx, member_id)
            .await?
            .filter(|m| policy::members::named_member(m, group.organization_id))
            .ok_or_else(|| ApiError::NotFound("no such member".into()))?;
        let role = input.role;
        let row = db(ctx)?
            .run(move |conn| model::invite(conn, group.id, &member, role))
            .await?;
        Ok(Membership(row))
    }

    /// Approves a request to join (while there is room): the group's organizers and
    /// facilitators, or its organization (`WRITE`).
    async fn approve_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `MembershipInput`.")] input: MembershipInput,
    ) -> async_graphql::Result<Membership> {
        let (membership, _) = membership_for(ctx, &input.id, GroupAction::Facilitate).await?;
        let row = db(ctx)?
            .run(move |conn| model::approve(conn, &membership))
            .await?;
        Ok(Membership(row))
    }

    /// Removes a member from a group, or turns down a request: the group's organizers and
    /// facilitators, or its organization (`WRITE`).
    async fn remove_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `MembershipInput`.")] input: MembershipInput,
    ) -> async_graphql::Result<Membership> {
        let (membership, _) = membership_for(ctx, &input.id, GroupAction::Facilitate).await?;
        let row = db(ctx)?
            .run(move |conn| model::remove(conn, &membership))
            .await?;
        Ok(Membership(row))
    }

    /// Changes a member's role (to make a facilitator, say): the group's organizers, or its
    /// organization (`WRITE`).
    async fn set_membership_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `SetMembershipRoleInput`.")]
        input: SetMembershipRoleInput,
    ) -> async_graphql::Result<Membership> {
        let (membership, _) = membership_for(ctx, &input.id, GroupAction::Organize).await?;
        let role = input.role;
        let row = db(ctx)?
            .run(move |conn| model::set_role(conn, &membership, role))
            .await?;
        Ok(Membership(row))
    }
}
