//! Column types shared by every table: [`Id`] (UUID) and [`Ts`] (UTC timestamp), stored natively
//! on PostgreSQL (`uuid`, `timestamptz`) and as a 16-byte BLOB and fixed-width RFC 3339 TEXT on
//! SQLite, so that both sort the same way.

use super::connection::MultiBackend;
use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use diesel::backend::Backend as DieselBackend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::query_builder::QueryId;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{HasSqlType, SqlType};
use diesel::sqlite::Sqlite;
use std::io::Write;

/// SQL type of UUID columns: `uuid` on PostgreSQL, `BLOB` on SQLite.
#[derive(Debug, Clone, Copy, Default, SqlType, QueryId)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Binary"))]
pub struct UuidSql;

/// SQL type of timestamp columns: `timestamptz` on PostgreSQL, `TEXT` on SQLite.
#[derive(Debug, Clone, Copy, Default, SqlType, QueryId)]
#[diesel(postgres_type(oid = 1184, array_oid = 1185))]
#[diesel(sqlite_type(name = "Text"))]
pub struct TsSql;

/// A primary or foreign key. New ids are UUIDv7, so they sort by creation time.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    AsExpression,
    FromSqlRow,
    serde::Serialize,
    serde::Deserialize,
)]
#[diesel(sql_type = UuidSql)]
#[serde(transparent)]
pub struct Id(pub uuid::Uuid);

impl Id {
    /// A new time-ordered id.
    pub fn new() -> Id {
        Id(uuid::Uuid::now_v7())
    }
}

impl Default for Id {
    fn default() -> Self {
        Id::new()
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// An instant in UTC, truncated to microseconds so that it round-trips equal on both databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, AsExpression, FromSqlRow)]
#[diesel(sql_type = TsSql)]
pub struct Ts(pub DateTime<Utc>);

impl Ts {
    /// The current instant.
    pub fn now() -> Ts {
        Ts::from(Utc::now())
    }

    /// When a change to a row last changed at `previous` happens: now, or a microsecond after
    /// `previous` if the clock has not passed it, so that every change gives a later
    /// `updatedAt` (clients pass it back to detect changes: see `expect_unchanged`).
    pub fn changed_after(previous: Ts) -> Ts {
        let now = Ts::now();
        if now.0 > previous.0 {
            now
        } else {
            Ts(previous.0 + chrono::Duration::microseconds(1))
        }
    }
}

impl From<DateTime<Utc>> for Ts {
    fn from(value: DateTime<Utc>) -> Ts {
        let micros = value.nanosecond() / 1_000 * 1_000;
        Ts(value.with_nanosecond(micros).unwrap_or(value))
    }
}

/// Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01).
const PG_EPOCH_OFFSET_MICROS: i64 = 946_684_800_000_000;

impl ToSql<UuidSql, Pg> for Id {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(self.0.as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<UuidSql, Pg> for Id {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        Ok(Id(uuid::Uuid::from_slice(value.as_bytes())?))
    }
}

impl ToSql<UuidSql, Sqlite> for Id {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.as_bytes().as_slice());
        Ok(IsNull::No)
    }
}

impl FromSql<UuidSql, Sqlite> for Id {
    fn from_sql(value: <Sqlite as DieselBackend>::RawValue<'_>) -> deserialize::Result<Self> {
        let bytes = <Vec<u8> as FromSql<diesel::sql_types::Binary, Sqlite>>::from_sql(value)?;
        Ok(Id(uuid::Uuid::from_slice(&bytes)?))
    }
}

impl ToSql<TsSql, Pg> for Ts {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        let micros = self.0.timestamp_micros() - PG_EPOCH_OFFSET_MICROS;
        out.write_all(&micros.to_be_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<TsSql, Pg> for Ts {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let bytes: [u8; 8] = value
            .as_bytes()
            .try_into()
            .map_err(|_| "timestamptz value is not 8 bytes")?;
        let micros = i64::from_be_bytes(bytes) + PG_EPOCH_OFFSET_MICROS;
        DateTime::from_timestamp_micros(micros)
            .map(Ts)
            .ok_or_else(|| "timestamptz value out of range".into())
    }
}

impl ToSql<TsSql, Sqlite> for Ts {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.to_rfc3339_opts(SecondsFormat::Micros, true));
        Ok(IsNull::No)
    }
}

impl FromSql<TsSql, Sqlite> for Ts {
    fn from_sql(value: <Sqlite as DieselBackend>::RawValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<diesel::sql_types::Text, Sqlite>>::from_sql(value)?;
        Ok(Ts(DateTime::parse_from_rfc3339(&text)?.with_timezone(&Utc)))
    }
}

/// Wires a custom SQL type into the `MultiBackend` generated for [`super::DbConnection`].
macro_rules! multi_backend_type {
    ($sql:ident, $rust:ty) => {
        impl HasSqlType<$sql> for MultiBackend {
            fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
                MultiBackend::lookup_sql_type::<$sql>(lookup)
            }
        }

        impl FromSql<$sql, MultiBackend> for $rust {
            fn from_sql(
                bytes: <MultiBackend as DieselBackend>::RawValue<'_>,
            ) -> deserialize::Result<Self> {
                bytes.from_sql::<$rust, $sql>()
            }
        }

        impl ToSql<$sql, MultiBackend> for $rust {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value(($sql, self));
                Ok(IsNull::No)
            }
        }
    };
}

multi_backend_type!(UuidSql, Id);
multi_backend_type!(TsSql, Ts);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_truncated_to_microseconds() {
        let t = DateTime::parse_from_rfc3339("2026-03-08T06:59:59.123456789Z")
            .map(|t| t.with_timezone(&Utc));
        let ts = Ts::from(t.expect("valid"));
        assert_eq!(ts.0.nanosecond(), 123_456_000);
    }

    #[test]
    fn new_ids_sort_by_creation() {
        let a = Id::new();
        let b = Id::new();
        assert!(a < b);
    }
}
