//! Member rows: pseudonymous profiles keyed by the platform's own `external_ref`, their
//! recovery details, credentials, and erasure.

use crate::db::tables::{credentials, members, memberships, support_links};
use crate::db::{DbConnection, Id, Ts, expect_unchanged, find_for_update, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::recovery::Pathway;
use crate::stored::{encode_list, stored_enum};
use chrono::NaiveDate;
use diesel::prelude::*;

stored_enum! {
    /// Who a member is in the recovery community.
    pub enum MemberRole {
        /// A person in recovery.
        PersonInRecovery = "PERSON_IN_RECOVERY",
        /// A family member or friend of someone in recovery.
        FamilyOrFriend = "FAMILY_OR_FRIEND",
        /// A professional: counselor, clinician, certified peer recovery specialist.
        Professional = "PROFESSIONAL",
    }
}

stored_enum! {
    /// A professional credential.
    pub enum CredentialKind {
        /// Licensed Clinical Social Worker.
        Lcsw = "LCSW",
        /// Licensed Professional Counselor.
        Lpc = "LPC",
        /// Licensed Marriage and Family Therapist.
        Lmft = "LMFT",
        /// Certified Alcohol and Drug Counselor.
        Cadc = "CADC",
        /// Licensed Alcohol and Drug Counselor.
        Ladc = "LADC",
        /// Certified Peer Recovery Specialist (or recovery coach).
        CertifiedPeerRecoverySpecialist = "CERTIFIED_PEER_RECOVERY_SPECIALIST",
        /// Licensed psychologist.
        Psychologist = "PSYCHOLOGIST",
        /// Physician (addiction medicine, psychiatry, ...).
        Physician = "PHYSICIAN",
        /// Registered or advanced practice nurse.
        Nurse = "NURSE",
        /// Another credential.
        Other = "OTHER",
    }
}

stored_enum! {
    /// Whether the organization has checked a credential.
    pub enum VerificationStatus {
        /// Claimed, not yet checked.
        Unverified = "UNVERIFIED",
        /// Checked and valid.
        Verified = "VERIFIED",
        /// Checked and not valid.
        Rejected = "REJECTED",
        /// Was valid, has lapsed.
        Expired = "EXPIRED",
    }
}

/// The external reference of an erased member starts with this (reserved: not for syncing).
pub const ERASED_REF_PREFIX: &str = "erased:";

/// A member: a pseudonymous profile. There is no column for legal names, email addresses,
/// phone numbers or postal addresses.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = members)]
pub struct MemberRow {
    /// Row id.
    pub id: Id,
    /// The organization the member belongs to.
    pub organization_id: Id,
    /// The platform's own identifier for the member (unique per organization).
    pub external_ref: String,
    /// A pseudonym.
    pub display_name: String,
    /// Who the member is in the recovery community.
    pub role: MemberRole,
    /// BCP 47 tags, stored as a list.
    pub languages: String,
    /// IANA time zone.
    pub timezone: Option<String>,
    /// Pronouns, as the member writes them.
    pub pronouns: Option<String>,
    /// Recovery (sobriety) date; private.
    pub recovery_start_date: Option<NaiveDate>,
    /// Recovery focus, stored as a list; private.
    pub recovery_focus: String,
    /// Recovery pathway; private.
    pub recovery_pathway: Option<Pathway>,
    /// When the member was erased (personal fields cleared).
    pub erased_at: Option<Ts>,
    /// When the profile was created.
    pub created_at: Ts,
    /// When the profile last changed.
    pub updated_at: Ts,
}

/// A credential a professional holds.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = credentials)]
pub struct CredentialRow {
    /// Row id.
    pub id: Id,
    /// The member's organization.
    pub organization_id: Id,
    /// The professional.
    pub member_id: Id,
    /// What the credential is.
    pub kind: CredentialKind,
    /// Who issued it (a state board, a certification body).
    pub issuer: String,
    /// Whether the organization checked it.
    pub verification_status: VerificationStatus,
    /// When it was last checked.
    pub verified_at: Option<Ts>,
    /// When it was added.
    pub created_at: Ts,
}

crate::db::change::typed_change! {
    /// A change to a member, validated: the columns a profile sync, an update or an erasure
    /// may touch. Lists (`languages`, `recovery_focus`) are stored encoded.
    pub struct MemberChange for MemberRow in members {
        display_name: String,
        role: MemberRole,
        languages: String,
        timezone: Option<String>,
        pronouns: Option<String>,
        recovery_start_date: Option<NaiveDate>,
        recovery_focus: String,
        recovery_pathway: Option<Pathway>,
        external_ref: String,
        erased_at: Option<Ts>,
    }
}

/// The member of `organization_id` with this external reference.
pub fn find_by_external_ref(
    conn: &mut DbConnection,
    organization_id: Id,
    external_ref: &str,
) -> ApiResult<Option<MemberRow>> {
    Ok(members::table
        .filter(members::organization_id.eq(organization_id))
        .filter(members::external_ref.eq(external_ref))
        .select(MemberRow::as_select())
        .first(conn)
        .optional()?)
}

/// The members with these ids.
pub fn find_many(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<MemberRow>> {
    Ok(members::table
        .filter(members::id.eq_any(ids))
        .select(MemberRow::as_select())
        .load(conn)?)
}

/// Writes `change` to `row`, in the database and in memory, as the row's next version.
fn save(conn: &mut DbConnection, row: &mut MemberRow, mut change: MemberChange) -> ApiResult<()> {
    change.updated_at = Some(Ts::changed_after(row.updated_at));
    diesel::update(members::table.find(row.id))
        .set(&change)
        .execute(conn)?;
    change.apply(row);
    Ok(())
}

/// The member with this id, locked for the rest of the write transaction.
fn lock(conn: &mut DbConnection, id: Id) -> ApiResult<Option<MemberRow>> {
    find_for_update!(conn, members, id, MemberRow)
}

/// The member of `organization_id` with this external reference, locked for the rest of the
/// write transaction.
fn lock_by_external_ref(
    conn: &mut DbConnection,
    organization_id: Id,
    external_ref: &str,
) -> ApiResult<Option<MemberRow>> {
    let id: Option<Id> = members::table
        .filter(members::organization_id.eq(organization_id))
        .filter(members::external_ref.eq(external_ref))
        .select(members::id)
        .first(conn)
        .optional()?;
    match id {
        Some(id) => lock(conn, id),
        None => Ok(None),
    }
}

/// Applies `changes` to a member read under lock, after the optimistic check.
fn change(
    conn: &mut DbConnection,
    mut row: MemberRow,
    change: MemberChange,
    expected_updated_at: Option<chrono::DateTime<chrono::Utc>>,
) -> ApiResult<MemberRow> {
    expect_unchanged(expected_updated_at, row.updated_at)?;
    save(conn, &mut row, change)?;
    Ok(row)
}

/// Creates the member with this external reference, or updates it: idempotent, so a platform
/// can sync its users. A new member needs a display name and a role. Concurrent syncs of one
/// member are applied one after the other, each to what the one before wrote.
pub fn upsert(
    conn: &mut DbConnection,
    organization_id: Id,
    external_ref: &str,
    changes: MemberChange,
    expected_updated_at: Option<chrono::DateTime<chrono::Utc>>,
) -> ApiResult<MemberRow> {
    let attempt = |conn: &mut DbConnection, changes: MemberChange| {
        write_transaction(conn, |conn| {
            if let Some(row) = lock_by_external_ref(conn, organization_id, external_ref)? {
                return change(conn, row, changes, expected_updated_at);
            }
            if expected_updated_at.is_some() {
                return Err(ApiError::Conflict(
                    "there is no member with this externalRef to compare updatedAt with".into(),
                ));
            }
            let (Some(display_name), Some(role)) = (changes.display_name.clone(), changes.role)
            else {
                return Err(ApiError::bad_input(
                    "input.displayName",
                    "a new member needs a display name and a role",
                ));
            };
            let now = Ts::now();
            let mut row = MemberRow {
                id: Id::new(),
                organization_id,
                external_ref: external_ref.to_owned(),
                display_name,
                role,
                languages: encode_list([]),
                timezone: None,
                pronouns: None,
                recovery_start_date: None,
                recovery_focus: encode_list([]),
                recovery_pathway: None,
                erased_at: None,
                created_at: now,
                updated_at: now,
            };
            changes.apply(&mut row);
            diesel::insert_into(members::table)
                .values(&row)
                .execute(conn)?;
            Ok(row)
        })
    };
    match attempt(conn, changes.clone()) {
        // Two syncs of a new member raced on PostgreSQL: the other created it, so update it now.
        Err(ApiError::Conflict(message)) if message.starts_with("an object with the same") => {
            attempt(conn, changes)
        }
        other => other,
    }
}

/// Applies profile changes to a member, read under lock; with `expected_updated_at`, only if
/// the member has not changed since.
pub fn update(
    conn: &mut DbConnection,
    id: Id,
    changes: MemberChange,
    expected_updated_at: Option<chrono::DateTime<chrono::Utc>>,
) -> ApiResult<MemberRow> {
    write_transaction(conn, |conn| {
        let row = lock(conn, id)?
            .filter(|r| r.erased_at.is_none())
            .ok_or_else(|| ApiError::NotFound("no such member".into()))?;
        change(conn, row, changes, expected_updated_at)
    })
}

/// Erases a member: clears every personal field, releases the external reference, and deletes
/// memberships, support links and credentials. The row stays as an anonymous tombstone so that
/// counts recorded elsewhere (attendance, reports) stay intact.
pub fn erase(conn: &mut DbConnection, id: Id) -> ApiResult<MemberRow> {
    write_transaction(conn, |conn| {
        let mut row = lock(conn, id)?.ok_or_else(|| ApiError::NotFound("no such member".into()))?;
        if row.erased_at.is_some() {
            return Ok(row);
        }
        diesel::delete(memberships::table.filter(memberships::member_id.eq(id))).execute(conn)?;
        diesel::delete(
            support_links::table.filter(
                support_links::supporter_id
                    .eq(id)
                    .or(support_links::person_id.eq(id)),
            ),
        )
        .execute(conn)?;
        diesel::delete(credentials::table.filter(credentials::member_id.eq(id))).execute(conn)?;
        let erasure = MemberChange {
            external_ref: Some(format!("{ERASED_REF_PREFIX}{}", row.id)),
            display_name: Some(String::new()),
            languages: Some(encode_list([])),
            timezone: Some(None),
            pronouns: Some(None),
            recovery_start_date: Some(None),
            recovery_focus: Some(encode_list([])),
            recovery_pathway: Some(None),
            erased_at: Some(Some(Ts::now())),
            ..MemberChange::default()
        };
        save(conn, &mut row, erasure)?;
        Ok(row)
    })
}

/// Most credentials a professional carries.
pub const MAX_CREDENTIALS: usize = 10;

/// Adds a credential claim (unverified) to a professional, up to [`MAX_CREDENTIALS`].
pub fn add_credential(
    conn: &mut DbConnection,
    member: &MemberRow,
    kind: CredentialKind,
    issuer: String,
) -> ApiResult<CredentialRow> {
    if member.role != MemberRole::Professional {
        return Err(ApiError::bad_input(
            "input.memberId",
            "only PROFESSIONAL members carry credentials",
        ));
    }
    let row = CredentialRow {
        id: Id::new(),
        organization_id: member.organization_id,
        member_id: member.id,
        kind,
        issuer,
        verification_status: VerificationStatus::Unverified,
        verified_at: None,
        created_at: Ts::now(),
    };
    write_transaction(conn, |conn| {
        lock(conn, member.id)?;
        let held: i64 = credentials::table
            .filter(credentials::member_id.eq(member.id))
            .count()
            .get_result(conn)?;
        if held >= MAX_CREDENTIALS as i64 {
            return Err(ApiError::Conflict(format!(
                "this member has {MAX_CREDENTIALS} credentials, the most one may carry"
            )));
        }
        diesel::insert_into(credentials::table)
            .values(&row)
            .execute(conn)?;
        Ok(row)
    })
}

/// Records the organization's check of a credential of its own.
pub fn set_verification(
    conn: &mut DbConnection,
    organization_id: Id,
    id: Id,
    status: VerificationStatus,
) -> ApiResult<CredentialRow> {
    let verified_at = (status != VerificationStatus::Unverified).then(Ts::now);
    let changed = diesel::update(
        credentials::table
            .find(id)
            .filter(credentials::organization_id.eq(organization_id)),
    )
    .set((
        credentials::verification_status.eq(status),
        credentials::verified_at.eq(verified_at),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::NotFound(
            "no such credential in this organization".into(),
        ));
    }
    Ok(credentials::table
        .find(id)
        .select(CredentialRow::as_select())
        .first(conn)?)
}

/// One credential by id.
pub fn credential(conn: &mut DbConnection, id: Id) -> ApiResult<Option<CredentialRow>> {
    Ok(credentials::table
        .find(id)
        .select(CredentialRow::as_select())
        .first(conn)
        .optional()?)
}

/// The credentials of these members, oldest first.
pub fn credentials_of(conn: &mut DbConnection, member_ids: &[Id]) -> ApiResult<Vec<CredentialRow>> {
    Ok(credentials::table
        .filter(credentials::member_id.eq_any(member_ids))
        .order(credentials::id.asc())
        .select(CredentialRow::as_select())
        .load(conn)?)
}
