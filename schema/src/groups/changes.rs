//! From input to change: `createGroup`, `updateGroup` and `archiveGroup` take the same group
//! fields ([`GroupFields`]), validated once into a [`GroupChange`], from which the row and the
//! UPDATE are both derived.

use super::Group;
use super::model::{self, Facilitation, GroupChange, GroupStatus, GroupVisibility, JoinPolicy};
use crate::auth::{Scope, viewer};
use crate::error::{ApiError, ApiResult};
use crate::loaders::db;
use crate::recovery::{Audience, Pathway, RecoveryFocus};
use crate::relay::{NodeKind, decode_id_of};
use crate::stored::{encode_enums, encode_list};
use crate::validate;
use async_graphql::{ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime, Utc};

/// The fields of a group that `createGroup` and `updateGroup` both take. On update an omitted
/// field stays as it is; on create it takes the default named.
#[derive(InputObject, Default)]
pub struct GroupFields {
    /// Description (up to 2000 characters; empty removes it).
    pub description: Option<String>,
    /// Focus (on create, default ANY; an empty list means ANY).
    pub focus: Option<Vec<RecoveryFocus>>,
    /// Pathway (on create, default OTHER).
    pub pathway: Option<Pathway>,
    /// Audience (on create, default EVERYONE; an empty list means EVERYONE).
    pub audience: Option<Vec<Audience>>,
    /// Languages (BCP 47).
    pub languages: Option<Vec<String>>,
    /// Visibility (on create, default PUBLIC).
    pub visibility: Option<GroupVisibility>,
    /// Join policy (on create, default OPEN).
    pub join_policy: Option<JoinPolicy>,
    /// Facilitation (on create, default PEER_LED).
    pub facilitation: Option<Facilitation>,
    /// Most active members (1 to 10000); null (or, on create, omitted) for no limit.
    pub capacity: MaybeUndefined<i32>,
}

impl GroupFields {
    /// The validated change these fields (and `name`, when given) make.
    pub fn into_change(self, name: Option<String>) -> ApiResult<GroupChange> {
        Ok(GroupChange {
            name: name
                .map(|n| validate::label("input.name", &n, 1, 120))
                .transpose()?,
            description: self
                .description
                .map(|d| {
                    if d.trim().is_empty() {
                        Ok(String::new())
                    } else {
                        validate::label("input.description", &d, 0, 2000)
                    }
                })
                .transpose()?,
            // An empty focus list would match no filter at all: it means "any".
            focus: self.focus.map(|f| {
                encode_enums(if f.is_empty() {
                    &[RecoveryFocus::Any]
                } else {
                    &f
                })
            }),
            pathway: self.pathway,
            audience: self.audience.map(|a| {
                encode_enums(if a.is_empty() {
                    &[Audience::Everyone]
                } else {
                    &a
                })
            }),
            languages: self
                .languages
                .map(|l| validate::languages("input.languages", &l))
                .transpose()?
                .map(|l| encode_list(l.iter().map(String::as_str))),
            visibility: self.visibility,
            join_policy: self.join_policy,
            facilitation: self.facilitation,
            capacity: match self.capacity {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(c) if (1..=10_000).contains(&c) => Some(Some(c)),
                MaybeUndefined::Value(_) => {
                    return Err(ApiError::bad_input("input.capacity", "use 1 to 10000"));
                }
            },
            ..GroupChange::default()
        })
    }
}

/// Fields of `createGroup`.
#[derive(InputObject)]
pub struct CreateGroupInput {
    /// Name (1 to 120 characters).
    pub name: String,
    /// The rest of the group.
    #[graphql(flatten)]
    pub fields: GroupFields,
}

/// Fields of `updateGroup`; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateGroupInput {
    /// The group's global id.
    pub id: ID,
    /// Name (1 to 120 characters).
    pub name: Option<String>,
    /// The rest of the group.
    #[graphql(flatten)]
    pub fields: GroupFields,
    /// Change the group only if its `updatedAt` is still this (optimistic concurrency);
    /// otherwise `CONFLICT` and nothing changes.
    pub expected_updated_at: Option<DateTime<Utc>>,
}

/// Input of `archiveGroup`.
#[derive(InputObject)]
pub struct ArchiveGroupInput {
    /// The group's global id.
    pub id: ID,
}

/// Group mutations: organization keys with the `WRITE` scope.
#[derive(Default)]
pub struct GroupMutation;

#[Object]
impl GroupMutation {
    /// Creates a group in the caller's organization.
    async fn create_group(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "What to do: see `CreateGroupInput`.")] input: CreateGroupInput,
    ) -> async_graphql::Result<Group> {
        let organization_id = crate::policy::staff(viewer(ctx), Scope::Write)?;
        let change = input.fields.into_change(Some(input.name))?;
        let row = db(ctx)?
            .run(move |conn| model::create(conn, organization_id, change))
            .await?;
        Ok(Group(row))
    }

    /// Changes a group of the caller's organization.
    async fn update_group(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "What to do: see `UpdateGroupInput`.")] input: UpdateGroupInput,
    ) -> async_graphql::Result<Group> {
        let organization_id = crate::policy::staff(viewer(ctx), Scope::Write)?;
        let id = decode_id_of(NodeKind::Group, &input.id, "input.id")?;
        let change = input.fields.into_change(input.name)?;
        let expected = input.expected_updated_at;
        let row = db(ctx)?
            .run(move |conn| model::update(conn, organization_id, id, change, expected))
            .await?;
        Ok(Group(row))
    }

    /// Archives a group: it leaves the directory and takes no new members; its history stays.
    async fn archive_group(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "What to do: see `ArchiveGroupInput`.")] input: ArchiveGroupInput,
    ) -> async_graphql::Result<Group> {
        let organization_id = crate::policy::staff(viewer(ctx), Scope::Write)?;
        let id = decode_id_of(NodeKind::Group, &input.id, "input.id")?;
        let change = GroupChange {
            status: Some(GroupStatus::Archived),
            ..GroupChange::default()
        };
        let row = db(ctx)?
            .run(move |conn| model::update(conn, organization_id, id, change, None))
            .await?;
        Ok(Group(row))
    }
}
