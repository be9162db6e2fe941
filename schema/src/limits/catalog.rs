//! The schema's shape as the pre-execution checks read it: every type with its fields, their
//! types and arguments. Built once per process from the same type information async-graphql
//! builds the schema from, so it can never disagree with what runs.

use async_graphql::registry::{MetaType, MetaTypeId, Registry};
use async_graphql::{OutputType, Value as ConstValue};
use std::collections::HashMap;

/// A type reference as the SDL writes it (`[Meeting!]!`), read from the outside in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeRef(pub String);

impl TypeRef {
    /// The named type inside the wrappers (`Meeting`).
    pub fn named(&self) -> &str {
        self.0.trim_matches(|c| c == '[' || c == ']' || c == '!')
    }

    /// Whether the type is a list (at any level).
    pub fn is_list(&self) -> bool {
        self.0.starts_with('[')
    }

    /// The outermost wrapper: `NonNull`, `List` or `Named`, and what it wraps.
    pub fn unwrap_once(&self) -> (Wrapper, TypeRef) {
        if let Some(inner) = self.0.strip_suffix('!') {
            (Wrapper::NonNull, TypeRef(inner.to_owned()))
        } else if let Some(inner) = self.0.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            (Wrapper::List, TypeRef(inner.to_owned()))
        } else {
            (Wrapper::Named, self.clone())
        }
    }
}

/// One wrapper of a type reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wrapper {
    /// `T!`.
    NonNull,
    /// `[T]`.
    List,
    /// `T` itself.
    Named,
}

/// An argument or an input object field.
#[derive(Debug, Clone)]
pub(crate) struct InputShape {
    /// Its type.
    pub ty: TypeRef,
    /// Its default, when the schema declares one.
    pub default: Option<ConstValue>,
}

/// A field of an object or interface.
#[derive(Debug, Clone)]
pub(crate) struct FieldShape {
    /// What it returns.
    pub ty: TypeRef,
    /// Its arguments, by name.
    pub args: HashMap<String, InputShape>,
}

/// What kind of type a name stands for, with what the checks need of it.
#[derive(Debug, Clone)]
pub(crate) enum TypeShape {
    /// An object or an interface: its fields, the interfaces it implements and (interfaces)
    /// the objects that implement it.
    Composite {
        /// Fields by name.
        fields: HashMap<String, FieldShape>,
        /// Implemented interfaces (objects) or implementing objects (interfaces).
        related: Vec<String>,
        /// Whether this is an interface.
        interface: bool,
    },
    /// A union and its members.
    Union(Vec<String>),
    /// An enum and how many values it has.
    Enum(usize),
    /// An input object's fields.
    Input(HashMap<String, InputShape>),
    /// A scalar.
    Scalar,
}

/// Every type of the schema, by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Catalog {
    /// Types by name.
    pub types: HashMap<String, TypeShape>,
    /// The query root's name.
    pub query: String,
    /// The mutation root's name.
    pub mutation: String,
}

fn inputs(
    values: &async_graphql::indexmap::IndexMap<String, async_graphql::registry::MetaInputValue>,
) -> HashMap<String, InputShape> {
    values
        .iter()
        .map(|(name, value)| {
            let default = value
                .default_value
                .as_deref()
                .and_then(|text| {
                    async_graphql::parser::parse_query(format!("{{ f(a: {text}) }}")).ok()
                })
                .and_then(|doc| default_of(&doc));
            (
                name.clone(),
                InputShape {
                    ty: TypeRef(value.ty.clone()),
                    default,
                },
            )
        })
        .collect()
}

/// Keeps the types a client can reach from the roots (the registry also holds the parts merged
/// root objects are built from).
fn keep_reachable(types: &mut HashMap<String, TypeShape>, roots: &[&str]) {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut queue: Vec<String> = roots
        .iter()
        .map(|r| TypeRef((*r).to_owned()).named().to_owned())
        .collect();
    while let Some(name) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let mut next: Vec<&TypeRef> = Vec::new();
        let mut names: Vec<&String> = Vec::new();
        match types.get(&name) {
            Some(TypeShape::Composite {
                fields, related, ..
            }) => {
                for field in fields.values() {
                    next.push(&field.ty);
                    next.extend(field.args.values().map(|a| &a.ty));
                }
                names.extend(related);
            }
            Some(TypeShape::Union(members)) => names.extend(members),
            Some(TypeShape::Input(fields)) => next.extend(fields.values().map(|f| &f.ty)),
            _ => {}
        }
        queue.extend(next.into_iter().map(|t| t.named().to_owned()));
        queue.extend(names.into_iter().cloned());
    }
    types.retain(|name, _| seen.contains(name));
}

/// The introspection types of the GraphQL specification, which `__schema { types }` lists too.
const INTROSPECTION_TYPES: &[(&str, &[(&str, &str)])] = &[
    (
        "__Schema",
        &[
            ("description", "String!"),
            ("types", "[__Type!]!"),
            ("queryType", "__Type!"),
            ("mutationType", "__Type"),
            ("subscriptionType", "__Type"),
            ("directives", "[__Directive!]!"),
        ],
    ),
    (
        "__Type",
        &[
            ("kind", "__TypeKind!"),
            ("name", "String"),
            ("description", "String"),
            ("fields", "[__Field!]"),
            ("interfaces", "[__Type!]"),
            ("possibleTypes", "[__Type!]"),
            ("enumValues", "[__EnumValue!]"),
            ("inputFields", "[__InputValue!]"),
            ("ofType", "__Type"),
            ("specifiedByURL", "String"),
            ("isOneOf", "Boolean"),
        ],
    ),
    (
        "__Field",
        &[
            ("name", "String!"),
            ("description", "String"),
            ("args", "[__InputValue!]!"),
            ("type", "__Type!"),
            ("isDeprecated", "Boolean!"),
            ("deprecationReason", "String"),
        ],
    ),
    (
        "__InputValue",
        &[
            ("name", "String!"),
            ("description", "String"),
            ("type", "__Type!"),
            ("defaultValue", "String"),
            ("isDeprecated", "Boolean!"),
            ("deprecationReason", "String"),
        ],
    ),
    (
        "__EnumValue",
        &[
            ("name", "String!"),
            ("description", "String"),
            ("isDeprecated", "Boolean!"),
            ("deprecationReason", "String"),
        ],
    ),
    (
        "__Directive",
        &[
            ("name", "String!"),
            ("description", "String"),
            ("locations", "[__DirectiveLocation!]!"),
            ("args", "[__InputValue!]!"),
            ("isRepeatable", "Boolean!"),
        ],
    ),
];

