//! Demo data for `kinship serve --demo`: an organization to explore the API with.

use crate::api_keys::model::{self as keys, IssuedKey};
use crate::auth::Scope;
use crate::db::DbConnection;
use crate::error::ApiResult;
use crate::organizations::model::{self as organizations, OrganizationRow};

/// Slug of the demo organization.
pub const DEMO_SLUG: &str = "demo";

/// Name of the key each later `serve --demo` issues (the previous one is revoked).
const DEMO_KEY_NAME: &str = "demo (serve --demo)";

/// What `--demo` did: the demo organization and a fresh admin key for it.
#[derive(Debug, Clone)]
pub struct DemoData {
    /// The demo organization.
    pub organization: OrganizationRow,
    /// A new admin key (shown once).
    pub key: IssuedKey,
    /// Whether the demo data was loaded now (false: it was already there).
    pub loaded: bool,
}

/// Loads the demo data into a database that does not have it yet, and issues an admin key
/// for the demo organization either way, so every `serve --demo` prints a working key (and the
/// key printed by the previous start stops working).
pub fn load(conn: &mut DbConnection) -> ApiResult<DemoData> {
    if let Some(organization) = organizations::find_by_slug(conn, DEMO_SLUG)? {
        keys::revoke_named(conn, organization.id, DEMO_KEY_NAME)?;
        keys::revoke_named(conn, organization.id, organizations::FIRST_ADMIN_KEY_NAME)?;
        let key = keys::create(conn, organization.id, DEMO_KEY_NAME, &[Scope::Admin])?;
        return Ok(DemoData {
            organization,
            key,
            loaded: false,
        });
    }
    let (organization, key) =
        organizations::create_with_admin_key(conn, "Demo Recovery Network", DEMO_SLUG)?;
    Ok(DemoData {
        organization,
        key,
        loaded: true,
    })
}
