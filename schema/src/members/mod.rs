//! Members: pseudonymous profiles synced by the organization's platform (`upsertMember`), with
//! recovery details only the member and the organization see, professional credentials, member
//! tokens and erasure.

pub mod model;
pub mod tokens;

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

/// Recovery details to set; omitted fields stay as they are, `null` clears.
#[derive(InputObject, Default)]
pub struct RecoveryDetailsInput {
    /// The date recovery is counted from (not in the future).
    pub start_date: MaybeUndefined<NaiveDate>,
    /// Substances or behaviours the recovery focuses on.
    pub focus: Option<Vec<RecoveryFocus>>,
    /// The pathway followed.
    pub pathway: MaybeUndefined<Pathway>,
}

/// Profile fields a member or its organization may change; omitted fields stay as they are,
/// `null` clears. There are deliberately no fields for names, emails, phones or addresses.
#[derive(InputObject, Default)]
pub struct ProfileInput {
    /// A pseudonym (1 to 60 characters; no email addresses or phone numbers). It cannot be
    /// cleared.
    pub display_name: MaybeUndefined<String>,
    /// BCP 47 language tags (`en`, `es-MX`).
    pub languages: Option<Vec<String>>,
    /// IANA time zone (`America/New_York`).
    pub timezone: MaybeUndefined<String>,
    /// Pronouns as the member writes them (up to 30 characters).
    pub pronouns: MaybeUndefined<String>,
    /// Recovery details (private to the member and the organization).
    pub recovery: Option<RecoveryDetailsInput>,
}

fn optional_text(
    value: MaybeUndefined<String>,
    check: impl Fn(&str) -> ApiResult<String>,
) -> ApiResult<Option<Option<String>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) if v.trim().is_empty() => Ok(Some(None)),
        MaybeUndefined::Value(v) => Ok(Some(Some(check(&v)?))),
    }
}

fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

impl ProfileInput {
    /// Validates the input into model changes.
    fn into_changes(self, prefix: &str, role: Option<MemberRole>) -> ApiResult<MemberChange> {
        let field = |name: &str| format!("{prefix}.{name}");
        let recovery = self.recovery.unwrap_or_default();
        let start_date = maybe(recovery.start_date);
        if let Some(Some(date)) = start_date
            && date > Utc::now().date_naive() + chrono::Days::new(1)
        {
            return Err(ApiError::bad_input(
                field("recovery.startDate"),
                "a recovery date cannot be in the future",
            ));
        }
        Ok(MemberChange {
            display_name: match self.display_name {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => {
                    return Err(ApiError::bad_input(
                        field("displayName"),
                        "a display name cannot be cleared",
                    ));
                }
                MaybeUndefined::Value(n) => Some(validate::text(&field("displayName"), &n, 1, 60)?),
            },
            role,
            languages: self
                .languages
                .map(|l| validate::languages(&field("languages"), &l))
                .transpose()?
                .map(|l| encode_list(l.iter().map(String::as_str))),
            timezone: optional_text(self.timezone, |t| validate::timezone(&field("timezone"), t))?,
            pronouns: optional_text(self.pronouns, |p| {
                validate::text(&field("pronouns"), p, 1, 30)
            })?,
            recovery_start_date: start_date,
            recovery_focus: recovery.focus.map(|f| encode_enums(&f)),
            recovery_pathway: maybe(recovery.pathway),
            ..MemberChange::default()
        })
    }
}

/// Input of `upsertMember`: creates the member with this `externalRef` or updates it.
#[derive(InputObject)]
pub struct UpsertMemberInput {
    /// The platform's own identifier for the member (1 to 200 characters, unique per
    /// organization). Use an opaque id, not an email address.
    pub external_ref: String,
    /// A pseudonym (required for a new member).
    pub display_name: Option<String>,
    /// Who the member is (required for a new member).
    pub role: Option<MemberRole>,
    /// BCP 47 language tags.
    pub languages: Option<Vec<String>>,
    /// IANA time zone.
    pub timezone: MaybeUndefined<String>,
    /// Pronouns.
    pub pronouns: MaybeUndefined<String>,
    /// Recovery details.
    pub recovery: Option<RecoveryDetailsInput>,
    /// Change the member only if its `updatedAt` is still this (optimistic concurrency);
    /// otherwise `CONFLICT` and nothing changes.
    pub expected_updated_at: Option<DateTime<Utc>>,
}

