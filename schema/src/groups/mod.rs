//! Support groups: the directory (`groups`), one group (`group`), and their management by the
//! organization (`createGroup`, `updateGroup`, `archiveGroup`).

mod changes;
pub mod model;

pub use changes::{
    ArchiveGroupInput, CreateGroupInput, GroupFields, GroupMutation, UpdateGroupInput,
};

use crate::auth::viewer;
use crate::db::full_text::Words;
use crate::db::{DbConnection, Id};
use crate::error::{ApiError, ApiResult};
use crate::loaders::{
    GroupedQuery, LoadById, PageKey, db, load_by_id, load_grouped, load_many_by_id, load_page,
};
use crate::meetings::{Meeting, MeetingsOfGroups};
use crate::members::Member;
use crate::members::model::{MemberRole, MemberRow};
use crate::memberships::model::MembershipState;
use crate::memberships::pages::{MembersOfGroups, state_filter};
use crate::memberships::{GroupMemberConnection, Membership, membership_connection};
use crate::organizations::Organization;
use crate::policy::{self, Caller, GroupAction, ListedStates, Standing};
use crate::recovery::{Audience, Pathway, RecoveryFocus};
use crate::relay::{
    ConnectionFields, Cursor, NodeKind, Page, RelayConnection, connection, decode_id_of, global_id,
};
use crate::stored::{decode_enums, decode_list};
use crate::validate;
use async_graphql::OutputType;
use async_graphql::connection::{Connection, ConnectionNameType, Edge, EdgeNameType, EmptyFields};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use model::{Facilitation, GroupFilter, GroupRow, GroupStatus, GroupVisibility, JoinPolicy};

/// A support group.
#[derive(Debug, Clone)]
pub struct Group(pub GroupRow);

impl LoadById for GroupRow {
    fn load_by_ids(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<Self>> {
        model::find_many(conn, ids)
    }

    fn row_id(&self) -> Id {
        self.id
    }
}

/// The active facilitators of groups, for the loader.
pub struct FacilitatorsOfGroups;

impl GroupedQuery for FacilitatorsOfGroups {
    type Row = MemberRow;

    fn load(conn: &mut DbConnection, parents: &[Id]) -> ApiResult<Vec<(Id, MemberRow)>> {
        crate::memberships::model::facilitators_of(conn, parents)
    }
}

/// The caller's standing in a group: from its membership for a member token of the group's
/// organization, none for everyone else.
pub(crate) async fn standing(ctx: &Context<'_>, group: &GroupRow) -> ApiResult<Standing> {
    Ok(match Caller::of(viewer(ctx), group.organization_id) {
        Caller::Member(_) => Standing::of(
            crate::memberships::viewer_membership(ctx, group.id)
                .await?
                .as_ref(),
        ),
        _ => Standing::None,
    })
}

/// Asks the policy whether the caller may do `action` with `group`.
pub(crate) async fn allowed(
    ctx: &Context<'_>,
    group: &GroupRow,
    action: GroupAction,
) -> ApiResult<()> {
    // Anyone sees a group that is not private: no need to load a membership for that.
    let seen_by_all = action == GroupAction::See && group.visibility != GroupVisibility::Private;
    let standing = if seen_by_all {
        Standing::None
    } else {
        standing(ctx, group).await?
    };
    policy::group(
        Caller::of(viewer(ctx), group.organization_id),
        standing,
        group.into(),
        action,
    )
}

impl Group {
    /// The group, if the caller may see it: public and unlisted groups for everyone, private
    /// ones for their organization's keys and their members (including invitees and requesters).
    pub async fn load_visible(ctx: &Context<'_>, id: Id) -> ApiResult<Option<Group>> {
        let Some(row) = load_by_id::<GroupRow>(ctx, id).await? else {
            return Ok(None);
        };
        Ok(allowed(ctx, &row, GroupAction::See)
            .await
            .is_ok()
            .then_some(Group(row)))
    }

    /// Which memberships the caller may list, or why it may not.
    async fn member_list(&self, ctx: &Context<'_>) -> ApiResult<ListedStates> {
        let standing = standing(ctx, &self.0).await?;
        policy::groups::member_list(
            Caller::of(viewer(ctx), self.0.organization_id),
            standing,
            (&self.0).into(),
        )
    }
}

/// A support group: who it is for, how to join it, and its meetings.
#[Object]
impl Group {
    /// The group's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Group, self.0.id)
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Description.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Substances or behaviours the group focuses on.
    async fn focus(&self) -> Vec<RecoveryFocus> {
        decode_enums(&self.0.focus)
    }

