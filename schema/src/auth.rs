//! Who is asking ([`Viewer`]) and what API keys may do ([`Scope`]). What each caller may do
//! with each object is decided in [`crate::policy`].
//!
//! The HTTP layer turns the `Authorization: Bearer <token>` header into a `Viewer` with
//! [`authenticate`] and attaches it to the request; resolvers read it with [`viewer`].

use crate::api_keys::model as keys;
use crate::db::{Db, Id};
use crate::error::{ApiError, ApiResult};
use crate::members::model as members;
use crate::members::tokens::{MEMBER_TOKEN_PREFIX, Session, TokenSigner};
use async_graphql::{Context, Enum};

/// What an API key may do. `ADMIN` includes every other scope.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Manage the organization's API keys and settings; includes every other scope.
    Admin,
    /// Read the organization's non-public data: member profiles and recovery details, member
    /// lists.
    Read,
    /// Create and change the organization's data: members, groups, memberships, member tokens.
    Write,
}

impl Scope {
    /// Every scope, in display order.
    pub const ALL: [Scope; 3] = [Scope::Admin, Scope::Read, Scope::Write];

    /// The scope's name in the CLI and in storage: `admin`, `read`, `write`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Admin => "admin",
            Scope::Read => "read",
            Scope::Write => "write",
        }
    }

    /// Parses one scope name (`read`); an unknown name is an error naming the allowed ones.
    pub fn parse(name: &str) -> Result<Scope, String> {
        let name = name.trim();
        Scope::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("unknown scope '{name}'; the scopes are admin, read, write"))
    }

    /// Parses a comma-separated list such as `read,write`; duplicates collapse, order is
    /// normalised. An empty or unknown entry is an error naming the allowed scopes.
    pub fn parse_list(text: &str) -> Result<Vec<Scope>, String> {
        let mut scopes = text
            .split(',')
            .map(Scope::parse)
            .collect::<Result<Vec<_>, _>>()?;
        scopes.sort();
        scopes.dedup();
        Ok(scopes)
    }

    /// The storage form of a list: `admin,read`.
    pub fn join(scopes: &[Scope]) -> String {
        scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The caller of one request.
#[derive(Debug, Clone, Default)]
pub enum Viewer {
    /// No credentials: sees the public directory only.
    #[default]
    Anonymous,
    /// An organization's API key.
    ApiKey {
        /// The key's id.
        key_id: Id,
        /// The organization the key belongs to.
        organization_id: Id,
        /// What the key may do.
        scopes: Vec<Scope>,
    },
    /// A member, through a member token minted by its organization's backend.
    Member {
        /// The member.
        member_id: Id,
        /// The member's organization.
        organization_id: Id,
        /// The session of the token (its end, and the key that opened it).
        session: Session,
    },
}

impl Viewer {
    /// The organization the caller acts for, if any.
    pub fn organization_id(&self) -> Option<Id> {
        match self {
            Viewer::Anonymous => None,
            Viewer::ApiKey {
                organization_id, ..
            }
            | Viewer::Member {
                organization_id, ..
            } => Some(*organization_id),
        }
    }

    /// The member a member token speaks for.
    pub fn member_id(&self) -> Option<Id> {
        match self {
            Viewer::Member { member_id, .. } => Some(*member_id),
            _ => None,
        }
    }

    /// The scopes the caller holds (API keys only).
    pub fn scopes(&self) -> &[Scope] {
        match self {
            Viewer::ApiKey { scopes, .. } => scopes,
            _ => &[],
        }
    }
}

/// The viewer attached to the current request (anonymous if none was attached).
pub fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    static ANONYMOUS: Viewer = Viewer::Anonymous;
    ctx.data_opt::<Viewer>().unwrap_or(&ANONYMOUS)
}

/// Resolves a bearer token to a viewer: a valid member token of an existing member, an active
/// API key, or `UNAUTHENTICATED`.
pub async fn authenticate(db: &Db, signer: &TokenSigner, token: &str) -> ApiResult<Viewer> {
    if token.starts_with(MEMBER_TOKEN_PREFIX) {
        let claims = signer.verify(token).ok_or_else(|| {
            ApiError::Unauthenticated("the member token is not valid or has expired".into())
        })?;
        let (member, key) = db
            .run(move |conn| {
                let member = members::find_many(conn, &[claims.member_id])?.pop();
                let key = keys::find_many(conn, &[claims.session.key_id])?.pop();
                Ok((member, key))
            })
            .await?;
        member
            .filter(|m| m.organization_id == claims.organization_id && m.erased_at.is_none())
            .ok_or_else(|| ApiError::Unauthenticated("the member no longer exists".into()))?;
        key.filter(|k| k.organization_id == claims.organization_id && k.revoked_at.is_none())
            .ok_or_else(|| {
                ApiError::Unauthenticated(
                    "the API key that issued this member token has been revoked".into(),
                )
            })?;
        return Ok(Viewer::Member {
            member_id: claims.member_id,
            organization_id: claims.organization_id,
            session: claims.session,
        });
    }
    let token = token.to_owned();
    db.run(move |conn| {
        let key = keys::find_active_by_secret(conn, &token)?.ok_or_else(|| {
            ApiError::Unauthenticated("the API key is not valid or has been revoked".into())
        })?;
        keys::record_use(conn, &key)?;
        Ok(Viewer::ApiKey {
            key_id: key.id,
            organization_id: key.organization_id,
            scopes: key.scope_list(),
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_lists_are_normalised() {
        assert_eq!(
            Scope::parse_list("write, read,write"),
            Ok(vec![Scope::Read, Scope::Write])
        );
        assert!(Scope::parse_list("read,owner").is_err());
        assert!(Scope::parse_list("").is_err());
    }
}
