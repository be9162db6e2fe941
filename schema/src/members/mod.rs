//! Members: pseudonymous profiles synced by the organization's platform (`upsertMember`), with
//! recovery details only the member and the organization see, professional credentials, member
//! tokens and erasure.

mod changes;
pub mod model;
pub mod tokens;

pub use changes::MemberMutation;

use crate::auth::{Scope, Viewer, viewer};
use crate::db::{Db, DbConnection, Id};
use crate::error::{ApiError, ApiResult};
use crate::groups::Group;
use crate::groups::model::GroupRow;
use crate::loaders::{
    GroupedQuery, LoadById, PageKey, db, load_by_id, load_grouped, load_many_by_id, load_page,
};
use crate::memberships::model::MembershipState;
use crate::memberships::pages::{GroupsOfMembers, state_filter};
use crate::memberships::{MemberGroupConnection, membership_connection};
use crate::policy::{self, Caller, members::MemberSight};
use crate::recovery::{Pathway, RecoveryFocus};
use crate::relay::{NodeKind, Page, RelayConnection, connection, decode_id_of, global_id};
use crate::stored::{decode_enums, decode_list, encode_enums, encode_list};
use crate::support_links::SupportLink;
use crate::validate;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use model::{
    CredentialKind, CredentialRow, MemberChange, MemberRole, MemberRow, VerificationStatus,
};
use tokens::{Session, TTL_MINUTES, TokenSigner};

pub use crate::policy::MemberAccess;

/// A member as a caller sees it.
#[derive(Debug, Clone)]
pub struct Member {
    /// The row.
    pub row: MemberRow,
    /// What the caller may see of it.
    pub access: MemberAccess,
}

impl Member {
    /// How the caller sees `row` as itself or its organization.
    pub fn caller_of<'a>(viewer: &'a Viewer, row: &MemberRow) -> Caller<'a> {
        Caller::of(viewer, row.organization_id)
    }

    /// A member the caller reaches through something it may see (a group it manages, a
    /// membership, an RSVP): fully if it is the member or its organization, else by display name.
    pub fn seen_by(viewer: &Viewer, row: MemberRow) -> Member {
        let access = policy::members::reached(Member::caller_of(viewer, &row), row.id);
        Member { row, access }
    }

    /// The member, if the caller may see it: fully (itself, its organization), or by display
    /// name (a member who shares an active group or a support link with it).
    pub async fn load_visible(ctx: &Context<'_>, id: Id) -> ApiResult<Option<Member>> {
        let Some(row) = load_by_id::<MemberRow>(ctx, id).await? else {
            return Ok(None);
        };
        let caller = Member::caller_of(viewer(ctx), &row);
        let me = match policy::members::member(caller, row.id, row.erased_at.is_some()) {
            MemberSight::Full => {
                return Ok(Some(Member {
                    row,
                    access: MemberAccess::Full,
                }));
            }
            MemberSight::Hidden => return Ok(None),
            MemberSight::IfRelated => match caller {
                Caller::Member(me) => me,
                _ => return Ok(None),
            },
        };
        let them = row.id;
        let related = ctx
            .data::<Db>()
            .map_err(|e| ApiError::internal(e.message))?
            .run(move |conn| crate::memberships::model::are_related(conn, me, them))
            .await?;
        Ok(related.then_some(Member {
            row,
            access: MemberAccess::DisplayName,
        }))
    }

    fn full(&self) -> bool {
        self.access == MemberAccess::Full
    }

    /// What the caller of this request is to the member.
    fn caller<'a>(&self, ctx: &Context<'a>) -> Caller<'a> {
        Member::caller_of(viewer(ctx), &self.row)
    }
}

impl LoadById for MemberRow {
    fn load_by_ids(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<Self>> {
        model::find_many(conn, ids)
    }

    fn row_id(&self) -> Id {
        self.id
    }
}

/// Credentials by member, for the loader.
pub struct CredentialsOfMembers;

impl GroupedQuery for CredentialsOfMembers {
    type Row = CredentialRow;

