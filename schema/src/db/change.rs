//! Typed changes: one value per domain that says which columns of a row change, from which the
//! UPDATE, the row it leads to and the change log are all derived.
//!
//! [`typed_change!`] takes the list of a table's changeable columns once and declares a struct
//! of `Option` fields (`None`: unchanged; for a nullable column `Some(None)` clears it). Diesel's
//! `AsChangeset` derive writes the UPDATE from it, and works with the two-backend
//! [`DbConnection`](super::DbConnection) as it is: the generated `SET` clause only binds values,
//! whose types already serialize for both backends.

use chrono::NaiveDate;
use serde_json::Value;

/// A column value as the change log records it: text for stored enums, JSON otherwise.
pub trait Logged {
    /// The value in the change log.
    fn logged(&self) -> Value;
}

macro_rules! logged_as_json {
    ($($ty:ty),*) => {$(
        impl Logged for $ty {
            fn logged(&self) -> Value {
                serde_json::json!(self)
            }
        }
    )*};
}

logged_as_json!(String, i32, f64, bool, NaiveDate, super::Id);

impl Logged for super::Ts {
    fn logged(&self) -> Value {
        serde_json::json!(self.0)
    }
}

impl<T: Logged> Logged for Option<T> {
    fn logged(&self) -> Value {
        self.as_ref().map_or(Value::Null, Logged::logged)
    }
}

/// Declares the typed change of a table: `$name` with one `Option` field per listed column
/// (plus `updated_at`), and
/// - `apply`: the row the change leads to, from the row as it stands;
/// - `between`: the change from one version of a row to another (the columns that differ);
/// - `is_empty`: whether it changes anything;
/// - `logged`: the changed columns with their new values, for a change log.
///
/// The UPDATE is `diesel::update(table.find(id)).set(&change)`.
macro_rules! typed_change {
    (
        $(#[$meta:meta])*
        pub struct $name:ident for $row:ident in $table:ident {
            $($(#[$fmeta:meta])* $field:ident: $ty:ty),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, diesel::AsChangeset)]
        #[diesel(table_name = $crate::db::tables::$table)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                #[doc = concat!("The new `", stringify!($field), "`, if it changes.")]
                pub $field: Option<$ty>,
            )+
            /// When the row last changed: set by the write, never by the caller.
            pub updated_at: Option<$crate::db::Ts>,
        }

        impl $name {
            /// The row this change leads to, from `row` as it stands.
            pub fn apply(&self, row: &mut $row) {
                $(if let Some(value) = &self.$field {
                    row.$field = value.clone();
                })+
                if let Some(at) = self.updated_at {
                    row.updated_at = at;
                }
            }

            /// The change that turns `before` into `after`: the columns that differ.
            pub fn between(before: &$row, after: &$row) -> $name {
                $name {
                    $($field: (before.$field != after.$field).then(|| after.$field.clone()),)+
                    updated_at: None,
                }
            }

            /// Whether the change leaves every column as it is (`updated_at` aside).
            pub fn is_empty(&self) -> bool {
                true $(&& self.$field.is_none())+
            }

            /// The changed columns with their new values, for a change log.
            pub fn logged(&self) -> serde_json::Value {
                let mut changed = serde_json::Map::new();
                $(if let Some(value) = &self.$field {
                    changed.insert(
                        stringify!($field).to_owned(),
                        $crate::db::change::Logged::logged(value),
                    );
                })+
                serde_json::Value::Object(changed)
            }
        }
    };
}
pub(crate) use typed_change;
