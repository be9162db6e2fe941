//! API key rows: generation, hashing, lookup and revocation.

use crate::auth::Scope;
use crate::db::tables::api_keys;
use crate::db::{DbConnection, Id, Ts, write_transaction};
use crate::error::{ApiError, ApiResult};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::prelude::*;
use rand::RngCore as _;
use sha2::{Digest, Sha256};

/// Every secret starts with this, so leaked keys are easy to recognise and scan for.
pub const SECRET_PREFIX: &str = "kinship_";

/// How stale `last_used_at` may get before a use writes it again (saves a write per request).
const LAST_USED_RESOLUTION_SECS: i64 = 60;

/// A stored API key (never the secret itself: only its SHA-256).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    /// Row id.
    pub id: Id,
    /// The organization the key acts for.
    pub organization_id: Id,
    /// A label chosen by whoever created it.
    pub name: String,
    /// The first characters of the secret, to recognise it in listings.
    pub prefix: String,
    /// Hex SHA-256 of the secret.
    pub key_hash: String,
    /// Comma-separated scopes (`admin,read`).
    pub scopes: String,
    /// When it was created.
    pub created_at: Ts,
    /// When it was last used (to the minute).
    pub last_used_at: Option<Ts>,
    /// When it was revoked; a revoked key authenticates nothing.
    pub revoked_at: Option<Ts>,
}

impl ApiKeyRow {
    /// The key's scopes (none if the stored list is unreadable).
    pub fn scope_list(&self) -> Vec<Scope> {
        Scope::parse_list(&self.scopes).unwrap_or_default()
    }
}

/// A key just created: the row and the secret, which is shown this once and never stored.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    /// The stored row.
    pub row: ApiKeyRow,
    /// The bearer token.
    pub secret: String,
}

fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates a key with 256 random bits for an organization.
pub fn create(
    conn: &mut DbConnection,
    organization_id: Id,
    name: &str,
    scopes: &[Scope],
) -> ApiResult<IssuedKey> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    create_with_secret(conn, organization_id, name, scopes, secret)
}

/// Creates a key whose secret the operator chose (`KINSHIP_DEMO_KEY`): `kinship_` and at least
/// 32 more characters.
pub fn create_with_secret(
    conn: &mut DbConnection,
    organization_id: Id,
    name: &str,
    scopes: &[Scope],
    secret: String,
) -> ApiResult<IssuedKey> {
    if !is_chosen_secret(&secret) {
        return Err(ApiError::bad_input(
            "secret",
            format!("use {SECRET_PREFIX} and at least 32 more characters"),
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_input("name", "use 1 to 100 characters"));
    }
    if scopes.is_empty() {
        return Err(ApiError::bad_input("scopes", "give at least one scope"));
    }
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    let row = ApiKeyRow {
        id: Id::new(),
        organization_id,
        name: name.to_owned(),
        prefix: secret[..SECRET_PREFIX.len() + 4].to_owned(),
        key_hash: hash_secret(&secret),
        scopes: Scope::join(&sorted),
        created_at: Ts::now(),
        last_used_at: None,
        revoked_at: None,
    };
    diesel::insert_into(api_keys::table)
        .values(&row)
        .execute(conn)?;
    Ok(IssuedKey { row, secret })
}

/// Whether a secret an operator chose may be a key's: `kinship_` and at least 32 more
/// characters, none of them blank.
pub fn is_chosen_secret(secret: &str) -> bool {
    secret
        .strip_prefix(SECRET_PREFIX)
        .is_some_and(|rest| rest.chars().count() >= 32 && !rest.chars().any(char::is_whitespace))
}

/// The unrevoked key whose secret this is.
pub fn find_active_by_secret(
    conn: &mut DbConnection,
    secret: &str,
) -> ApiResult<Option<ApiKeyRow>> {
    if !secret.starts_with(SECRET_PREFIX) {
        return Ok(None);
    }
    Ok(api_keys::table
        .filter(api_keys::key_hash.eq(hash_secret(secret)))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records that a key was used, at most once a minute per key. Best effort: when storage
/// takes no writes (a full disk, a read-only standby), the key still reads.
pub fn record_use(conn: &mut DbConnection, key: &ApiKeyRow) -> ApiResult<()> {
    let now = Ts::now();
    let fresh = key
        .last_used_at
        .is_some_and(|t| (now.0 - t.0).num_seconds() < LAST_USED_RESOLUTION_SECS);
    if !fresh {
        let written: ApiResult<usize> = diesel::update(api_keys::table.find(key.id))
            .set(api_keys::last_used_at.eq(Some(now)))
            .execute(conn)
            .map_err(ApiError::from);
        match written {
            Err(e) if e.code() == "UNAVAILABLE" => {
                tracing::warn!(
                    code = e.code(),
                    "key use not recorded: storage takes no writes"
                );
            }
            other => {
                other?;
            }
        }
    }
    Ok(())
}

/// Revokes a key of `organization_id`; revoking twice keeps the first time.
pub fn revoke(conn: &mut DbConnection, organization_id: Id, id: Id) -> ApiResult<ApiKeyRow> {
    write_transaction(conn, |conn| {
        diesel::update(
            api_keys::table
                .find(id)
                .filter(api_keys::organization_id.eq(organization_id))
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(Some(Ts::now())))
        .execute(conn)?;
        api_keys::table
            .find(id)
            .filter(api_keys::organization_id.eq(organization_id))
            .select(ApiKeyRow::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| ApiError::NotFound("no such API key in this organization".into()))
    })
}

/// Revokes every active key of an organization with this name.
pub fn revoke_named(conn: &mut DbConnection, organization_id: Id, name: &str) -> ApiResult<usize> {
    Ok(diesel::update(
        api_keys::table
            .filter(api_keys::organization_id.eq(organization_id))
            .filter(api_keys::name.eq(name))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(Some(Ts::now())))
    .execute(conn)?)
}

/// Revokes a key by id in any organization (operator CLI).
pub fn revoke_any(conn: &mut DbConnection, id: Id) -> ApiResult<ApiKeyRow> {
    let organization_id = api_keys::table
        .find(id)
        .select(api_keys::organization_id)
        .first::<Id>(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("no API key with id {id}")))?;
    revoke(conn, organization_id, id)
}

/// A page of an organization's keys in creation order, after `after`.
pub fn list(
    conn: &mut DbConnection,
    organization_id: Id,
    after: Option<Id>,
    limit: i64,
) -> ApiResult<Vec<ApiKeyRow>> {
    let mut query = api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .select(ApiKeyRow::as_select())
        .order(api_keys::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(api_keys::id.gt(after));
    }
    Ok(query.load(conn)?)
}

/// How many keys an organization has.
pub fn count(conn: &mut DbConnection, organization_id: Id) -> ApiResult<i64> {
    Ok(api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .count()
        .get_result(conn)?)
}

/// The keys with these ids.
pub fn find_many(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<ApiKeyRow>> {
    Ok(api_keys::table
        .filter(api_keys::id.eq_any(ids))
        .select(ApiKeyRow::as_select())
        .load(conn)?)
}
