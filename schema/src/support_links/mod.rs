//! Support links between family members or friends and people in recovery: asked for by the
//! supporter, in force only once the person in recovery accepts, ended by either side.

pub mod model;

use crate::auth::{Scope, viewer};
use crate::db::{DbConnection, Id};
use crate::error::{ApiError, ApiResult};
use crate::loaders::{LoadById, PagedQuery, db, load_by_id};
use crate::members::model::MemberRow;
use crate::members::{Member, MemberAccess, target_member};
use crate::policy::{self, Caller, members::MemberSight};
use crate::relay::{NodeKind, decode_id_of, global_id};
use crate::stored::StoredEnum as _;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use model::{SupportLinkRow, SupportLinkState};

/// A support link.
#[derive(Debug, Clone)]
pub struct SupportLink(pub SupportLinkRow);

impl LoadById for SupportLinkRow {
    fn load_by_ids(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<Self>> {
        model::find_many(conn, ids)
    }

    fn row_id(&self) -> Id {
        self.id
    }
}

/// Pages of each member's links, for the loader; the filter is a bit set of states.
pub struct LinksOfMembers;

/// The states a page includes, as a bit set over [`SupportLinkState::ALL`].
pub fn state_filter(states: &[SupportLinkState]) -> u32 {
    crate::loaders::filter_of(SupportLinkState::ALL, states)
}

fn states_of(filter: u32) -> Vec<SupportLinkState> {
    crate::loaders::chosen_by(SupportLinkState::ALL, filter)
}

impl PagedQuery for LinksOfMembers {
    type Row = SupportLinkRow;

    fn page(
        conn: &mut DbConnection,
        parents: &[Id],
        limit: usize,
        after: Option<Id>,
        filter: u32,
    ) -> ApiResult<Vec<(Id, SupportLinkRow)>> {
        model::page_of_members(conn, parents, &states_of(filter), limit, after)
    }

    fn count(conn: &mut DbConnection, parents: &[Id], filter: u32) -> ApiResult<Vec<(Id, i64)>> {
        model::count_of_members(conn, parents, &states_of(filter))
    }
}

impl SupportLink {
    /// The link, if the caller is one of its sides or their organization.
    pub async fn load_visible(ctx: &Context<'_>, id: Id) -> ApiResult<Option<SupportLink>> {
        let Some(row) = load_by_id::<SupportLinkRow>(ctx, id).await? else {
            return Ok(None);
        };
        let visible = policy::members::sees_support_link(
            Caller::of(viewer(ctx), row.organization_id),
            row.supporter_id,
            row.person_id,
        );
        Ok(visible.then_some(SupportLink(row)))
    }

    /// One side of the link as the caller may see it: the organization and each side itself
    /// in full; the person in recovery sees who asks (to decide); the supporter sees the person
    /// only once the person accepted.
    async fn side(&self, ctx: &Context<'_>, id: Id) -> ApiResult<Option<Member>> {
        let Some(row) = load_by_id::<MemberRow>(ctx, id).await? else {
            return Ok(None);
        };
        let caller = Member::caller_of(viewer(ctx), &row);
        if policy::members::member(caller, row.id, false) == MemberSight::Full {
            return Ok(Some(Member {
                row,
                access: MemberAccess::Full,
            }));
        }
        let visible = policy::members::sees_link_side(
            caller,
            id,
            self.0.supporter_id,
            self.0.person_id,
            self.0.state == SupportLinkState::Active,
        );
        Ok(visible.then_some(Member {
            row,
            access: MemberAccess::DisplayName,
        }))
    }
}

/// A link between a person in recovery and a family member or friend, made only with the person's consent.
#[Object]
impl SupportLink {
    /// The link's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::SupportLink, self.0.id)
    }

    /// The family member or friend.
    async fn supporter(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Member>> {
        Ok(self.side(ctx, self.0.supporter_id).await?)
    }

    /// The person in recovery.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Member>> {
        Ok(self.side(ctx, self.0.person_id).await?)
    }