    fn load(conn: &mut DbConnection, parents: &[Id]) -> ApiResult<Vec<(Id, CredentialRow)>> {
        Ok(model::credentials_of(conn, parents)?
            .into_iter()
            .map(|c| (c.member_id, c))
            .collect())
    }
}

/// A member's recovery details: private to the member and its organization.
#[derive(SimpleObject, Debug, Clone)]
pub struct RecoveryDetails {
    /// The date recovery (sobriety) is counted from.
    pub start_date: Option<NaiveDate>,
    /// Substances or behaviours the member's recovery focuses on.
    pub focus: Vec<RecoveryFocus>,
    /// The pathway the member follows.
    pub pathway: Option<Pathway>,
}

/// A professional credential.
#[derive(Debug, Clone)]
pub struct Credential(pub CredentialRow);

impl Credential {
    /// The credential, when the caller may see the member who holds it (as `member(id:)` says).
    pub async fn load_visible(ctx: &Context<'_>, id: Id) -> ApiResult<Option<Credential>> {
        let Some(row) = db(ctx)?
            .run(move |conn| model::credential(conn, id))
            .await?
        else {
            return Ok(None);
        };
        Ok(Member::load_visible(ctx, row.member_id)
            .await?
            .map(|_| Credential(row)))
    }
}

/// A professional's credential claim (a licence, a certification); only the organization marks it verified.
#[Object]
impl Credential {
    /// The credential's global id (for `verifyCredential` and `node`).
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Credential, self.0.id)
    }

    /// What the credential is.
    async fn kind(&self) -> CredentialKind {
        self.0.kind
    }

    /// Who issued it.
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }

    /// Whether the organization checked it.
    async fn verification_status(&self) -> VerificationStatus {
        self.0.verification_status
    }

    /// When the organization last checked it.
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.verified_at.map(|t| t.0)
    }
}

/// A pseudonymous member of an organization: a person in recovery, a family member or friend, or a professional.
#[Object]
impl Member {
    /// The member's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Member, self.row.id)
    }

    /// The member's pseudonym ("Former member" once erased).
    async fn display_name(&self) -> &str {
        if self.row.erased_at.is_some() {
            "Former member"
        } else {
            &self.row.display_name
        }
    }

    /// Who the member is in the recovery community (null unless you are the member or its
    /// organization).
    async fn role(&self) -> Option<MemberRole> {
        self.full().then_some(self.row.role)
    }

    /// The platform's own identifier for the member (organization keys only).
    async fn external_ref(&self, ctx: &Context<'_>) -> Option<&str> {
        policy::members::sees_external_ref(self.caller(ctx))
            .then_some(self.row.external_ref.as_str())
    }

    /// Languages the member speaks, as BCP 47 tags (member and organization only).
    async fn languages(&self) -> Option<Vec<String>> {
        self.full().then(|| decode_list(&self.row.languages))
    }

    /// The member's IANA time zone (member and organization only).
    async fn timezone(&self) -> Option<&str> {
        self.row.timezone.as_deref().filter(|_| self.full())
    }

    /// The member's pronouns (member and organization only).
    async fn pronouns(&self) -> Option<&str> {
        self.row.pronouns.as_deref().filter(|_| self.full())
    }

    /// Recovery details: the member itself and organization keys with the `READ` scope only.
    async fn recovery(&self, ctx: &Context<'_>) -> Option<RecoveryDetails> {
        policy::members::sees_recovery(self.caller(ctx), self.row.id).then(|| RecoveryDetails {
            start_date: self.row.recovery_start_date,
            focus: decode_enums(&self.row.recovery_focus),
            pathway: self.row.recovery_pathway,
        })
    }

    /// Professional credentials. Others who can see the member see only verified ones.
    async fn credentials(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Credential>> {
        if self.row.role != MemberRole::Professional {
            return Ok(Vec::new());
        }
        let rows = load_grouped::<CredentialsOfMembers>(ctx, self.row.id).await?;
        Ok(rows
            .into_iter()
            .filter(|c| self.full() || c.verification_status == VerificationStatus::Verified)
            .map(Credential)
            .collect())
    }

    /// The groups the member belongs to: for the member itself (current memberships: ACTIVE,
    /// INVITED, REQUESTED) and for organization keys with the `READ` scope (any state). Null,
    /// with an error saying why, for everyone else.
    async fn groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many groups (0 to 100, default 20).", default = 20)] first: Option<
            i32,
        >,
        #[graphql(desc = "Continue after this cursor.")] after: Option<String>,
        #[graphql(desc = "Membership states to include (default: ACTIVE).")] states: Option<
            Vec<MembershipState>,
        >,
    ) -> async_graphql::Result<Option<MemberGroupConnection>> {
        let states = states.unwrap_or_else(|| vec![MembershipState::Active]);
        policy::members::member_groups(self.caller(ctx), self.row.id, &states)?;
        let page = Page::<Id>::new(ctx, first, after)?;
        let key = PageKey {
            parent: self.row.id,
            limit: page.limit() as usize,
            after: page.after,
            filter: state_filter(&states),
            count: page.count_total,
        };
        let (rows, total) = load_page::<GroupsOfMembers>(ctx, key).await?;
        // The caller is this member (current memberships only) or its organization: every group
        // listed is theirs to see.
        let groups = load_many_by_id::<GroupRow>(ctx, rows.iter().map(|m| m.group_id)).await?;
        let edges = rows
            .into_iter()
            .filter_map(|m| groups.get(&m.group_id).map(|g| (m, Group(g.clone()))))
            .collect();
        Ok(Some(membership_connection(&page, edges, total)))
    }

    /// Support links with family and friends, on either side, oldest first (member and
    /// organization only; null for everyone else). Every state by default, so a person sees
    /// every request made to them, withdrawn and declined ones too.
    async fn support_links(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "States to include (default: all).")] states: Option<
            Vec<crate::support_links::model::SupportLinkState>,
        >,
        #[graphql(desc = "How many links (0 to 100, default 20).", default = 20)] first: Option<
            i32,
        >,
        #[graphql(desc = "Continue after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<Option<RelayConnection<Id, SupportLink>>> {
        use crate::stored::StoredEnum as _;
        if !self.full() {
            return Ok(None);
        }
        let states =
            states.unwrap_or_else(|| crate::support_links::model::SupportLinkState::ALL.to_vec());
        let page = Page::<Id>::new(ctx, first, after)?;
        let key = page.key(self.row.id, crate::support_links::state_filter(&states));
        let (rows, total) = load_page::<crate::support_links::LinksOfMembers>(ctx, key).await?;
        Ok(Some(connection(&page, rows, total, |l| l.id, SupportLink)))
    }

    /// When the member was erased (organization keys only).
    async fn erased_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        self.row
            .erased_at
            .filter(|_| policy::members::sees_external_ref(self.caller(ctx)))
            .map(|t| t.0)
    }

    /// When the profile was created (member and organization only).
    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.full().then_some(self.row.created_at.0)
    }

    /// When the profile last changed (member and organization only); pass it back as
    /// `expectedUpdatedAt` to change the profile only if nobody else did meanwhile.
    async fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.full().then_some(self.row.updated_at.0)
    }
}

