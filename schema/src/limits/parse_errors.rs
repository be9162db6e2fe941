//! Input values that fail to parse as a date or an instant say which argument and what form is
//! expected. async-graphql answers `Failed to parse "DateTime": premature end of input`, which
//! names neither; the argument is found by the error's location in the document.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Pos, Response, ServerError};

/// The form each date scalar takes, as the error says it.
const FORMS: &[(&str, &str)] = &[
    (
        "DateTime",
        "give an instant in RFC 3339 with its offset, such as 2026-12-04T18:30:00Z or 2026-12-04T13:30:00-05:00",
    ),
    ("NaiveDate", "give a day as YYYY-MM-DD, such as 2026-12-04"),
];

/// Rewrites each date parse error of `response` to name its argument (in `extensions.field`
/// too) and the form expected, keeping the parser's detail.
pub(super) fn explain(document: &ExecutableDocument, response: &mut Response) {
    for error in &mut response.errors {
        explain_one(document, error);
    }
}

fn explain_one(document: &ExecutableDocument, error: &mut ServerError) {
    let (scalar, detail) = if let Some(rest) = error.message.strip_prefix("Failed to parse \"") {
        match rest.split_once("\": ") {
            Some(parts) => parts,
            None => return,
        }
    } else if let Some(rest) = error.message.strip_prefix("Expected input type \"") {
        match rest.split_once("\", ") {
            Some(parts) => parts,
            None => return,
        }
    } else {
        return;
    };
    let Some((_, form)) = FORMS.iter().find(|(name, _)| *name == scalar) else {
        return;
    };
    let argument = error
        .locations
        .first()
        .and_then(|at| argument_at(document, *at));
    let detail = detail.to_owned();
    error.message = match &argument {
        Some(name) => format!("{name}: {form} (it read: {detail})"),
        None => format!("{form} (it read: {detail})"),
    };
    if let Some(name) = argument {
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("field", name);
    }
}

/// The name of the argument whose value stands at `at`, in any operation or fragment.
fn argument_at(document: &ExecutableDocument, at: Pos) -> Option<String> {
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

fn in_set(set: &SelectionSet, at: Pos) -> Option<String> {
    for item in &set.items {
        let found = match &item.node {
            Selection::Field(field) => field
                .node
                .arguments
                .iter()
                .find(|(_, value)| value.pos == at)
                .map(|(name, _)| name.node.to_string())
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
