//! API keys: server-to-server credentials of an organization, managed with the `ADMIN` scope.

pub mod model;

use crate::auth::{Scope, viewer};
use crate::db::{Db, DbConnection, Id};
use crate::error::ApiResult;
use crate::loaders::{LoadById, load_by_id};
use crate::organizations::Organization;
use crate::relay::{NodeKind, decode_id_of, global_id};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use model::ApiKeyRow;

/// An API key of an organization. The secret is shown once, when the key is created.
#[derive(Debug, Clone)]
pub struct ApiKey(pub ApiKeyRow);

impl ApiKey {
    /// The key, if the caller is this key or an admin of its organization.
    pub async fn load_visible(ctx: &Context<'_>, id: Id) -> ApiResult<Option<ApiKey>> {
        let Some(row) = load_by_id::<ApiKeyRow>(ctx, id).await? else {
            return Ok(None);
        };
        let visible = crate::policy::sees_api_key(viewer(ctx), row.id, row.organization_id);
        Ok(visible.then_some(ApiKey(row)))
    }
}

impl LoadById for ApiKeyRow {
    fn load_by_ids(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<Self>> {
        model::find_many(conn, ids)
    }

    fn row_id(&self) -> Id {
        self.id
    }
}

/// An API key of an organization. The secret is shown once, when the key is created.
#[Object]
impl ApiKey {
    /// The key's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::ApiKey, self.0.id)
    }

    /// A label chosen by whoever created the key.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The first characters of the secret (`kinship_AbCd`), to recognise the key.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// What the key may do.
    async fn scopes(&self) -> Vec<Scope> {
        self.0.scope_list()
    }

    /// When the key was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.0
    }

    /// When the key was last used (recorded at most once a minute); null if never.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at.map(|t| t.0)
    }

    /// When the key was revoked; null while it is active.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at.map(|t| t.0)
    }

    /// The organization the key acts for.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        Ok(Organization::load_visible(ctx, self.0.organization_id).await?)
    }
}

/// Input of `createApiKey`.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// A label for the key, such as the system that will use it (1 to 100 characters).
    pub name: String,
    /// What the key may do; at least one scope.
    pub scopes: Vec<Scope>,
}

/// Result of `createApiKey`.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The new key.
    pub api_key: ApiKey,
    /// The bearer token. It is shown only now: Kinship stores only its hash.
    pub secret: String,
}

/// Input of `revokeApiKey`.
#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    /// The global id of the key to revoke.
    pub id: ID,
}

/// API key mutations.
#[derive(Default)]
pub struct ApiKeyMutation;

#[Object]
impl ApiKeyMutation {
    /// Creates an API key for the caller's organization. Needs the `ADMIN` scope.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `CreateApiKeyInput`.")] input: CreateApiKeyInput,
    ) -> async_graphql::Result<CreateApiKeyPayload> {
        let organization_id = crate::policy::staff(viewer(ctx), Scope::Admin)?;
        let issued = ctx
            .data::<Db>()?
            .run(move |conn| model::create(conn, organization_id, &input.name, &input.scopes))
            .await?;
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(issued.row),
            secret: issued.secret,
        })
    }

    /// Revokes an API key of the caller's organization; it stops working at once. Revoking a
    /// revoked key is harmless. Needs the `ADMIN` scope.
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `RevokeApiKeyInput`.")] input: RevokeApiKeyInput,
    ) -> async_graphql::Result<ApiKey> {
        let organization_id = crate::policy::staff(viewer(ctx), Scope::Admin)?;
        let id = decode_id_of(NodeKind::ApiKey, &input.id, "input.id")?;
        let row = ctx
            .data::<Db>()?
            .run(move |conn| model::revoke(conn, organization_id, id))
            .await?;
        Ok(ApiKey(row))
    }
}
