//! Who may do what, in one place.
//!
//! Every permission rule of the API is a pure function here, over the caller and the facts of
//! one object (its organization, a group's visibility, the caller's standing in the group).
//! Resolvers load those facts and ask; they never re-derive an answer. `table.rs` tests the
//! rules as a table: every kind of caller × every action × the expected answer.
//!
//! The kinds of caller ([`Caller`]), as seen from the organization an object belongs to:
//! anonymous, a key or member of another organization, a key of the organization (with its
//! scopes), or a member of the organization. Within a group, a member also has a
//! [`groups::Standing`]: none, pending (invited or asking), member, facilitator, organizer.
//!
//! Three rules hold everywhere:
//! - What the caller may not see answers `NOT_FOUND`, the same way as what does not exist.
//! - An object of another organization that the caller may see (a public group) refuses
//!   changes with `FORBIDDEN`, saying it belongs to another organization.
//! - Organization-wide actions need an API key with a scope ([`staff`]); `ADMIN` includes
//!   every other scope.

pub mod groups;
pub mod members;
#[cfg(test)]
mod table;

use crate::auth::{Scope, Viewer};
use crate::db::Id;
use crate::error::{ApiError, ApiResult};

pub use groups::{GroupAction, GroupFacts, ListedStates, Standing, group};
pub use members::MemberAccess;

/// Who the caller is to an object of one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller<'a> {
    /// No credentials.
    Anonymous,
    /// An API key of another organization.
    OtherKey,
    /// A member token of another organization.
    OtherMember,
    /// An API key of the object's organization, with its scopes.
    Staff(&'a [Scope]),
    /// A member token of the object's organization, for this member.
    Member(Id),
}

impl<'a> Caller<'a> {
    /// What `viewer` is to an object of `organization_id`.
    pub fn of(viewer: &'a Viewer, organization_id: Id) -> Caller<'a> {
        match viewer {
            Viewer::Anonymous => Caller::Anonymous,
            Viewer::ApiKey {
                organization_id: own,
                scopes,
                ..
            } if *own == organization_id => Caller::Staff(scopes),
            Viewer::ApiKey { .. } => Caller::OtherKey,
            Viewer::Member {
                member_id,
                organization_id: own,
                ..
            } if *own == organization_id => Caller::Member(*member_id),
            Viewer::Member { .. } => Caller::OtherMember,
        }
    }

    /// Whether the caller is a key of the object's organization (any scope).
    pub fn is_staff(self) -> bool {
        matches!(self, Caller::Staff(_))
    }

    /// Whether the caller is a key of the object's organization holding `scope`.
    pub fn is_staff_with(self, scope: Scope) -> bool {
        matches!(self, Caller::Staff(scopes) if holds(scopes, scope))
    }

    /// Whether the caller is this member's own token.
    pub fn is_member(self, id: Id) -> bool {
        self == Caller::Member(id)
    }
}

/// Whether `scopes` include `scope`, directly or through `ADMIN`.
pub fn holds(scopes: &[Scope], scope: Scope) -> bool {
    scopes.contains(&Scope::Admin) || scopes.contains(&scope)
}

/// An organization-wide action: the caller's organization, if the caller is an API key
/// holding `scope`. `UNAUTHENTICATED` for anonymous callers, `FORBIDDEN` for member tokens and
/// for keys without the scope.
pub fn staff(viewer: &Viewer, scope: Scope) -> ApiResult<Id> {
    match viewer {
        Viewer::ApiKey {
            organization_id,
            scopes,
            ..
        } => {
            if holds(scopes, scope) {
                Ok(*organization_id)
            } else {
                Err(ApiError::Forbidden(format!(
                    "this API key lacks the '{}' scope",
                    scope.as_str()
                )))
            }
        }
        Viewer::Member { .. } => Err(ApiError::Forbidden(
            "this needs the organization's API key, not a member token".into(),
        )),
        Viewer::Anonymous => Err(ApiError::Unauthenticated(
            "this needs an API key: send `Authorization: Bearer <key>`".into(),
        )),
    }
}

/// A row that belongs to one organization, and the word for it in a `NOT_FOUND` message.
pub trait Owned {
    /// The word in `no such <word>`.
    const NAME: &'static str;
    /// The organization the row belongs to.
    fn organization_id(&self) -> Id;
}

/// `row`, if it exists and belongs to the caller's organization; `NOT_FOUND` otherwise, the
/// same way whether it is absent or another organization's. Mutations reach their objects
/// through this.
pub fn own<R: Owned>(viewer: &Viewer, row: Option<R>) -> ApiResult<R> {
    row.filter(|r| viewer.organization_id() == Some(r.organization_id()))
        .ok_or_else(|| ApiError::NotFound(format!("no such {}", R::NAME)))
}

/// The organization's own settings and key list: a key of that organization with `ADMIN`.
pub fn organization_settings(viewer: &Viewer, organization_id: Id) -> ApiResult<()> {
    let own = staff(viewer, Scope::Admin)?;
    if own != organization_id {
        return Err(ApiError::Forbidden(
            "these API keys belong to another organization".into(),
        ));
    }
    Ok(())
}

/// Whether the caller sees an API key: the key itself, or an `ADMIN` key of its organization.
pub fn sees_api_key(viewer: &Viewer, key_id: Id, organization_id: Id) -> bool {
    matches!(viewer, Viewer::ApiKey { key_id: own, .. } if *own == key_id)
        || Caller::of(viewer, organization_id).is_staff_with(Scope::Admin)
}

/// A meeting's change log: the organization's keys.
pub fn sees_meeting_changes(caller: Caller) -> bool {
    caller.is_staff()
}

macro_rules! owned {
    ($($row:ty => $name:literal),* $(,)?) => {
        $(impl Owned for $row {
            const NAME: &'static str = $name;
            fn organization_id(&self) -> Id {
                self.organization_id
            }
        })*
    };
}

owned! {
    crate::members::model::MemberRow => "member",
    crate::groups::model::GroupRow => "group",
    crate::memberships::model::MembershipRow => "membership",
    crate::meetings::model::MeetingRow => "meeting",
    crate::support_links::model::SupportLinkRow => "support link",
}