/// Input of `updateMember`.
#[derive(InputObject)]
pub struct UpdateMemberInput {
    /// The member's global id; a member token may leave it out to mean itself.
    pub id: Option<ID>,
    /// The changes.
    pub profile: ProfileInput,
    /// Change the member only if its `updatedAt` is still this (optimistic concurrency);
    /// otherwise `CONFLICT` and nothing changes.
    pub expected_updated_at: Option<DateTime<Utc>>,
}

/// Input of `eraseMember`.
#[derive(InputObject)]
pub struct EraseMemberInput {
    /// The member's global id; a member token may leave it out to mean itself.
    pub id: Option<ID>,
}

/// Input of `addCredential`.
#[derive(InputObject)]
pub struct AddCredentialInput {
    /// The professional's global id; a member token may leave it out to mean itself.
    pub member_id: Option<ID>,
    /// What the credential is.
    pub kind: CredentialKind,
    /// Who issued it (a state board, a certification body; 1 to 200 characters).
    pub issuer: String,
}

/// Input of `verifyCredential`.
#[derive(InputObject)]
pub struct VerifyCredentialInput {
    /// The credential's id.
    pub id: ID,
    /// The outcome of the organization's check.
    pub status: VerificationStatus,
}

/// Input of `issueMemberToken`.
#[derive(InputObject)]
pub struct IssueMemberTokenInput {
    /// The member's global id; a member token may leave it out to refresh itself.
    pub member_id: Option<ID>,
    /// Minutes the token is valid (1 to 1440, default 60).
    #[graphql(default = 60)]
    pub ttl_minutes: i32,
}

/// Result of `issueMemberToken`.
#[derive(SimpleObject)]
pub struct MemberTokenPayload {
    /// The bearer token for the member's app.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The member.
    pub member: Member,
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
}

/// Member mutations.
#[derive(Default)]
pub struct MemberMutation;

