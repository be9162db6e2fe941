//! What an operation may cost, known before it runs: every field costs 1 (long text more), and
//! every list multiplies what it holds by the most items it may return. A connection counts
//! its `first` (or its default), `nodes(ids:)` the ids it is given, and other lists the bound
//! their data is held to when written ([`list_size`]). A batch adds its operations' costs into
//! one budget, and the server admits work by this cost (`kinship-api`), so the count bounds
//! both the response and the memory in flight. Introspection is counted exactly
//! ([`super::introspection`]).

use super::catalog::{Catalog, FieldShape, InputShape, TypeShape};
use crate::relay::{DEFAULT_PAGE_SIZE, MAX_NODES, MAX_PAGE_SIZE};
use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, Selection, SelectionSet, VariableDefinition,
};
use async_graphql::{Name, Positioned, Value as ConstValue, Variables};

/// How many items a list field may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Size {
    /// As many as its `first` argument asks (its default when left out), at most `max`.
    First {
        /// Most items one call may return.
        max: usize,
    },
    /// As many as the ids it is given.
    Ids,
    /// At most this many: the bound the data is held to when written.
    AtMost(usize),
    /// The `edges` or `nodes` of a connection, whose `first` already counted.
    Page,
}

/// Lists bounded by what writes allow, and lists whose page may be larger than a
/// connection's.
const LIST_BOUNDS: &[(&str, &str, Size)] = &[
    (
        "Meeting",
        "occurrences",
        Size::First {
            max: crate::meetings::recurrence::MAX_OCCURRENCES,
        },
    ),
    (
        "Meeting",
        "types",
        Size::AtMost(crate::meetings::model::MAX_TYPE_CODES),
    ),
    (
        "Meeting",
        "languages",
        Size::AtMost(crate::validate::MAX_LANGUAGES),
    ),
    (
        "Group",
        "languages",
        Size::AtMost(crate::validate::MAX_LANGUAGES),
    ),
    (
        "Member",
        "languages",
        Size::AtMost(crate::validate::MAX_LANGUAGES),
    ),
    (
        "Group",
        "facilitators",
        Size::AtMost(crate::memberships::model::MAX_FACILITATORS),
    ),
    (
        "Member",
        "credentials",
        Size::AtMost(crate::members::model::MAX_CREDENTIALS),
    ),
    (
        "MeetingImportReport",
        "rejected",
        Size::AtMost(crate::meetings::import::MAX_LISTED_PROBLEMS),
    ),
    (
        "MeetingImportReport",
        "warnings",
        Size::AtMost(crate::meetings::import::MAX_LISTED_PROBLEMS),
    ),
];

/// Fields that cost more than 1: long text, values computed per item, and searches, whose
/// work does not shrink with the page (`first: 0` still filters every candidate).
const FIELD_WEIGHTS: &[(&str, &str, usize)] = &[
    ("Query", "meetings", 100),
    ("Query", "groups", 20),
    ("Group", "description", 10),
    ("Meeting", "description", 10),
    ("OnlineAccess", "notes", 3),
    ("Occurrence", "note", 3),
    ("MeetingChange", "changedFields", 10),
    ("Meeting", "nextOccurrence", 3),
];

/// How many items the list field `type_name.field` may return, or `None` if it is not a list
/// (a connection field itself is not a list: its `first` is read by [`multiplier`]).
pub(crate) fn list_size(catalog: &Catalog, type_name: &str, field: &str) -> Option<Size> {
    let shape = catalog.field(type_name, field)?;
    if let Some((_, _, size)) = LIST_BOUNDS
        .iter()
        .find(|(t, f, _)| *t == type_name && *f == field)
    {
        return Some(*size);
    }
    if !shape.ty.is_list() {
        return None;
    }
    if type_name.ends_with("Connection") && matches!(field, "edges" | "nodes") {
        return Some(Size::Page);
    }
    if shape.args.contains_key("first") {
        return Some(Size::First { max: MAX_PAGE_SIZE });
    }
    if shape.args.contains_key("ids") {
        return Some(Size::Ids);
    }
    match catalog.types.get(shape.ty.named()) {
        Some(TypeShape::Enum(values)) => Some(Size::AtMost(*values)),
        _ => match (type_name, field) {
            (_, _) if type_name == catalog.query && field == "meetingPrograms" => {
                Some(Size::AtMost(crate::meetings::catalog::programs().len()))
            }
            (_, _) if type_name == catalog.query && field == "meetingTypes" => Some(Size::AtMost(
                crate::meetings::catalog::programs()
                    .values()
                    .map(|p| p.types.len())
                    .max()
                    .unwrap_or(0),
            )),
            _ => None,
        },
    }
}

