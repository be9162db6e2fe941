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
pub mod groups;
pub mod limits;
mod loaders;
pub mod meetings;
pub mod members;
pub mod memberships;
pub mod organizations;
pub mod policy;
pub mod recovery;
pub mod relay;
pub mod seed;
mod stored;
pub mod support_links;
mod validate;
mod viewer;

use api_keys::ApiKeyMutation;
use api_keys::model::ApiKeyRow;
use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptySubscription, MergedObject, Request, Schema, SchemaBuilder};
use auth::Viewer;
use db::{Db, StatementCount};
use groups::model::GroupRow;
use groups::{FacilitatorsOfGroups, GroupMutation, GroupQuery};
use limits::QueryLimits;
use loaders::{Primed, by_id_loader, grouped_loader, paged_loader, spawner};
use meetings::import::MeetingImportMutation;
use meetings::model::MeetingRow;
use meetings::{
    AttendanceMutation, ChangesOfMeetings, ExceptionsOfMeetings, MeetingCatalogQuery,
    MeetingMutation, MeetingQuery, MeetingSearchQuery, MeetingsOfGroups, RsvpMutation,
};
use members::model::MemberRow;
use members::tokens::TokenSigner;
use members::{CredentialsOfMembers, MemberMutation, MemberQuery};
use memberships::model::MembershipRow;
use memberships::pages::{GroupsOfMembers, MembersOfGroups};
use memberships::{MembershipMutation, ViewerMembershipLoader};
use organizations::model::OrganizationRow;
use relay::NodeQuery;
use support_links::model::SupportLinkRow;
use support_links::{LinksOfMembers, SupportLinkMutation};
use viewer::ViewerQuery;

pub use async_graphql;
pub use stored::StoredEnum;

/// The query root.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    ViewerQuery,
    NodeQuery,
    GroupQuery,
    MemberQuery,
    MeetingCatalogQuery,
    MeetingQuery,
    MeetingSearchQuery,
);

/// The mutation root.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    ApiKeyMutation,
    MemberMutation,
    GroupMutation,
    MembershipMutation,
    SupportLinkMutation,
    MeetingMutation,
    RsvpMutation,
    AttendanceMutation,
    MeetingImportMutation,
);

/// The executable Kinship schema.
pub type KinshipSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    use relay::RelayConnection;
    // async-graphql's connection types carry no description of their own.
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .override_output_type_description::<RelayConnection<(String, db::Id), groups::Group>>(
        "A page of groups, with cursors.",
    )
    .override_output_type_description::<RelayConnection<db::Id, api_keys::ApiKey>>(
        "A page of API keys, with cursors.",
    )
    .override_output_type_description::<RelayConnection<db::Id, meetings::MeetingChange>>(
        "A page of a meeting's change log, oldest first, with cursors.",
    )
    .override_output_type_description::<RelayConnection<db::Id, support_links::SupportLink>>(
        "A page of support links, oldest first, with cursors.",
    )
    .override_output_type_description::<RelayConnection<meetings::rsvps::RsvpKey, meetings::Rsvp>>(
        "A page of an occurrence's RSVPs: seats first, then the waitlist in order.",
    )
    .override_output_type_description::<meetings::MeetingConnection>(
        "A page of meetings found by a search, with cursors.",
    )
    .override_output_type_description::<groups::GroupMeetingConnection>(
        "A page of a group's meetings, with cursors.",
    )
    .override_output_type_description::<memberships::GroupMemberConnection>(
        "A page of a group's members; each edge carries the membership.",
    )
    .override_output_type_description::<memberships::MemberGroupConnection>(
        "A page of a member's groups; each edge carries the membership.",
    )
}

/// Builds the schema once per process: the database handle and the limits. It has no schema
/// extensions: each would wrap every resolved field in boxed futures. The limits are checked
/// before execution ([`preflight`]); the HTTP handler opens the request's tracing span.
pub fn build_schema(
    db: Db,
    horizon: meetings::horizon::KnownHorizon,
    signer: TokenSigner,
    limits: &QueryLimits,
) -> KinshipSchema {
    let mut builder = builder()
        .data(db)
        .data(horizon)
        .data(signer)
        .limit_recursive_depth(limits.max_nesting());
    if !limits.introspection {
        // "Did you mean ...?" would name the fields introspection no longer shows.
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The checks made before execution (limits, cost, string inputs), for this schema.
pub fn preflight() -> limits::Preflight {
    limits::Preflight::new(limits::Catalog::of::<QueryRoot, MutationRoot>())
}

/// The schema in SDL, as checked in at `schema/schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// Attaches the caller and fresh request-scoped DataLoaders (whose statements count towards
/// `count`) to a request.
pub fn prepare_request(
    request: Request,
    db: &Db,
    viewer: Viewer,
    count: &StatementCount,
) -> Request {
    let c = || count.clone();
    let viewer_memberships =
        DataLoader::new(ViewerMembershipLoader::new(db, &viewer), spawner(c()));
    let planned = DataLoader::new(meetings::planned::PlannedLoader::new(db), spawner(c()));
    request
        .data(viewer)
        .data(by_id_loader::<OrganizationRow>(db, c()))
        .data(by_id_loader::<ApiKeyRow>(db, c()))
        .data(by_id_loader::<MemberRow>(db, c()))
        .data(by_id_loader::<GroupRow>(db, c()))
        .data(Primed::<GroupRow>::default())
        .data(by_id_loader::<MembershipRow>(db, c()))
        .data(by_id_loader::<SupportLinkRow>(db, c()))
        .data(by_id_loader::<MeetingRow>(db, c()))
        .data(paged_loader::<MeetingsOfGroups>(db, c()))
        .data(paged_loader::<ChangesOfMeetings>(db, c()))
        .data(grouped_loader::<ExceptionsOfMeetings>(db, c()))
        .data(grouped_loader::<FacilitatorsOfGroups>(db, c()))
        .data(grouped_loader::<CredentialsOfMembers>(db, c()))
        .data(paged_loader::<LinksOfMembers>(db, c()))
        .data(paged_loader::<MembersOfGroups>(db, c()))
        .data(paged_loader::<GroupsOfMembers>(db, c()))
        .data(viewer_memberships)
        .data(planned)
}
