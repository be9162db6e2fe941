//! Who sees a member's profile, recovery details and groups, and who may act for a member.

use super::{Caller, staff};
use crate::auth::{Scope, Viewer};
use crate::db::Id;
use crate::error::{ApiError, ApiResult};
use crate::members::model::MemberRow;
use crate::memberships::model::MembershipState;

/// How much of a profile the caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberAccess {
    /// The member itself, or its organization's API key: the whole profile.
    Full,
    /// Someone who shares a group (or a support link): the display name only.
    DisplayName,
}

/// How a caller may see a member it looks up directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberSight {
    /// The member itself or its organization: the whole profile.
    Full,
    /// A member of the same organization: the display name, if the two share an active group
    /// or a support link (the caller checks that relation).
    IfRelated,
    /// Nobody else sees the member at all.
    Hidden,
}

/// How `caller` may see `member_id` (erased members only by their organization and
/// themselves).
pub fn member(caller: Caller, member_id: Id, erased: bool) -> MemberSight {
    match caller {
        Caller::Staff(_) => MemberSight::Full,
        Caller::Member(me) if me == member_id => MemberSight::Full,
        Caller::Member(_) if !erased => MemberSight::IfRelated,
        _ => MemberSight::Hidden,
    }
}

/// The access to a member reached through an object the caller may already see (a group it
/// belongs to, a membership, an RSVP): fully for itself and its organization, else by display
/// name.
pub fn reached(caller: Caller, member_id: Id) -> MemberAccess {
    match member(caller, member_id, false) {
        MemberSight::Full => MemberAccess::Full,
        MemberSight::IfRelated | MemberSight::Hidden => MemberAccess::DisplayName,
    }
}

/// Recovery details: the member itself, and its organization's keys with `READ`.
pub fn sees_recovery(caller: Caller, member_id: Id) -> bool {
    caller.is_member(member_id) || caller.is_staff_with(Scope::Read)
}

/// The platform's own identifier for a member: its organization's keys.
pub fn sees_external_ref(caller: Caller) -> bool {
    caller.is_staff()
}

/// A member's list of groups, in `states`: the member itself (current memberships only) and
/// its organization (`READ`).
pub fn member_groups(caller: Caller, member_id: Id, states: &[MembershipState]) -> ApiResult<()> {
    match caller {
        Caller::Member(me) if me == member_id => {
            let current = [
                MembershipState::Active,
                MembershipState::Invited,
                MembershipState::Requested,
            ];
            if states.iter().all(|s| current.contains(s)) {
                Ok(())
            } else {
                Err(ApiError::Forbidden(
                    "members see their current memberships only (ACTIVE, INVITED, REQUESTED)"
                        .into(),
                ))
            }
        }
        Caller::Staff(scopes) if super::holds(scopes, Scope::Read) => Ok(()),
        Caller::Staff(_) => Err(ApiError::Forbidden(
            "this API key lacks the 'read' scope".into(),
        )),
        _ => Err(ApiError::Forbidden(
            "only the member and its organization see its groups".into(),
        )),
    }
}

/// Whom a mutation acts for, and whether the caller is the organization (`true`) or the member
/// itself (`false`): a member token only for itself; an API key (with `staff_scope`) for the
/// member it names. The caller then reaches the member through [`super::own`].
pub fn acting_for(
    viewer: &Viewer,
    named: Option<Id>,
    field: &str,
    staff_scope: Scope,
) -> ApiResult<(Id, bool)> {
    match (viewer, named) {
        (Viewer::Member { member_id, .. }, None) => Ok((*member_id, false)),
        (Viewer::Member { member_id, .. }, Some(id)) if id == *member_id => Ok((id, false)),
        (Viewer::Member { .. }, Some(_)) => Err(ApiError::Forbidden(
            "a member token acts only for its own member".into(),
        )),
        (key, Some(id)) => staff(key, staff_scope).map(|_| (id, true)),
        (key, None) => {
            staff(key, staff_scope)?;
            Err(ApiError::bad_input(field, "name the member"))
        }
    }
}

/// A membership: its member and the group's organization.
pub fn sees_membership(caller: Caller, member_id: Id) -> bool {
    caller.is_staff() || caller.is_member(member_id)
}

/// A support link: its two sides and their organization.
pub fn sees_support_link(caller: Caller, supporter_id: Id, person_id: Id) -> bool {
    caller.is_staff() || caller.is_member(supporter_id) || caller.is_member(person_id)
}

/// One side of a support link, beyond what [`member`] already allows: the person in recovery
/// sees who asks (to decide), the supporter sees the person only once the person accepted.
pub fn sees_link_side(
    caller: Caller,
    side: Id,
    supporter_id: Id,
    person_id: Id,
    accepted: bool,
) -> bool {
    (caller.is_member(person_id) && side == supporter_id)
        || (caller.is_member(supporter_id) && side == person_id && accepted)
}

/// Answering a support link: the person asked, with their own token (consent is theirs).
pub fn answers_support_link(caller: Caller, person_id: Id) -> ApiResult<()> {
    if caller.is_member(person_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the person in recovery can answer, with their member token".into(),
        ))
    }
}

/// Ending a support link: either side, or the organization (`WRITE`).
pub fn ends_support_link(caller: Caller, supporter_id: Id, person_id: Id) -> ApiResult<()> {
    match caller {
        Caller::Staff(scopes) if !super::holds(scopes, Scope::Write) => Err(ApiError::Forbidden(
            "this API key lacks the 'write' scope".into(),
        )),
        _ if sees_support_link(caller, supporter_id, person_id) => Ok(()),
        _ => Err(ApiError::NotFound("no such support link".into())),
    }
}

/// Whether a member named in an input (to invite, to record as attending, to ask for support)
/// may be: a live member of the object's organization. Anyone else is `NOT_FOUND` to the caller.
pub fn named_member(member: &MemberRow, organization_id: Id) -> bool {
    member.organization_id == organization_id && member.erased_at.is_none()
}

/// RSVPs and attendance stay within an organization: a member of another organization may not
/// RSVP to this meeting.
pub fn same_organization(member_organization: Id, meeting_organization: Id) -> ApiResult<()> {
    if member_organization == meeting_organization {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "this meeting belongs to another organization: RSVPs stay within an organization"
                .into(),
        ))
    }
}
