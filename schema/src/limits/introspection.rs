//! Introspection, counted exactly: `__schema` and `__type` answer from the schema itself, so
//! the number of values an introspection query produces is known before it runs, by walking
//! the query over the schema's real types. Tools' standard introspection query costs what it
//! returns, while `types { fields { type { fields ... } } }` nested as deep as the depth limit
//! allows (hundreds of millions of values) is refused. The walk stops as soon as it passes the
//! limit, so counting costs no more than the allowed answer.

use super::catalog::{FieldShape, InputShape, TypeRef, TypeShape, Wrapper};
use super::cost::Counter;
use async_graphql::Value as ConstValue;
use async_graphql::parser::types::{Field, Selection, SelectionSet};

/// The directives every schema has (`deprecated`, `include`, `oneOf`, `skip`, `specifiedBy`),
/// with the types of their arguments.
const DIRECTIVES: &[&[&str]] = &[&["String"], &["Boolean!"], &[], &["Boolean!"], &["String!"]];

/// What a selection is made on.
#[derive(Clone)]
enum On<'c> {
    Schema,
    Type(TypeRef),
    Field(&'c FieldShape),
    Input(&'c InputShape),
    EnumValue,
    Directive(&'static [&'static str]),
    DirectiveArgument(&'static str),
}

/// How many values `__schema { ... }` or `__type(name:) { ... }` produces; at most one past
/// `counter.introspection_cap`.
pub(crate) fn count<'a>(counter: &Counter<'a>, field: &'a Field) -> usize {
    let mut walk = Walk {
        counter,
        total: 1,
        cap: counter.introspection_cap,
    };
    match field.name.node.as_str() {
        "__schema" => walk.set(&field.selection_set.node, On::Schema),
        _ => {
            if let ConstValue::String(name) = counter.inputs.argument(field, "name", None)
                && counter.catalog.types.contains_key(&name)
            {
                walk.set(&field.selection_set.node, On::Type(TypeRef(name)));
            }
        }
    }
    walk.total
}

struct Walk<'w, 'a> {
    counter: &'w Counter<'a>,
    total: usize,
    cap: usize,
}

impl<'w, 'a> Walk<'w, 'a> {
    fn done(&self) -> bool {
        self.total > self.cap
    }

    fn set(&mut self, set: &SelectionSet, on: On<'w>) {
        for selection in &set.items {
            if self.done() {
                return;
            }
            match &selection.node {
                Selection::Field(field) => {
                    self.total += 1;
                    self.field(&field.node, on.clone());
                }
                Selection::InlineFragment(inline) => {
                    self.set(&inline.node.selection_set.node, on.clone())
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self
                        .counter
                        .document
                        .fragments
                        .get(&spread.node.fragment_name.node)
                    {
                        self.set(&fragment.node.selection_set.node, on.clone());
                    }
                }
            }
        }
    }

    fn each<T>(
        &mut self,
        set: &SelectionSet,
        items: impl IntoIterator<Item = T>,
        on: impl Fn(T) -> On<'w>,
    ) {
        for item in items {
            if self.done() {
                return;
            }
            self.set(set, on(item));
        }
    }

    fn field(&mut self, field: &Field, on: On<'w>) {
        let set = &field.selection_set.node;
        let catalog = self.counter.catalog;
        let name = field.name.node.as_str();
        match on {
            On::Schema => match name {
                "types" => self.each(set, catalog.types.keys(), |t| On::Type(TypeRef(t.clone()))),
                "queryType" => self.set(set, On::Type(TypeRef(catalog.query.clone()))),
                "mutationType" => self.set(set, On::Type(TypeRef(catalog.mutation.clone()))),
                "directives" => self.each(set, DIRECTIVES.iter(), |args| On::Directive(args)),
                _ => {}
            },
            On::Type(ty) => match ty.unwrap_once() {
                (Wrapper::NonNull | Wrapper::List, inner) => {
                    if name == "ofType" {
                        self.set(set, On::Type(inner));
                    }
                }
                (Wrapper::Named, named) => match (name, catalog.types.get(named.named())) {
                    ("fields", Some(TypeShape::Composite { fields, .. })) => {
                        self.each(set, fields.values(), On::Field)
                    }
                    (
                        "interfaces",
                        Some(TypeShape::Composite {
                            related,
                            interface: false,
                            ..
                        }),
                    )
                    | (
                        "possibleTypes",
                        Some(TypeShape::Composite {
                            related,
                            interface: true,
                            ..
                        }),
                    )
                    | ("possibleTypes", Some(TypeShape::Union(related))) => {
                        self.each(set, related.iter(), |t| On::Type(TypeRef(t.clone())))
                    }
                    ("enumValues", Some(TypeShape::Enum(n))) => {
                        self.each(set, 0..*n, |_| On::EnumValue)
                    }
                    ("inputFields", Some(TypeShape::Input(fields))) => {
                        self.each(set, fields.values(), On::Input)
                    }
                    _ => {}
                },
            },
            On::Field(shape) => match name {
                "args" => self.each(set, shape.args.values(), On::Input),
                "type" => self.set(set, On::Type(shape.ty.clone())),
                _ => {}
            },
            On::Input(shape) => {
                if name == "type" {
                    self.set(set, On::Type(shape.ty.clone()));
                }
            }
            On::Directive(args) => {
                if name == "args" {
                    self.each(set, args.iter(), |ty| On::DirectiveArgument(ty));
                }
            }
            On::DirectiveArgument(ty) => {
                if name == "type" {
                    self.set(set, On::Type(TypeRef(ty.to_owned())));
                }
            }
            On::EnumValue => {}
        }
    }
}