/// The weight of a meeting search by local weekday or time of day, which expands every
/// candidate's schedule (the stored horizon holds instants, not local times).
const EXPANDING_SEARCH_WEIGHT: usize = 5000;

/// Whether a `meetings` search filters by local weekday or time of day.
fn expands(field: &async_graphql::parser::types::Field, inputs: &Inputs<'_>) -> bool {
    match inputs.argument(field, "filter", None) {
        ConstValue::Object(filter) => ["weekdays", "localTime"].iter().any(|key| {
            filter.get(*key).is_some_and(|v| {
                !matches!(v, ConstValue::Null) && *v != ConstValue::List(Vec::new())
            })
        }),
        _ => false,
    }
}

/// The weight of a search by words (`meetings` or `groups` with `filter.text`), which scores
/// every match: a common word is thousands of them.
const TEXT_SEARCH_WEIGHT: usize = 2000;

/// Whether a search has words to look for.
fn searches_words(field: &async_graphql::parser::types::Field, inputs: &Inputs<'_>) -> bool {
    match inputs.argument(field, "filter", None) {
        ConstValue::Object(filter) => {
            matches!(filter.get("text"), Some(ConstValue::String(t)) if !t.trim().is_empty())
        }
        _ => false,
    }
}

fn weight(type_name: &str, field: &str) -> usize {
    FIELD_WEIGHTS
        .iter()
        .find(|(t, f, _)| *t == type_name && *f == field)
        .map_or(1, |(_, _, w)| *w)
}

/// The variables of one operation: the request's, else the operation's defaults.
pub(crate) struct Inputs<'a> {
    variables: &'a Variables,
    definitions: &'a [Positioned<VariableDefinition>],
}

impl<'a> Inputs<'a> {
    /// The variables of `operation` in a request.
    pub fn new(variables: &'a Variables, operation: &'a OperationDefinition) -> Inputs<'a> {
        Inputs {
            variables,
            definitions: &operation.variable_definitions,
        }
    }

    /// The value of a variable as execution will see it (`Null` when unset).
    pub fn variable(&self, name: &Name) -> ConstValue {
        self.variables.get(name).cloned().unwrap_or_else(|| {
            self.definitions
                .iter()
                .find(|d| d.node.name.node == *name)
                .and_then(|d| d.node.default_value.as_ref())
                .map(|d| d.node.clone())
                .unwrap_or(ConstValue::Null)
        })
    }

    /// The value of an argument with variables filled in, or the schema's default.
    pub fn argument(
        &self,
        field: &async_graphql::parser::types::Field,
        name: &str,
        shape: Option<&InputShape>,
    ) -> ConstValue {
        let given = field
            .arguments
            .iter()
            .find(|(n, _)| n.node == name)
            .map(|(_, v)| {
                v.node
                    .clone()
                    .into_const_with(|var| Ok::<_, ()>(self.variable(&var)))
                    .unwrap_or(ConstValue::Null)
            });
        match given {
            Some(ConstValue::Null) | None => shape
                .and_then(|s| s.default.clone())
                .unwrap_or(ConstValue::Null),
            Some(value) => value,
        }
    }
}