/// The introspection fields that take `includeDeprecated: Boolean! = false`.
const TAKES_INCLUDE_DEPRECATED: &[(&str, &str)] = &[
    ("__Type", "fields"),
    ("__Type", "enumValues"),
    ("__Type", "inputFields"),
    ("__Field", "args"),
    ("__Directive", "args"),
];

fn add_introspection_types(types: &mut HashMap<String, TypeShape>) {
    for (name, fields) in INTROSPECTION_TYPES {
        let fields = fields
            .iter()
            .map(|(field, ty)| {
                let mut args = HashMap::new();
                if TAKES_INCLUDE_DEPRECATED.contains(&(*name, *field)) {
                    args.insert(
                        "includeDeprecated".to_owned(),
                        InputShape {
                            ty: TypeRef("Boolean!".into()),
                            default: Some(ConstValue::Boolean(false)),
                        },
                    );
                }
                (
                    (*field).to_owned(),
                    FieldShape {
                        ty: TypeRef((*ty).to_owned()),
                        args,
                    },
                )
            })
            .collect();
        types.insert(
            (*name).to_owned(),
            TypeShape::Composite {
                fields,
                related: Vec::new(),
                interface: false,
            },
        );
    }
    types.insert("__TypeKind".into(), TypeShape::Enum(8));
    types.insert("__DirectiveLocation".into(), TypeShape::Enum(19));
    for scalar in ["String", "Boolean"] {
        types.entry(scalar.into()).or_insert(TypeShape::Scalar);
    }
}

/// The constant argument value of the one field of `{ f(a: VALUE) }`.
fn default_of(doc: &async_graphql::parser::types::ExecutableDocument) -> Option<ConstValue> {
    use async_graphql::parser::types::{DocumentOperations, Selection};
    let DocumentOperations::Single(op) = &doc.operations else {
        return None;
    };
    let Selection::Field(field) = &op.node.selection_set.node.items.first()?.node else {
        return None;
    };
    let (_, value) = field.node.arguments.first()?;
    value.node.clone().into_const()
}

impl Catalog {
    /// The catalog of the schema whose roots are `Q` and `M`.
    pub fn of<Q: OutputType, M: OutputType>() -> Catalog {
        let mut registry = Registry::default();
        let query = Q::create_type_info(&mut registry);
        let mutation = M::create_type_info(&mut registry);
        let mut types = HashMap::new();
        for (name, meta) in &registry.types {
            let shape = match meta.type_id() {
                MetaTypeId::Object | MetaTypeId::Interface => TypeShape::Composite {
                    fields: meta
                        .fields()
                        .map(|fields| {
                            fields
                                .iter()
                                .map(|(name, f)| {
                                    (
                                        name.clone(),
                                        FieldShape {
                                            ty: TypeRef(f.ty.clone()),
                                            args: inputs(&f.args),
                                        },
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    related: match meta {
                        MetaType::Interface { possible_types, .. } => {
                            possible_types.iter().cloned().collect()
                        }
                        _ => registry
                            .implements
                            .get(name)
                            .map(|set| set.iter().cloned().collect())
                            .unwrap_or_default(),
                    },
                    interface: meta.type_id() == MetaTypeId::Interface,
                },
                MetaTypeId::Union => TypeShape::Union(
                    meta.possible_types()
                        .map(|set| set.iter().cloned().collect())
                        .unwrap_or_default(),
                ),
                MetaTypeId::Enum => TypeShape::Enum(match meta {
                    MetaType::Enum { enum_values, .. } => enum_values.len(),
                    _ => 0,
                }),
                MetaTypeId::InputObject => TypeShape::Input(match meta {
                    MetaType::InputObject { input_fields, .. } => inputs(input_fields),
                    _ => HashMap::new(),
                }),
                MetaTypeId::Scalar => TypeShape::Scalar,
            };
            types.insert(name.clone(), shape);
        }
        keep_reachable(&mut types, &[query.as_str(), mutation.as_str()]);
        add_introspection_types(&mut types);
        Catalog {
            types,
            query: TypeRef(query).named().to_owned(),
            mutation: TypeRef(mutation).named().to_owned(),
        }
    }

    /// The field `name` of the object or interface `type_name`.
    pub fn field(&self, type_name: &str, name: &str) -> Option<&FieldShape> {
        match self.types.get(type_name)? {
            TypeShape::Composite { fields, .. } => fields.get(name),
            _ => None,
        }
    }

    /// Whether `type_name` is an object, interface or union (has a selection set).
    pub fn is_composite(&self, type_name: &str) -> bool {
        matches!(
            self.types.get(type_name),
            Some(TypeShape::Composite { .. } | TypeShape::Union(_))
        )
    }
}
