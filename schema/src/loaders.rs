//! DataLoader plumbing: one loader per row type, one SQL statement per batch, fresh per request
//! (so nothing cached crosses requests or tenants).

use crate::db::{Db, DbConnection, Id, StatementCount};
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

/// The database handle of the schema, for resolvers.
pub fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a Db> {
    ctx.data::<Db>().map_err(|e| ApiError::internal(e.message))
}

/// Runs a loader's batches as tasks that count their statements for the request.
pub fn spawner(
    count: StatementCount,
) -> impl Fn(futures_util::future::BoxFuture<'static, ()>) -> tokio::task::JoinHandle<()>
+ Send
+ Sync
+ 'static {
    move |batch| tokio::spawn(count.scope(batch))
}

/// A request-scoped loader of `R` by id.
pub fn by_id_loader<R: LoadById>(db: &Db, count: StatementCount) -> DataLoader<ByIdLoader<R>> {
    DataLoader::new(
        ByIdLoader {
            db: db.clone(),
            _rows: std::marker::PhantomData,
        },
        spawner(count),
    )
}

/// Rows a query resolver already read for its children, so that they need no batch of their
/// own (the meetings search reads its page's groups this way). Only query resolvers fill it:
/// a query changes nothing, so the rows cannot go stale within the request.
pub struct Primed<R>(std::sync::Mutex<HashMap<Id, R>>);

impl<R> Default for Primed<R> {
    fn default() -> Self {
        Primed(std::sync::Mutex::new(HashMap::new()))
    }
}

impl<R: LoadById> Primed<R> {
    /// Keeps these rows for the rest of the request.
    pub fn fill(&self, rows: Vec<R>) {
        if let Ok(mut primed) = self.0.lock() {
            primed.extend(rows.into_iter().map(|r| (r.row_id(), r)));
        }
    }

    fn get(&self, id: Id) -> Option<R> {
        self.0.lock().ok()?.get(&id).cloned()
    }
}

/// Loads one `R` by id: from the rows primed for the request, or through its loader.
pub async fn load_by_id<R: LoadById>(ctx: &Context<'_>, id: Id) -> ApiResult<Option<R>> {
    if let Some(row) = ctx.data_opt::<Primed<R>>().and_then(|p| p.get(id)) {
        return Ok(Some(row));
    }
    let loader = ctx
        .data::<DataLoader<ByIdLoader<R>>>()
        .map_err(|e| ApiError::internal(e.message))?;
    loader.load_one(id).await
}

/// A query that loads the rows belonging to each of many parents in one statement
/// (a group's facilitators, a member's credentials).
pub trait GroupedQuery: Send + Sync + 'static {
    /// The row type.
    type Row: Clone + Send + Sync + 'static;
    /// Fetches `(parent id, row)` pairs for all these parents.
    fn load(conn: &mut DbConnection, parents: &[Id]) -> ApiResult<Vec<(Id, Self::Row)>>;
}

/// Batches a [`GroupedQuery`] within one request.
pub struct GroupedLoader<Q> {
    db: Db,
    _query: std::marker::PhantomData<fn() -> Q>,
}

impl<Q: GroupedQuery> Loader<Id> for GroupedLoader<Q> {
    type Value = Vec<Q::Row>;
    type Error = ApiError;

    async fn load(&self, parents: &[Id]) -> Result<HashMap<Id, Vec<Q::Row>>, ApiError> {
        let parents = parents.to_vec();
        self.db
            .run(move |conn| {
                let mut grouped: HashMap<Id, Vec<Q::Row>> = HashMap::new();
                for (parent, row) in Q::load(conn, &parents)? {
                    grouped.entry(parent).or_default().push(row);
                }
                Ok(grouped)
            })
            .await
    }
}

/// A request-scoped loader for a [`GroupedQuery`].
pub fn grouped_loader<Q: GroupedQuery>(
    db: &Db,
    count: StatementCount,
) -> DataLoader<GroupedLoader<Q>> {
    DataLoader::new(
        GroupedLoader {
            db: db.clone(),
            _query: std::marker::PhantomData,
        },
        spawner(count),
    )
}

/// The rows of `parent` through the request's loader (empty when there are none).
pub async fn load_grouped<Q: GroupedQuery>(
    ctx: &Context<'_>,
    parent: Id,
) -> ApiResult<Vec<Q::Row>> {
    let loader = ctx
        .data::<DataLoader<GroupedLoader<Q>>>()
        .map_err(|e| ApiError::internal(e.message))?;
    Ok(loader.load_one(parent).await?.unwrap_or_default())
}

