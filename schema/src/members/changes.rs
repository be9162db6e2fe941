//! From input to change: `upsertMember`, `updateMember` and `eraseMember` take a
//! [`ProfileInput`], validated once into a [`MemberChange`]; credentials and member tokens are
//! issued here too.

use super::*;

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
