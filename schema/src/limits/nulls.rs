//! Null propagation as the GraphQL spec says it: a field that failed answers `null` if its
//! type is nullable; if it is non-null, the `null` moves up to the nearest nullable position
//! that holds it (and to `data` itself when there is none). async-graphql 7 leaves a failed
//! field out of `data` instead, and typed clients (Apollo Kotlin, Relay, graphql-codegen) break
//! on a `null` the SDL says cannot be there. Each error's path is walked through the schema's
//! types ([`super::Preflight::settle`]).

use super::catalog::{Catalog, TypeRef, Wrapper};
use super::selected_operation;
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Name, PathSegment, Response, Value};

/// Puts each failed field's `null` where the spec says (see the module), for a response to
/// `document` (its operation named `operation_name`, if it has several).
pub(super) fn propagate(
    catalog: &Catalog,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    response: &mut Response,
) {
    let Some(operation) = selected_operation(document, operation_name) else {
        return;
    };
    let root = match operation.ty {
        OperationType::Mutation => &catalog.mutation,
        _ => &catalog.query,
    };
    let mut targets: Vec<&[PathSegment]> = Vec::new();
    for error in &response.errors {
        if error.path.is_empty() {
            continue;
        }
        let selection = &operation.selection_set.node;
        match nullable_prefix(catalog, document, selection, root, &error.path) {
            Some(len) => targets.push(&error.path[..len]),
            None => {
                response.data = Value::Null;
                return;
            }
        }
    }
    // A position inside one already nulled stays inside that null (checked by each prefix's
    // key, so that many errors cost their number, not its square).
    targets.sort_by_key(|t| t.len());
    let mut nulled: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut kept: Vec<&[PathSegment]> = Vec::new();
    for target in targets {
        let inside = (1..=target.len()).any(|len| nulled.contains(&key_of(&target[..len])));
        if !inside && nulled.insert(key_of(target)) {
            kept.push(target);
        }
    }
    for target in kept {
        set_null(&mut response.data, target);
    }
}

/// A path as text, to tell positions apart.
fn key_of(path: &[PathSegment]) -> String {
    let mut key = String::new();
    for segment in path {
        match segment {
            PathSegment::Field(name) => key.push_str(name),
            PathSegment::Index(i) => key.push_str(&i.to_string()),
        }
        key.push('\u{0}');
    }
    key
}

/// The length of the longest prefix of `path` that ends at a nullable position (`None`: none
/// does, so `data` becomes `null`). Where the walk cannot type a position (`__typename`, a
/// document that no longer validates), it stops there and takes the nearest nullable position
/// it typed (the failed field's own, when it typed none).
fn nullable_prefix(
    catalog: &Catalog,
    document: &ExecutableDocument,
    selection: &SelectionSet,
    root: &str,
    path: &[PathSegment],
) -> Option<usize> {
    let mut non_null: Vec<bool> = Vec::with_capacity(path.len());
    let mut current: Option<(Vec<&SelectionSet>, TypeRef)> = None;
    for segment in path {
        let next = match (segment, &current) {
            (PathSegment::Field(key), None) => field_at(catalog, document, &[selection], root, key),
            (PathSegment::Field(key), Some((sets, ty))) => {
                field_at(catalog, document, sets, ty.named(), key)
            }
            (PathSegment::Index(_), Some((sets, ty))) => {
                list_item(ty).map(|item| (item, sets.clone()))
            }
            (PathSegment::Index(_), None) => None,
        };
        let Some((ty, sets)) = next else {
            break;
        };
        non_null.push(ty.0.ends_with('!'));
        current = Some((sets, ty));
    }
    if non_null.is_empty() {
        return Some(path.len());
    }
    (1..=non_null.len()).rev().find(|&len| !non_null[len - 1])
}

/// The item type of a list type (`[Meeting!]!` gives `Meeting!`).
fn list_item(ty: &TypeRef) -> Option<TypeRef> {
    let mut ty = ty.clone();
    if let (Wrapper::NonNull, inner) = ty.unwrap_once() {
        ty = inner;
    }
    match ty.unwrap_once() {
        (Wrapper::List, inner) => Some(inner),
        _ => None,
    }
}

/// The type of the field selected under response key `key` in `sets` (fragments included)
/// on `parent_type`, with every selection set selected under that key: the spec merges them.
/// When the selections disagree on nullability the position counts as non-null.
fn field_at<'a>(
    catalog: &Catalog,
    document: &'a ExecutableDocument,
    sets: &[&'a SelectionSet],
    parent_type: &str,
    key: &str,
) -> Option<(TypeRef, Vec<&'a SelectionSet>)> {
    let mut found: Vec<(TypeRef, &'a SelectionSet)> = Vec::new();
    for set in sets {
        collect(catalog, document, set, parent_type, key, &mut found);
    }
    let (first, _) = found.first()?;
    let ty = match found.iter().any(|(t, _)| t.0.ends_with('!')) {
        true if !first.0.ends_with('!') => TypeRef(format!("{}!", first.0)),
        _ => first.clone(),
    };
    Some((ty, found.into_iter().map(|(_, set)| set).collect()))
}

/// Adds to `found` each field of `set` (through fragments) under response key `key`.
fn collect<'a>(
    catalog: &Catalog,
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    parent_type: &str,
    key: &str,
    found: &mut Vec<(TypeRef, &'a SelectionSet)>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) if field.node.response_key().node.as_str() == key => {
                let name = field.node.name.node.as_str();
                if let Some(shape) = catalog.field(parent_type, name) {
                    found.push((shape.ty.clone(), &field.node.selection_set.node));
                }
            }
            Selection::Field(_) => {}
            Selection::InlineFragment(inline) => {
                let on = inline
                    .node
                    .type_condition
                    .as_ref()
                    .map_or(parent_type, |c| c.node.on.node.as_str());
                collect(
                    catalog,
                    document,
                    &inline.node.selection_set.node,
                    on,
                    key,
                    found,
                );
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    let on = fragment.node.type_condition.node.on.node.as_str();
                    collect(
                        catalog,
                        document,
                        &fragment.node.selection_set.node,
                        on,
                        key,
                        found,
                    );
                }
            }
        }
    }
}

/// Sets `null` at `path` in `data`, creating on the way the objects async-graphql left out
/// because every field selected on them failed.
fn set_null(data: &mut Value, path: &[PathSegment]) {
    let Some((last, parents)) = path.split_last() else {
        *data = Value::Null;
        return;
    };
    let mut node = data;
    for segment in parents {
        node = match segment {
            PathSegment::Field(key) => {
                if *node == Value::Null {
                    *node = Value::Object(Default::default());
                }
                let Value::Object(map) = node else {
                    return;
                };
                map.entry(Name::new(key)).or_insert(Value::Null)
            }
            PathSegment::Index(i) => match node {
                Value::List(items) => match items.get_mut(*i) {
                    Some(item) => item,
                    None => return,
                },
                // A list already nulled by another error's propagation.
                _ => return,
            },
        };
    }
    match last {
        PathSegment::Field(key) => {
            if *node == Value::Null {
                *node = Value::Object(Default::default());
            }
            if let Value::Object(map) = node {
                map.insert(Name::new(key), Value::Null);
            }
        }
        PathSegment::Index(i) => {
            if let Value::List(items) = node
                && let Some(item) = items.get_mut(*i)
            {
                *item = Value::Null;
            }
        }
    }
}