    /// Where the link stands.
    async fn state(&self) -> SupportLinkState {
        self.0.state
    }

    /// When it was asked for.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.0
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at.0
    }
}

/// Input of `requestSupportLink`.
#[derive(InputObject)]
pub struct RequestSupportLinkInput {
    /// The person in recovery (global id).
    pub person_id: ID,
    /// The family member or friend; a member token may leave it out to mean itself.
    pub supporter_id: Option<ID>,
}

/// Input of `respondToSupportLink`.
#[derive(InputObject)]
pub struct RespondToSupportLinkInput {
    /// The link's global id.
    pub id: ID,
    /// Accept (true) or decline (false).
    pub accept: bool,
}

/// Input of `endSupportLink`.
#[derive(InputObject)]
pub struct EndSupportLinkInput {
    /// The link's global id.
    pub id: ID,
}

async fn link_in_scope(ctx: &Context<'_>, id: &ID) -> ApiResult<SupportLinkRow> {
    let id = decode_id_of(NodeKind::SupportLink, id, "input.id")?;
    SupportLink::load_visible(ctx, id)
        .await?
        .map(|l| l.0)
        .ok_or_else(|| ApiError::NotFound("no such support link".into()))
}

/// Support link mutations.
#[derive(Default)]
pub struct SupportLinkMutation;

#[Object]
impl SupportLinkMutation {
    /// A family member or friend asks a person in recovery to accept them as a supporter: the
    /// supporter's member token, or the organization (`WRITE`) on its behalf. Nothing is shared
    /// until the person accepts. The answer is the same for any member of the organization,
    /// whatever their role, so a request never reveals who is in recovery; the person sees
    /// every request, withdrawn ones too.
    async fn request_support_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `RequestSupportLinkInput`.")]
        input: RequestSupportLinkInput,
    ) -> async_graphql::Result<SupportLink> {
        let (supporter, by_staff) = target_member(
            ctx,
            input.supporter_id.as_ref(),
            "input.supporterId",
            Scope::Write,
        )
        .await?;
        let person_id = decode_id_of(NodeKind::Member, &input.person_id, "input.personId")?;
        let person = load_by_id::<MemberRow>(ctx, person_id)
            .await?
            .filter(|p| policy::members::named_member(p, supporter.organization_id))
            .ok_or_else(|| ApiError::NotFound("no such member".into()))?;
        let row = db(ctx)?
            .run(move |conn| model::request(conn, &supporter, &person, by_staff))
            .await?;
        Ok(SupportLink(row))
    }

    /// The person asked accepts or declines: only with their own member token, since consent
    /// is theirs to give. Only a person in recovery can accept.
    async fn respond_to_support_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `RespondToSupportLinkInput`.")]
        input: RespondToSupportLinkInput,
    ) -> async_graphql::Result<SupportLink> {
        let link = link_in_scope(ctx, &input.id).await?;
        policy::members::answers_support_link(
            Caller::of(viewer(ctx), link.organization_id),
            link.person_id,
        )?;
        let person = load_by_id::<MemberRow>(ctx, link.person_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("no such support link".into()))?;
        let accept = input.accept;
        let row = db(ctx)?
            .run(move |conn| model::respond(conn, &link, &person, accept))
            .await?;
        Ok(SupportLink(row))
    }

    /// Ends a link: either side (member token) or the organization (`WRITE`).
    async fn end_support_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `EndSupportLinkInput`.")] input: EndSupportLinkInput,
    ) -> async_graphql::Result<SupportLink> {
        let link = link_in_scope(ctx, &input.id).await?;
        policy::members::ends_support_link(
            Caller::of(viewer(ctx), link.organization_id),
            link.supporter_id,
            link.person_id,
        )?;
        let row = db(ctx)?.run(move |conn| model::end(conn, &link)).await?;
        Ok(SupportLink(row))
    }
}
