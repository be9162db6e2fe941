//! Values stored as text: GraphQL enums kept under their GraphQL name in a `TEXT` column
//! ([`stored_enum!`]), and lists kept as `,a,b,` so that `LIKE '%,a,%'` matches one whole entry
//! on both backends.

/// An enum stored as its GraphQL name.
pub trait StoredEnum: Copy + Sized + 'static {
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The stored (and GraphQL) name.
    fn as_str(self) -> &'static str;
    /// The value of a stored name.
    fn from_stored(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }
}

/// Declares a GraphQL enum that diesel reads and writes as its GraphQL name in a `TEXT` column.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }
    ) => {
        $(#[$meta])*
        #[derive(
            async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name { $($(#[$vmeta])* #[graphql(name = $text)] $variant,)+ }

        impl $crate::stored::StoredEnum for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl $crate::db::change::Logged for $name {
            fn logged(&self) -> serde_json::Value {
                serde_json::Value::String($crate::stored::StoredEnum::as_str(*self).to_owned())
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                let text: &'static str = $crate::stored::StoredEnum::as_str(*self);
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(text, out)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                out.set_value($crate::stored::StoredEnum::as_str(*self));
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::db::MultiBackend>,
            ) -> diesel::serialize::Result {
                out.set_value((diesel::sql_types::Text, self));
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                <$name as $crate::stored::StoredEnum>::from_stored(&text)
                    .ok_or_else(|| format!("unknown {} value '{text}'", stringify!($name)).into())
            }
        }
    };
}
pub(crate) use stored_enum;

/// Narrows a boxed `$query` to rows whose `$column` is `LIKE` any of `$patterns` (a
/// `Vec<String>`, e.g. of [`list_pattern`]s); no patterns, no condition.
macro_rules! filter_like_any {
    ($query:ident, $column:expr, $patterns:expr) => {{
        let patterns: Vec<String> = $patterns;
        if let Some((first, rest)) = patterns.split_first() {
            let mut condition: Box<
                dyn diesel::BoxableExpression<
                        _,
                        $crate::db::MultiBackend,
                        SqlType = diesel::sql_types::Bool,
                    >,
            > = Box::new($column.like(first.clone()));
            for pattern in rest {
                condition = Box::new(condition.or($column.like(pattern.clone())));
            }
            $query = $query.filter(condition);
        }
    }};
}
pub(crate) use filter_like_any;

/// Stores a list as `,a,b,` (empty list: `,`).
pub fn encode_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::from(",");
    for item in items {
        out.push_str(item);
        out.push(',');
    }
    out
}

/// Reads a list stored by [`encode_list`].
pub fn decode_list(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Stores a list of enum values, without duplicates, in declaration order.
pub fn encode_enums<E: StoredEnum + PartialEq>(values: &[E]) -> String {
    encode_list(
        E::ALL
            .iter()
            .filter(|v| values.contains(v))
            .map(|v| v.as_str()),
    )
}

/// Reads a list of enum values (unknown names are skipped).
pub fn decode_enums<E: StoredEnum>(stored: &str) -> Vec<E> {
    decode_list(stored)
        .iter()
        .filter_map(|s| E::from_stored(s))
        .collect()
}

diesel::define_sql_function!(
    /// SQL `lower()`, on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// The `LIKE` patterns matching language lists that hold any of `tags` by primary language
/// (`en-US` matches `en` and `en-GB`).
pub fn language_patterns(tags: &[String]) -> Vec<String> {
    tags.iter()
        .flat_map(|tag| {
            let primary = tag.split('-').next().unwrap_or(tag);
            [list_pattern(primary), format!("%,{primary}-%")]
        })
        .collect()
}

/// The `LIKE` pattern that matches lists containing `item`.
pub fn list_pattern(item: &str) -> String {
    format!("%,{item},%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_round_trip() {
        assert_eq!(encode_list(["en", "es"]), ",en,es,");
        assert_eq!(decode_list(",en,es,"), vec!["en", "es"]);
        assert_eq!(decode_list(","), Vec::<String>::new());
        assert!(",en,es,".contains(&list_pattern("es").replace('%', "")));
    }
}
