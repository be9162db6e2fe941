//! Organization rows and their queries.

use crate::api_keys::model::{self as keys, IssuedKey};
use crate::auth::Scope;
use crate::db::tables::organizations;
use crate::db::{DbConnection, Id, Ts, write_transaction};
use crate::error::{ApiError, ApiResult};
use diesel::prelude::*;

/// A tenant: a clinic, a platform or an intergroup.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    /// Row id.
    pub id: Id,
    /// Display name.
    pub name: String,
    /// Unique, URL-safe handle used in feed URLs and the CLI.
    pub slug: String,
    /// When it was created.
    pub created_at: Ts,
    /// When it last changed.
    pub updated_at: Ts,
}

/// Name of the admin key every organization starts with.
pub const FIRST_ADMIN_KEY_NAME: &str = "admin (created with the organization)";

/// Checks a slug: 2 to 63 characters of `a-z`, `0-9` and inner hyphens.
pub fn validate_slug(slug: &str) -> ApiResult<()> {
    let ok = (2..=63).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_input(
            "slug",
            "use 2 to 63 characters: lowercase letters, digits and inner hyphens",
        ))
    }
}

/// Checks a display name: 1 to 200 characters after trimming.
pub fn validate_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::bad_input("name", "use 1 to 200 characters"));
    }
    Ok(name.to_owned())
}

/// Creates an organization and its first admin API key, in one transaction.
pub fn create_with_admin_key(
    conn: &mut DbConnection,
    name: &str,
    slug: &str,
) -> ApiResult<(OrganizationRow, IssuedKey)> {
    let name = validate_name(name)?;
    validate_slug(slug)?;
    write_transaction(conn, |conn| {
        if find_by_slug(conn, slug)?.is_some() {
            return Err(ApiError::Conflict(format!(
                "the slug '{slug}' is already taken"
            )));
        }
        let now = Ts::now();
        let row = OrganizationRow {
            id: Id::new(),
            name,
            slug: slug.to_owned(),
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(organizations::table)
            .values(&row)
            .execute(conn)?;
        let key = keys::create(conn, row.id, FIRST_ADMIN_KEY_NAME, &[Scope::Admin])?;
        Ok((row, key))
    })
}

/// The organization with this slug (none for text that cannot be a slug, which never reaches
/// the database).
pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> ApiResult<Option<OrganizationRow>> {
    if validate_slug(slug).is_err() {
        return Ok(None);
    }
    Ok(organizations::table
        .filter(organizations::slug.eq(slug))
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?)
}

/// The organizations with these ids (any order; missing ids are skipped).
pub fn find_many(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<OrganizationRow>> {
    Ok(organizations::table
        .filter(organizations::id.eq_any(ids))
        .select(OrganizationRow::as_select())
        .load(conn)?)
}
