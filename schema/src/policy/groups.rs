//! Who may see a group and act on it, by the caller's standing in it.

use super::{Caller, holds};
use crate::auth::{Scope, Viewer};
use crate::db::Id;
use crate::error::{ApiError, ApiResult};
use crate::groups::model::{GroupRow, GroupScope, GroupVisibility};
use crate::memberships::model::{MembershipRole, MembershipRow, MembershipState};

/// A member's place in one group, from its own membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    /// No current membership (never joined, left, or removed).
    None,
    /// Invited, or asking to join.
    Pending,
    /// An active member.
    Member,
    /// An active facilitator: leads meetings, handles requests and attendance.
    Facilitator,
    /// An active organizer: runs the group, plans its meetings, appoints its roles.
    Organizer,
}

impl Standing {
    /// The standing a membership gives (none without one).
    pub fn of(membership: Option<&MembershipRow>) -> Standing {
        match membership.map(|m| (m.state, m.role)) {
            Some((MembershipState::Invited | MembershipState::Requested, _)) => Standing::Pending,
            Some((MembershipState::Active, MembershipRole::Member)) => Standing::Member,
            Some((MembershipState::Active, MembershipRole::Facilitator)) => Standing::Facilitator,
            Some((MembershipState::Active, MembershipRole::Organizer)) => Standing::Organizer,
            Some((MembershipState::Left | MembershipState::Removed, _)) | None => Standing::None,
        }
    }
}

/// The facts about a group the rules read.
#[derive(Debug, Clone, Copy)]
pub struct GroupFacts {
    /// The organization that runs it.
    pub organization_id: Id,
    /// Who may see it.
    pub visibility: GroupVisibility,
}

impl From<&GroupRow> for GroupFacts {
    fn from(row: &GroupRow) -> GroupFacts {
        GroupFacts {
            organization_id: row.organization_id,
            visibility: row.visibility,
        }
    }
}

/// What a caller wants to do with a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupAction {
    /// See the group, its meetings and its occurrences.
    See,
    /// Join it, leave it, ask to join: for a member itself, or its organization on its behalf
    /// (the scope is checked where the member is named).
    Join,
    /// List who is in it.
    ListMembers,
    /// See who RSVPed to its occurrences: the organization (`READ`), organizers and
    /// facilitators.
    SeeRsvps,
    /// Run its day to day: approve and remove members, invite members, take attendance,
    /// cancel or move one occurrence. The organization (`WRITE`), organizers and facilitators.
    Facilitate,
    /// Shape it: plan and change its meetings, appoint facilitators and organizers. The
    /// organization (`WRITE`) and organizers.
    Organize,
}

impl GroupAction {
    /// Every action, for the table test.
    pub const ALL: [GroupAction; 6] = [
        GroupAction::See,
        GroupAction::Join,
        GroupAction::ListMembers,
        GroupAction::SeeRsvps,
        GroupAction::Facilitate,
        GroupAction::Organize,
    ];

    /// The action that inviting into `role` takes: inviting a member facilitates, inviting a
    /// facilitator or an organizer organizes.
    pub fn invite_as(role: MembershipRole) -> GroupAction {
        match role {
            MembershipRole::Member => GroupAction::Facilitate,
            MembershipRole::Facilitator | MembershipRole::Organizer => GroupAction::Organize,
        }
    }
}

/// Whether `caller` may do `action` with `group`. A group the caller may not see is
/// `NOT_FOUND` for every action; another organization's visible group refuses every change.
pub fn group(
    caller: Caller,
    standing: Standing,
    group: GroupFacts,
    action: GroupAction,
) -> ApiResult<()> {
    let visible = group.visibility != GroupVisibility::Private
        || caller.is_staff()
        || (matches!(caller, Caller::Member(_)) && standing >= Standing::Pending);
    if !visible {
        return Err(ApiError::NotFound("no such group".into()));
    }
    if action == GroupAction::See {
        return Ok(());
    }
    match caller {
        Caller::Anonymous => Err(ApiError::Unauthenticated(
            "this needs an API key or a member token".into(),
        )),
        Caller::OtherKey | Caller::OtherMember => Err(ApiError::Forbidden(
            "this group belongs to another organization".into(),
        )),
        Caller::Staff(scopes) => {
            let scope = match action {
                GroupAction::See | GroupAction::Join => return Ok(()),
                GroupAction::ListMembers | GroupAction::SeeRsvps => Scope::Read,
                GroupAction::Facilitate | GroupAction::Organize => Scope::Write,
            };
            if holds(scopes, scope) {
                Ok(())
            } else {
                Err(ApiError::Forbidden(format!(
                    "this API key lacks the '{}' scope",
                    scope.as_str()
                )))
            }
        }
        Caller::Member(_) => {
            let (needed, refusal) = match action {
                GroupAction::See | GroupAction::Join => return Ok(()),
                GroupAction::ListMembers => (
                    Standing::Member,
                    "only the group's members see who else is in it",
                ),
                GroupAction::SeeRsvps | GroupAction::Facilitate => (
                    Standing::Facilitator,
                    "only the group's organizers, facilitators or its organization may do this",
                ),
                GroupAction::Organize => (
                    Standing::Organizer,
                    "only the group's organizers or its organization may do this",
                ),
            };
            if standing >= needed {
                Ok(())
            } else {
                Err(ApiError::Forbidden(refusal.into()))
            }
        }
    }
}

/// Which memberships of a group a caller allowed to list its members sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedStates {
    /// Active memberships only (plain members).
    Active,
    /// Every state (the organization, organizers and facilitators, who handle requests and
    /// invitations).
    Every,
}

/// Which memberships of `group` `caller` may list, or why it may not list them. Each member
/// on the list is then seen as [`super::members::reached`] says.
pub fn member_list(
    caller: Caller,
    standing: Standing,
    facts: GroupFacts,
) -> ApiResult<ListedStates> {
    group(caller, standing, facts, GroupAction::ListMembers)?;
    Ok(if caller.is_staff() || standing >= Standing::Facilitator {
        ListedStates::Every
    } else {
        ListedStates::Active
    })
}

/// The [`GroupAction::See`] rule for lists, which apply it in SQL
/// (`groups::model::findable_by`): an API key sees all its organization's groups, a member
/// token the groups it has a membership of, everyone the public ones. Unlisted groups are
/// found by id, not listed.
pub fn directory_scope(viewer: &Viewer) -> GroupScope {
    GroupScope {
        organization_id: match viewer {
            Viewer::ApiKey {
                organization_id, ..
            } => Some(*organization_id),
            _ => None,
        },
        member_id: viewer.member_id(),
    }
}
