//! Organizations: Kinship's tenants.

pub mod model;

use crate::api_keys::ApiKey;
use crate::api_keys::model as keys;
use crate::auth::viewer;
use crate::db::{Db, DbConnection, Id};
use crate::error::ApiResult;
use crate::loaders::{LoadById, load_by_id};
use crate::relay::{NodeKind, Page, RelayConnection, connection, global_id};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use model::OrganizationRow;

/// A tenant of Kinship: a clinic, a recovery platform or an intergroup. Its name and slug are
/// public; everything else is visible to its own API keys only.
#[derive(Debug, Clone)]
pub struct Organization(pub OrganizationRow);

impl Organization {
    /// The organization with this id, if it exists (organizations are public).
    pub async fn load_visible(ctx: &Context<'_>, id: Id) -> ApiResult<Option<Organization>> {
        Ok(load_by_id::<OrganizationRow>(ctx, id)
            .await?
            .map(Organization))
    }
}

impl LoadById for OrganizationRow {
    fn load_by_ids(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<Self>> {
        model::find_many(conn, ids)
    }

    fn row_id(&self) -> Id {
        self.id
    }
}

/// A tenant of Kinship (a clinic, a platform, an intergroup). Its name and slug are public.
#[Object]
impl Organization {
    /// The organization's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Organization, self.0.id)
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Unique URL-safe handle (lowercase letters, digits, hyphens), used in URLs and the CLI.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// When the organization was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at.0
    }

    /// The organization's API keys, oldest first, revoked ones included. Needs the `ADMIN`
    /// scope of this organization (null with a `FORBIDDEN` error otherwise).
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many keys to return (0 to 100, default 20).", default = 20)]
        first: Option<i32>,
        #[graphql(desc = "Return keys after this cursor (from `pageInfo.endCursor`).")]
        after: Option<String>,
    ) -> async_graphql::Result<Option<RelayConnection<Id, ApiKey>>> {
        crate::policy::organization_settings(viewer(ctx), self.0.id)?;
        let organization_id = self.0.id;
        let page = Page::<Id>::new(ctx, first, after)?;
        let db = ctx.data::<Db>()?;
        let query_page = page.clone();
        let (rows, total) = db
            .run(move |conn| {
                let rows = keys::list(conn, organization_id, query_page.after, query_page.limit())?;
                let total = if query_page.count_total {
                    keys::count(conn, organization_id)?
                } else {
                    0
                };
                Ok((rows, total))
            })
            .await?;
        Ok(Some(connection(&page, rows, total, |r| r.id, ApiKey)))
    }
}
