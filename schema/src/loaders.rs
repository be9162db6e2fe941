//! DataLoader plumbing: one loader per row type, one SQL statement per batch, fresh per request
//! (so nothing cached crosses requests or tenants).

use crate::db::{Db, DbConnection, Id};
use crate::error::{ApiError, ApiResult};
use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use std::collections::HashMap;

/// A row type that can be fetched in batches by id.
pub trait LoadById: Clone + Send + Sync + 'static {
    /// Fetches the rows with these ids in one statement (any order; missing ids skipped).
    fn load_by_ids(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<Self>>;
    /// The row's id.
    fn row_id(&self) -> Id;
}

/// Batches by-id lookups of `R` within one request.
pub struct ByIdLoader<R> {
    db: Db,
    _rows: std::marker::PhantomData<fn() -> R>,
}

impl<R: LoadById> Loader<Id> for ByIdLoader<R> {
    type Value = R;
    type Error = ApiError;

    async fn load(&self, ids: &[Id]) -> Result<HashMap<Id, R>, ApiError> {
        let ids = ids.to_vec();
        self.db
            .run(move |conn| {
                let rows = R::load_by_ids(conn, &ids)?;
                Ok(rows.into_iter().map(|r| (r.row_id(), r)).collect())
            })
            .await
    }
}

/// A request-scoped loader of `R` by id.
pub fn by_id_loader<R: LoadById>(db: &Db) -> DataLoader<ByIdLoader<R>> {
    DataLoader::new(
        ByIdLoader {
            db: db.clone(),
            _rows: std::marker::PhantomData,
        },
        tokio::spawn,
    )
}

/// Loads one `R` by id through the request's loader.
pub async fn load_by_id<R: LoadById>(ctx: &Context<'_>, id: Id) -> ApiResult<Option<R>> {
    let loader = ctx
        .data::<DataLoader<ByIdLoader<R>>>()
        .map_err(|e| ApiError::internal(e.message))?;
    loader.load_one(id).await
}
