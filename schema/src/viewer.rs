//! `viewer`: tells the caller who it is.

use crate::api_keys::ApiKey;
use crate::auth::{Scope, Viewer, viewer};
use crate::members::Member;
use crate::organizations::Organization;
use async_graphql::{Context, Enum, Object};

/// The kind of caller.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewerKind {
    /// No credentials: the public directory only.
    Anonymous,
    /// An organization's API key.
    ApiKey,
    /// A member, through a member token.
    Member,
}

/// The caller of this request.
pub struct ViewerInfo;

/// The caller of this request: anonymous, an API key, or a member token.
#[Object(name = "Viewer")]
impl ViewerInfo {
    /// The kind of caller.
    async fn kind(&self, ctx: &Context<'_>) -> ViewerKind {
        match viewer(ctx) {
            Viewer::Anonymous => ViewerKind::Anonymous,
            Viewer::ApiKey { .. } => ViewerKind::ApiKey,
            Viewer::Member { .. } => ViewerKind::Member,
        }
    }

    /// The member the caller speaks for (member tokens only).
    async fn member(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Member>> {
        match viewer(ctx).member_id() {
            Some(id) => Ok(Member::load_visible(ctx, id).await?),
            None => Ok(None),
        }
    }

    /// The organization the caller acts for; null for anonymous callers.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        match viewer(ctx).organization_id() {
            Some(id) => Ok(Organization::load_visible(ctx, id).await?),
            None => Ok(None),
        }
    }

    /// What the caller may do (empty for anonymous callers).
    async fn scopes(&self, ctx: &Context<'_>) -> Vec<Scope> {
        viewer(ctx).scopes().to_vec()
    }

    /// The API key making the request, when the caller is one.
    async fn api_key(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ApiKey>> {
        match viewer(ctx) {
            Viewer::ApiKey { key_id, .. } => Ok(ApiKey::load_visible(ctx, *key_id).await?),
            _ => Ok(None),
        }
    }
}

/// The `viewer` root field.
#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// Who is asking: anonymous, an API key of an organization, or a member (member token).
    async fn viewer(&self) -> ViewerInfo {
        ViewerInfo
    }
}