    /// The pathway the group follows.
    async fn pathway(&self) -> Pathway {
        self.0.pathway
    }

    /// Who the group is for.
    async fn audience(&self) -> Vec<Audience> {
        decode_enums(&self.0.audience)
    }

    /// Languages the group meets in (BCP 47).
    async fn languages(&self) -> Vec<String> {
        decode_list(&self.0.languages)
    }

    /// Where the group can be found.
    async fn visibility(&self) -> GroupVisibility {
        self.0.visibility
    }

    /// How people join.
    async fn join_policy(&self) -> JoinPolicy {
        self.0.join_policy
    }

    /// Who leads the group.
    async fn facilitation(&self) -> Facilitation {
        self.0.facilitation
    }

    /// Most active members; null means no limit.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }

    /// Whether the group runs.
    async fn status(&self) -> GroupStatus {
        self.0.status
    }

    /// When the group was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.0
    }

    /// When the group last changed; pass it back as `expectedUpdatedAt` to change the group
    /// only if nobody else did meanwhile.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at.0
    }

    /// The organization that runs the group.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        Ok(Organization::load_visible(ctx, self.0.organization_id).await?)
    }

    /// The group's active facilitators, by display name, with their verified credentials.
    /// Professional facilitators are shown to everyone who can see the group; peer
    /// facilitators (people in recovery, family members) only to the group's members and its
    /// organization.
    async fn facilitators(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Member>> {
        let rows = load_grouped::<FacilitatorsOfGroups>(ctx, self.0.id).await?;
        let insider = self.member_list(ctx).await.is_ok();
        Ok(rows
            .into_iter()
            .filter(|row| insider || row.role == MemberRole::Professional)
            .map(|row| Member::seen_by(viewer(ctx), row))
            .collect())
    }

    /// The group's members with their role and state. Organization keys need the `READ`
    /// scope; a member token sees the groups it is an active member of, by display name only.
    /// Anonymous callers never see member lists (null, with an error saying why).
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many members (0 to 100, default 20).", default = 20)] first: Option<
            i32,
        >,
        #[graphql(desc = "Continue after this cursor.")] after: Option<String>,
        #[graphql(
            desc = "Membership states to include (default: ACTIVE); other states for the organization and the group's organizers and facilitators."
        )]
        states: Option<Vec<MembershipState>>,
    ) -> async_graphql::Result<Option<GroupMemberConnection>> {
        let listed = self.member_list(ctx).await?;
        let states = states.unwrap_or_else(|| vec![MembershipState::Active]);
        if listed == ListedStates::Active && states != [MembershipState::Active] {
            return Err(ApiError::Forbidden(
                "members see active memberships only; organizers and facilitators see all".into(),
            )
            .into());
        }
        let page = Page::<Id>::new(ctx, first, after)?;
        let key = PageKey {
            parent: self.0.id,
            limit: page.limit() as usize,
            after: page.after,
            filter: state_filter(&states),
            count: page.count_total,
        };
        let (rows, total) = load_page::<MembersOfGroups>(ctx, key).await?;
        let members = load_many_by_id::<MemberRow>(ctx, rows.iter().map(|m| m.member_id)).await?;
        let edges = rows
            .into_iter()
            .filter_map(|m| {
                let row = members.get(&m.member_id)?.clone();
                Some((m, Member::seen_by(viewer(ctx), row)))
            })
            .collect();
        Ok(Some(membership_connection(&page, edges, total)))
    }

    /// The group's iCalendar feed of all its meetings, relative to this API's origin; null for
    /// private groups, which are not published.
    async fn calendar_url(&self) -> Option<String> {
        (self.0.visibility != GroupVisibility::Private)
            .then(|| format!("/feeds/groups/{}.ics", self.0.id))
    }

    /// The group's meetings (every status), in creation order.
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many meetings (0 to 100, default 20).", default = 20)] first: Option<
            i32,
        >,
        #[graphql(desc = "Continue after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<GroupMeetingConnection> {
        let page = Page::<Id>::new(ctx, first, after)?;
        let (rows, total) = load_page::<MeetingsOfGroups>(ctx, page.key(self.0.id, 0)).await?;
        let mut meetings = GroupMeetingConnection::with_additional_fields(
            page.after.is_some(),
            rows.len() > page.first,
            ConnectionFields { total_count: total },
        );
        meetings.edges.extend(
            rows.into_iter()
                .take(page.first)
                .map(|m| Edge::new(Cursor(m.id), Meeting(m))),
        );
        Ok(meetings)
    }

    /// The caller's own membership in this group (member tokens only; null otherwise).
    async fn viewer_membership(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Membership>> {
        Ok(crate::memberships::viewer_membership(ctx, self.0.id)
            .await?
            .map(Membership))
    }
}