#[Object]
impl MemberMutation {
    /// Creates or updates the member with this `externalRef`: idempotent, so a platform can
    /// sync its users. Needs the `WRITE` scope.
    async fn upsert_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `UpsertMemberInput`.")] input: UpsertMemberInput,
    ) -> async_graphql::Result<Member> {
        let organization_id = crate::policy::staff(viewer(ctx), Scope::Write)?;
        let external_ref = input.external_ref.trim().to_owned();
        if external_ref.is_empty()
            || external_ref.chars().count() > 200
            || external_ref.starts_with(model::ERASED_REF_PREFIX)
            || validate::looks_like_contact_details(&external_ref, true)
        {
            return Err(ApiError::bad_input(
                "input.externalRef",
                "use your platform's opaque user id (1 to 200 characters; not an email address or a phone number, and not starting with 'erased:')",
            )
            .into());
        }
        let changes = ProfileInput {
            display_name: input
                .display_name
                .map_or(MaybeUndefined::Undefined, MaybeUndefined::Value),
            languages: input.languages,
            timezone: input.timezone,
            pronouns: input.pronouns,
            recovery: input.recovery,
        }
        .into_changes("input", input.role)?;
        let expected = input.expected_updated_at;
        let row = db(ctx)?
            .run(move |conn| model::upsert(conn, organization_id, &external_ref, changes, expected))
            .await?;
        Ok(Member {
            row,
            access: MemberAccess::Full,
        })
    }

    /// Changes a profile: the member itself (member token) or its organization (`WRITE`).
    async fn update_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `UpdateMemberInput`.")] input: UpdateMemberInput,
    ) -> async_graphql::Result<Member> {
        let (member, _) = target_member(ctx, input.id.as_ref(), "input.id", Scope::Write).await?;
        let changes = input.profile.into_changes("input.profile", None)?;
        let expected = input.expected_updated_at;
        let row = db(ctx)?
            .run(move |conn| model::update(conn, member.id, changes, expected))
            .await?;
        Ok(Member {
            row,
            access: MemberAccess::Full,
        })
    }

    /// Erases a member: its personal fields, memberships, support links and credentials are
    /// removed; anonymous counts stay. The member itself (member token) or its organization
    /// (`WRITE`) may do it. It cannot be undone.
    async fn erase_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `EraseMemberInput`.")] input: EraseMemberInput,
    ) -> async_graphql::Result<Member> {
        let (member, _) = target_member(ctx, input.id.as_ref(), "input.id", Scope::Write).await?;
        let row = db(ctx)?
            .run(move |conn| model::erase(conn, member.id))
            .await?;
        Ok(Member {
            row,
            access: MemberAccess::Full,
        })
    }

    /// Adds a credential (unverified) to a professional: the professional itself or its
    /// organization (`WRITE`).
    async fn add_credential(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `AddCredentialInput`.")] input: AddCredentialInput,
    ) -> async_graphql::Result<Credential> {
        let (member, _) = target_member(
            ctx,
            input.member_id.as_ref(),
            "input.memberId",
            Scope::Write,
        )
        .await?;
        let issuer = validate::label("input.issuer", &input.issuer, 1, 200)?;
        let kind = input.kind;
        let row = db(ctx)?
            .run(move |conn| model::add_credential(conn, &member, kind, issuer))
            .await?;
        Ok(Credential(row))
    }

    /// Records the organization's check of a credential. Organization keys with `WRITE` only.
    async fn verify_credential(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `VerifyCredentialInput`.")] input: VerifyCredentialInput,
    ) -> async_graphql::Result<Credential> {
        let organization_id = crate::policy::staff(viewer(ctx), Scope::Write)?;
        let id = decode_id_of(NodeKind::Credential, &input.id, "input.id")?;
        let status = input.status;
        let row = db(ctx)?
            .run(move |conn| model::set_verification(conn, organization_id, id, status))
            .await?;
        Ok(Credential(row))
    }

    /// Mints a short-lived token for one member's app: an organization key with `READ` and
    /// `WRITE` for any of its members (opening a session of at most 24 hours), or a member
    /// token to refresh itself within its session. Revoking the key ends its sessions.
    async fn issue_member_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `IssueMemberTokenInput`.")] input: IssueMemberTokenInput,
    ) -> async_graphql::Result<MemberTokenPayload> {
        if !TTL_MINUTES.contains(&input.ttl_minutes) {
            return Err(ApiError::bad_input("input.ttlMinutes", "use 1 to 1440 minutes").into());
        }
        // A key that mints tokens can act as any member, recovery details included: it needs
        // both READ and WRITE.
        let session = match viewer(ctx) {
            Viewer::ApiKey { key_id, .. } => {
                crate::policy::staff(viewer(ctx), Scope::Read)?;
                Session::open(*key_id)
            }
            Viewer::Member { session, .. } => *session,
            Viewer::Anonymous => {
                return Err(ApiError::Unauthenticated("this needs an API key".into()).into());
            }
        };
        let (member, _) = target_member(
            ctx,
            input.member_id.as_ref(),
            "input.memberId",
            Scope::Write,
        )
        .await?;
        let signer = ctx.data::<TokenSigner>()?;
        let (token, expires_at) = signer.issue(
            member.organization_id,
            member.id,
            chrono::Duration::minutes(i64::from(input.ttl_minutes)),
            session,
        );
        Ok(MemberTokenPayload {
            token,
            expires_at,
            member: Member {
                row: member,
                access: MemberAccess::Full,
            },
        })
    }
}