/// The member a mutation acts on, and whether the caller is its organization (`true`) or the
/// member itself (`false`). Another organization's member is `NOT_FOUND`.
pub async fn target_member(
    ctx: &Context<'_>,
    id: Option<&ID>,
    field: &str,
    staff_scope: Scope,
) -> ApiResult<(MemberRow, bool)> {
    let named = id
        .map(|id| decode_id_of(NodeKind::Member, id, field))
        .transpose()?;
    let (member_id, staff) = policy::members::acting_for(viewer(ctx), named, field, staff_scope)?;
    let row = policy::own(
        viewer(ctx),
        load_by_id::<MemberRow>(ctx, member_id)
            .await?
            .filter(|r| r.erased_at.is_none()),
    )?;
    Ok((row, staff))
}

/// `member(id:)`.
#[derive(Default)]
pub struct MemberQuery;

#[Object]
impl MemberQuery {
    /// A member by global id: fully for the member itself and its organization, by display
    /// name for members who share a group with it; null for everyone else.
    async fn member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member's global id.")] id: ID,
    ) -> async_graphql::Result<Option<Member>> {
        let id = decode_id_of(NodeKind::Member, &id, "id")?;
        Ok(Member::load_visible(ctx, id).await?)
    }

    /// The member of your organization with this `externalRef` (your platform's own user id,
    /// as given to `upsertMember`), for API keys with `read`; null when there is none (or it
    /// was erased).
    async fn member_by_external_ref(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Your platform's reference for the member.")] external_ref: String,
    ) -> async_graphql::Result<Option<Member>> {
        let organization_id = policy::staff(viewer(ctx), Scope::Read)?;
        let found = db(ctx)?
            .run(move |conn| model::find_by_external_ref(conn, organization_id, &external_ref))
            .await?;
        match found.filter(|row| row.erased_at.is_none()) {
            Some(row) => Ok(Member::load_visible(ctx, row.id).await?),
            None => Ok(None),
        }
    }
}
