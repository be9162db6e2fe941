//! The tables, written by hand so that both backends share one definition (diesel's
//! `print-schema` would emit different column types per backend). Keep in step with
//! `migrations/postgres` and `migrations/sqlite`; a test compares the three.

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Tenants: clinics, platforms, intergroups.
    organizations (id) {
        id -> UuidSql,
        name -> Text,
        slug -> Text,
        created_at -> TsSql,
        updated_at -> TsSql,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{UuidSql, TsSql};

    /// Server-to-server credentials of an organization, stored as SHA-256 hashes.
    api_keys (id) {
        id -> UuidSql,
        organization_id -> UuidSql,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        scopes -> Text,
        created_at -> TsSql,
        last_used_at -> Nullable<TsSql>,
        revoked_at -> Nullable<TsSql>,
    }
}

diesel::joinable!(api_keys -> organizations (organization_id));
diesel::allow_tables_to_appear_in_same_query!(organizations, api_keys);
