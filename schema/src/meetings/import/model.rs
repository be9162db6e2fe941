//! Import provenance rows (`meeting_imports`) and the SQL of a sync.

use crate::db::tables::{meeting_imports, meetings};
use crate::db::{DbConnection, Id, Ts};
use crate::error::ApiResult;
use crate::meetings::model::MeetingRow;
use diesel::prelude::*;

/// Where an imported meeting came from.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = meeting_imports)]
pub struct ImportRow {
    /// The meeting.
    pub meeting_id: Id,
    /// Its organization.
    pub organization_id: Id,
    /// The feed's label.
    pub source: String,
    /// The meeting's slug in that feed.
    pub source_slug: String,
    /// A hash of what was imported.
    pub content_hash: String,
    /// When it was last written from the feed.
    pub imported_at: Ts,
}

/// The meetings a feed imported into an organization before, with their provenance.
pub fn previous(
    conn: &mut DbConnection,
    organization_id: Id,
    source: &str,
) -> ApiResult<Vec<(ImportRow, MeetingRow)>> {
    Ok(meeting_imports::table
        .inner_join(meetings::table.on(meetings::id.eq(meeting_imports::meeting_id)))
        .filter(meeting_imports::organization_id.eq(organization_id))
        .filter(meeting_imports::source.eq(source))
        .select((ImportRow::as_select(), MeetingRow::as_select()))
        .load(conn)?)
}

/// Records where a new meeting came from.
pub fn record(conn: &mut DbConnection, row: &ImportRow) -> ApiResult<()> {
    diesel::insert_into(meeting_imports::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Records that a meeting was written again from its feed, with the hash of what was written.
pub fn rehash(conn: &mut DbConnection, meeting_id: Id, content_hash: &str) -> ApiResult<()> {
    diesel::update(meeting_imports::table.find(meeting_id))
        .set((
            meeting_imports::content_hash.eq(content_hash),
            meeting_imports::imported_at.eq(Ts::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Makes concurrent imports of one feed into one organization wait for each other, inside the
/// caller's write transaction (SQLite's `BEGIN IMMEDIATE` already does): the second then finds
/// the first one's meetings unchanged.
pub fn serialize(conn: &mut DbConnection, organization_id: Id, source: &str) -> ApiResult<()> {
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<diesel::sql_types::Text, _>(format!(
                "meeting import {organization_id} {source}"
            ))
            .execute(pg)?;
    }
    Ok(())
}