/// One page of a parent's children: which parent, how many, after which child, and a filter
/// (a bit set the query interprets, such as membership states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageKey {
    /// The parent.
    pub parent: Id,
    /// Rows wanted plus one (to learn whether there is a next page).
    pub limit: usize,
    /// The child to continue after.
    pub after: Option<Id>,
    /// A filter as a bit set.
    pub filter: u32,
    /// Whether to count all matching children.
    pub count: bool,
}

/// A [`PagedQuery`] filter naming some of `all` (the values of a small enum, such as the
/// states a page includes): a bit set over their positions.
pub fn filter_of<T: PartialEq>(all: &[T], chosen: &[T]) -> u32 {
    all.iter()
        .enumerate()
        .filter(|(_, value)| chosen.contains(value))
        .fold(0, |bits, (i, _)| bits | (1 << i))
}

/// The values of `all` a [`filter_of`] bit set names.
pub fn chosen_by<T: Copy>(all: &[T], filter: u32) -> Vec<T> {
    all.iter()
        .enumerate()
        .filter(|(i, _)| filter & (1 << i) != 0)
        .map(|(_, value)| *value)
        .collect()
}

/// A query that loads one page of children for each of many parents in one statement
/// (window functions), plus, when asked, their totals in one more.
pub trait PagedQuery: Send + Sync + 'static {
    /// The row type.
    type Row: Clone + Send + Sync + 'static;
    /// Fetches up to `limit` `(parent id, row)` pairs per parent, after `after`, in keyset order.
    fn page(
        conn: &mut DbConnection,
        parents: &[Id],
        limit: usize,
        after: Option<Id>,
        filter: u32,
    ) -> ApiResult<Vec<(Id, Self::Row)>>;
    /// Counts the matching children of each parent.
    fn count(conn: &mut DbConnection, parents: &[Id], filter: u32) -> ApiResult<Vec<(Id, i64)>>;
}

/// Batches a [`PagedQuery`] within one request: one statement per distinct page shape.
pub struct PagedLoader<Q> {
    db: Db,
    _query: std::marker::PhantomData<fn() -> Q>,
}

impl<Q: PagedQuery> Loader<PageKey> for PagedLoader<Q> {
    type Value = (Vec<Q::Row>, i64);
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[PageKey],
    ) -> Result<HashMap<PageKey, (Vec<Q::Row>, i64)>, ApiError> {
        let keys = keys.to_vec();
        self.db
            .run(move |conn| {
                let mut shapes: HashMap<(usize, Option<Id>, u32, bool), Vec<Id>> = HashMap::new();
                for key in &keys {
                    shapes
                        .entry((key.limit, key.after, key.filter, key.count))
                        .or_default()
                        .push(key.parent);
                }
                let mut out = HashMap::new();
                for ((limit, after, filter, count), parents) in shapes {
                    let mut rows: HashMap<Id, Vec<Q::Row>> = HashMap::new();
                    for (parent, row) in Q::page(conn, &parents, limit, after, filter)? {
                        rows.entry(parent).or_default().push(row);
                    }
                    let totals: HashMap<Id, i64> = if count {
                        Q::count(conn, &parents, filter)?.into_iter().collect()
                    } else {
                        HashMap::new()
                    };
                    for parent in parents {
                        let key = PageKey {
                            parent,
                            limit,
                            after,
                            filter,
                            count,
                        };
                        let page = rows.remove(&parent).unwrap_or_default();
                        out.insert(key, (page, totals.get(&parent).copied().unwrap_or(0)));
                    }
                }
                Ok(out)
            })
            .await
    }
}

/// A request-scoped loader for a [`PagedQuery`].
pub fn paged_loader<Q: PagedQuery>(db: &Db, count: StatementCount) -> DataLoader<PagedLoader<Q>> {
    DataLoader::new(
        PagedLoader {
            db: db.clone(),
            _query: std::marker::PhantomData,
        },
        spawner(count),
    )
}

/// One page through the request's loader: the rows and the total (0 unless counted).
pub async fn load_page<Q: PagedQuery>(
    ctx: &Context<'_>,
    key: PageKey,
) -> ApiResult<(Vec<Q::Row>, i64)> {
    let loader = ctx
        .data::<DataLoader<PagedLoader<Q>>>()
        .map_err(|e| ApiError::internal(e.message))?;
    Ok(loader.load_one(key).await?.unwrap_or_default())
}

/// Loads several `R` by id through the request's loader, in one batch.
pub async fn load_many_by_id<R: LoadById>(
    ctx: &Context<'_>,
    ids: impl IntoIterator<Item = Id>,
) -> ApiResult<HashMap<Id, R>> {
    let loader = ctx
        .data::<DataLoader<ByIdLoader<R>>>()
        .map_err(|e| ApiError::internal(e.message))?;
    loader.load_many(ids).await
}