/// How many times a field's selection is produced: its list size, or a connection's `first`.
fn multiplier(
    catalog: &Catalog,
    type_name: &str,
    name: &str,
    shape: &FieldShape,
    field: &async_graphql::parser::types::Field,
    inputs: &Inputs<'_>,
) -> usize {
    let first = |max: usize| match inputs.argument(field, "first", shape.args.get("first")) {
        // An empty page still does the work of a page: it counts as one item.
        ConstValue::Number(n) => n.as_u64().map_or(1, |n| (n as usize).clamp(1, max)),
        _ => DEFAULT_PAGE_SIZE.min(max),
    };
    match list_size(catalog, type_name, name) {
        Some(Size::First { max }) => first(max),
        Some(Size::Ids) => match inputs.argument(field, "ids", None) {
            ConstValue::List(ids) => ids.len().min(MAX_NODES),
            _ => 1,
        },
        Some(Size::AtMost(n)) => n,
        Some(Size::Page) => 1,
        // A connection: what it holds comes `first` times.
        None if shape.args.contains_key("first") => first(MAX_PAGE_SIZE),
        None if shape.ty.is_list() => MAX_PAGE_SIZE,
        None => 1,
    }
}

/// The cost of one operation of a document; introspection is counted apart, exactly.
pub(crate) struct Counter<'a> {
    pub catalog: &'a Catalog,
    pub document: &'a ExecutableDocument,
    pub inputs: Inputs<'a>,
    /// Where counting introspection values may stop: anything past it is refused anyway.
    pub introspection_cap: usize,
    /// The first string input the guard refused ([`super::inputs`]).
    pub refusal: Option<super::inputs::InputRefusal>,
    /// Fragments being expanded (validation refuses cycles; this keeps the count finite
    /// before it does).
    expanding: Vec<&'a Name>,
}

impl<'a> Counter<'a> {
    /// A counter for one operation of `document`.
    pub fn new(
        catalog: &'a Catalog,
        document: &'a ExecutableDocument,
        inputs: Inputs<'a>,
        introspection_cap: usize,
    ) -> Self {
        Counter {
            catalog,
            document,
            inputs,
            introspection_cap,
            refusal: None,
            expanding: Vec::new(),
        }
    }

    /// The cost of `set` selected on `type_name`, and the introspection values it asks for.
    pub fn cost(&mut self, set: &'a SelectionSet, type_name: &str) -> (usize, usize) {
        let mut total = (0usize, 0usize);
        for selection in &set.items {
            let (cost, introspection) = match &selection.node {
                Selection::Field(field) => self.field(&field.node, type_name),
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(type_name.to_owned(), |c| c.node.on.node.to_string());
                    self.cost(&inline.node.selection_set.node, &on)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    match self.document.fragments.get(name) {
                        Some(fragment) if !self.expanding.contains(&name) => {
                            self.expanding.push(name);
                            let on = fragment.node.type_condition.node.on.node.to_string();
                            let found = self.cost(&fragment.node.selection_set.node, &on);
                            self.expanding.pop();
                            found
                        }
                        _ => (0, 0),
                    }
                }
            };
            total = (
                total.0.saturating_add(cost),
                total.1.saturating_add(introspection),
            );
        }
        total
    }

    fn field(
        &mut self,
        field: &'a async_graphql::parser::types::Field,
        type_name: &str,
    ) -> (usize, usize) {
        let name = field.name.node.as_str();
        if name == "__typename" {
            return (1, 0);
        }
        if type_name == self.catalog.query && matches!(name, "__schema" | "__type") {
            let values = super::introspection::count(self, field);
            return (1, values);
        }
        let Some(shape) = self.catalog.field(type_name, name) else {
            // Validation reports unknown fields.
            return (1, 0);
        };
        if self.refusal.is_none()
            && let Err(refusal) =
                super::inputs::check_arguments(self.catalog, field, shape, &self.inputs)
        {
            self.refusal = Some(refusal);
        }
        let is_query = type_name == self.catalog.query;
        let own = if is_query && name == "meetings" && expands(field, &self.inputs) {
            EXPANDING_SEARCH_WEIGHT
        } else if is_query
            && matches!(name, "meetings" | "groups")
            && searches_words(field, &self.inputs)
        {
            TEXT_SEARCH_WEIGHT
        } else {
            weight(type_name, name)
        };
        let named = shape.ty.named().to_owned();
        let times = multiplier(self.catalog, type_name, name, shape, field, &self.inputs);
        if !self.catalog.is_composite(&named) {
            return (own.saturating_mul(times.max(1)), 0);
        }
        let (inner, introspection) = self.cost(&field.selection_set.node, &named);
        (
            own.saturating_add(times.saturating_mul(inner)),
            times.saturating_mul(introspection),
        )
    }
}
