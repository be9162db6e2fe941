//! Input values that fail to parse as a date or an instant say which argument and what form is
//! expected. async-graphql answers `Failed to parse "DateTime": premature end of input`, which
//! names neither; the argument is found by the error's location in the document.

use super::catalog::{Catalog, TypeRef, TypeShape};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Pos, Response, ServerError, Value};

/// The form each date scalar takes, as the error says it.
const FORMS: &[(&str, &str)] = &[
    (
        "DateTime",
        "give an instant in RFC 3339 with its offset, such as 2026-12-04T18:30:00Z or 2026-12-04T13:30:00-05:00",
    ),
    ("NaiveDate", "give a day as YYYY-MM-DD, such as 2026-12-04"),
];

/// Rewrites each date parse error of `response` to name its argument (in `extensions.field`
/// too: `from`, or `input.newStart` for a date inside an input object written in the document)
/// and the form expected, keeping the parser's detail.
pub(super) fn explain(catalog: &Catalog, document: &ExecutableDocument, response: &mut Response) {
    for error in &mut response.errors {
        explain_one(catalog, document, error);
    }
}

fn explain_one(catalog: &Catalog, document: &ExecutableDocument, error: &mut ServerError) {
    let Some((scalar, form)) = FORMS.iter().find(|(name, _)| {
        error.message.contains(&format!("input type \"{name}\""))
            || error.message.contains(&format!("parse \"{name}\""))
    }) else {
        return;
    };
    let Some(at) = error.locations.first().copied() else {
        return;
    };
    let Some(found) = argument_at(document, at) else {
        return;
    };
    let field = catalog
        .field(&catalog.mutation, &found.field)
        .or_else(|| catalog.field(&catalog.query, &found.field))
        .and_then(|shape| shape.args.get(&found.argument));
    let name = match field {
        Some(arg) if arg.ty.named() != *scalar => {
            match found
                .value
                .as_ref()
                .and_then(|value| bad_leaf(catalog, &arg.ty, value, scalar))
            {
                Some(leaf) => format!("{}.{leaf}", found.argument),
                None => found.argument.clone(),
            }
        }
        _ => found.argument.clone(),
    };
    let detail = error
        .message
        .rsplit_once(": ")
        .map_or(error.message.as_str(), |(_, d)| d)
        .split(" (occurred while parsing")
        .next()
        .unwrap_or_default()
        .to_owned();
    error.message = format!("{name}: {form} (it read: {detail})");
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("field", name);
}

/// The path, inside a literal input object of type `ty`, of the first field of type `scalar`
/// whose value does not parse as one.
fn bad_leaf(catalog: &Catalog, ty: &TypeRef, value: &Value, scalar: &str) -> Option<String> {
    let TypeShape::Input(fields) = catalog.types.get(ty.named())? else {
        return None;
    };
    let Value::Object(object) = value else {
        return None;
    };
    for (key, value) in object {
        let Some(shape) = fields.get(key.as_str()) else {
            continue;
        };
        if shape.ty.named() == scalar {
            if !parses_as(scalar, value) {
                return Some(key.to_string());
            }
        } else if let Some(inner) = bad_leaf(catalog, &shape.ty, value, scalar) {
            return Some(format!("{key}.{inner}"));
        }
    }
    None
}

/// Whether a literal value parses as the date scalar `scalar`.
fn parses_as(scalar: &str, value: &Value) -> bool {
    match (scalar, value) {
        ("DateTime", Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        ("NaiveDate", Value::String(s)) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        (_, Value::Null) => true,
        _ => false,
    }
}

/// An argument of a field in the document: the field's name, the argument's, and its value
/// as written (its variables as null).
struct FoundArgument {
    field: String,
    argument: String,
    value: Option<Value>,
}

/// The argument whose value stands at `at`, in any operation or fragment.
fn argument_at(document: &ExecutableDocument, at: Pos) -> Option<FoundArgument> {
    let sets = document
        .operations
        .iter()
        .map(|(_, op)| &op.node.selection_set.node)
        .chain(
            document
                .fragments
                .values()
                .map(|f| &f.node.selection_set.node),
        );
    for set in sets {
        if let Some(found) = in_set(set, at) {
            return Some(found);
        }
    }
    None
}

fn in_set(set: &SelectionSet, at: Pos) -> Option<FoundArgument> {
    for item in &set.items {
        let found = match &item.node {
            Selection::Field(field) => field
                .node
                .arguments
                .iter()
                .find(|(_, value)| value.pos == at)
                .map(|(name, value)| FoundArgument {
                    field: field.node.name.node.to_string(),
                    argument: name.node.to_string(),
                    // Variables read as null: only what is written out is checked.
                    value: value
                        .node
                        .clone()
                        .into_const_with(|_| Ok::<_, std::convert::Infallible>(Value::Null))
                        .ok(),
                })
                .or_else(|| in_set(&field.node.selection_set.node, at)),
            Selection::InlineFragment(inline) => in_set(&inline.node.selection_set.node, at),
            Selection::FragmentSpread(_) => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}
