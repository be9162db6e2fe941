//! Kinship's domain, data access and GraphQL schema. It knows nothing of HTTP: the server in
//! `kinship-api` authenticates the caller, then hands requests to the schema built here.
//!
//! Layout: shared machinery at the top (`db`, `error`, `auth`, `relay`, `limits`, `loaders`),
//! one folder per domain (`organizations`, `api_keys`, ...) with its GraphQL types in `mod.rs`
//! and its rows and SQL in `model.rs`.

pub mod api_keys;
pub mod auth;
pub mod db;
pub mod demo;
pub mod error;
pub mod limits;
mod loaders;
pub mod organizations;
pub mod relay;
mod viewer;

use api_keys::ApiKeyMutation;
use api_keys::model::ApiKeyRow;
use async_graphql::{EmptySubscription, MergedObject, Request, Schema, SchemaBuilder};
use auth::Viewer;
use db::Db;
use limits::{LimitsExtension, QueryLimits};
use organizations::model::OrganizationRow;
use relay::NodeQuery;
use viewer::ViewerQuery;

pub use async_graphql;

/// The query root.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(ViewerQuery, NodeQuery);

/// The mutation root.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(ApiKeyMutation);

/// The executable Kinship schema.
pub type KinshipSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
}

/// Builds the schema once per process: the database handle, the limits, and tracing spans
/// (async-graphql's `Tracing` extension; the server drops its `parse` span, which would carry
/// the query with its variables).
pub fn build_schema(db: Db, limits: &QueryLimits) -> KinshipSchema {
    let mut builder = builder()
        .data(db)
        .extension(LimitsExtension::new(limits))
        .extension(async_graphql::extensions::Tracing)
        .limit_recursive_depth(limits.max_nesting());
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema in SDL, as checked in at `schema/schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// Attaches the caller and fresh request-scoped DataLoaders to a request.
pub fn prepare_request(request: Request, db: &Db, viewer: Viewer) -> Request {
    request
        .data(viewer)
        .data(loaders::by_id_loader::<OrganizationRow>(db))
        .data(loaders::by_id_loader::<ApiKeyRow>(db))
}