/// Names the connection of a group's meetings (`MeetingConnection` is the search's).
pub struct GroupMeetingNames;

impl ConnectionNameType for GroupMeetingNames {
    fn type_name<T: OutputType>() -> String {
        "GroupMeetingConnection".into()
    }
}

impl EdgeNameType for GroupMeetingNames {
    fn type_name<T: OutputType>() -> String {
        "GroupMeetingEdge".into()
    }
}

/// A group's meetings.
pub type GroupMeetingConnection = Connection<
    Cursor<Id>,
    Meeting,
    ConnectionFields,
    EmptyFields,
    GroupMeetingNames,
    GroupMeetingNames,
>;

/// Directory filter: every list means "any of these"; omitted means no constraint.
#[derive(InputObject, Default)]
pub struct GroupFilterInput {
    /// Groups focusing on any of these (include `ANY` to also get groups open to every focus).
    pub focus: Option<Vec<RecoveryFocus>>,
    /// Groups following any of these pathways.
    pub pathways: Option<Vec<Pathway>>,
    /// Groups for any of these audiences (include `EVERYONE` to also get groups for all).
    pub audiences: Option<Vec<Audience>>,
    /// Groups meeting in any of these languages (BCP 47), matched by primary language:
    /// `en-US` also finds groups in `en` and `en-GB`.
    pub languages: Option<Vec<String>>,
    /// Groups with any of these visibilities (you only ever see groups you may see).
    pub visibilities: Option<Vec<GroupVisibility>>,
    /// Groups led this way.
    pub facilitation: Option<Facilitation>,
    /// Groups in any of these states (default: ACTIVE).
    pub statuses: Option<Vec<GroupStatus>>,
    /// Words, in any order, each the start of a word in the group's name or description
    /// (case and accents ignored); groups are then listed best match first (a name counts
    /// most). At most 12 words and 200 characters.
    pub text: Option<String>,
    /// Groups of this organization (global id).
    pub organization_id: Option<ID>,
}

/// `groups` and `group`.
#[derive(Default)]
pub struct GroupQuery;

#[Object]
impl GroupQuery {
    /// The group directory: public groups of every organization, plus your own (your
    /// organization's, for an API key; the ones you belong to, for a member token), in name
    /// order, or best match first when searching words. Unlisted groups are not listed to outsiders: they are found by id.
    async fn groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for.")] filter: Option<GroupFilterInput>,
        #[graphql(desc = "How many groups (0 to 100, default 20).", default = 20)] first: Option<
            i32,
        >,
        #[graphql(desc = "Continue after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<Option<RelayConnection<(String, Id), Group>>> {
        let page = Page::<(String, Id)>::new(ctx, first, after)?;
        let input = filter.unwrap_or_default();
        let filter = GroupFilter {
            focus: input.focus.unwrap_or_default(),
            pathways: input.pathways.unwrap_or_default(),
            audiences: input.audiences.unwrap_or_default(),
            languages: input
                .languages
                .map(|l| validate::languages("filter.languages", &l))
                .transpose()?
                .unwrap_or_default(),
            visibilities: input.visibilities.unwrap_or_default(),
            facilitation: input.facilitation,
            statuses: input.statuses.unwrap_or_else(|| vec![GroupStatus::Active]),
            text: match &input.text {
                Some(text) => Words::parse("filter.text", text)?,
                None => None,
            },
            organization_id: input
                .organization_id
                .map(|id| decode_id_of(NodeKind::Organization, &id, "filter.organizationId"))
                .transpose()?,
        };
        let scope = policy::groups::directory_scope(viewer(ctx));
        let query_page = page.clone();
        let (rows, total) = db(ctx)?
            .run(move |conn| {
                let rows = model::list(
                    conn,
                    scope,
                    &filter,
                    query_page.after.clone(),
                    query_page.limit(),
                )?;
                let total = if query_page.count_total {
                    model::count(conn, scope, &filter)?
                } else {
                    0
                };
                Ok((rows, total))
            })
            .await?;
        Ok(Some(connection(
            &page,
            rows,
            total,
            |(key, _)| key.clone(),
            |(_, g)| Group(g),
        )))
    }

    /// A group by global id, if you may see it.
    async fn group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group's global id.")] id: ID,
    ) -> async_graphql::Result<Option<Group>> {
        let id = decode_id_of(NodeKind::Group, &id, "id")?;
        Ok(Group::load_visible(ctx, id).await?)
    }
}
