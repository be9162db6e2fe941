//! Query limits, on by default and configurable: document size, nesting, depth, aliases, cost
//! (`complexity`, shared by a batch) and introspection, and the guard on string inputs. Every
//! refusal of a limit is a GraphQL error with `extensions.code = QUERY_TOO_COMPLEX` and
//! `extensions.limit` naming it; parse and validation failures get their own codes, refused
//! strings `BAD_USER_INPUT`. All of it is checked before any resolver runs.
//!
//! - `catalog`: the schema's shape, read from the types the schema is built from;
//! - `cost`: what an operation may cost, and the bounds of every list;
//! - `introspection`: introspection counted exactly;
//! - `inputs`: the string guard.

mod catalog;
mod cost;
pub mod inputs;
mod introspection;
mod nulls;
mod parse_errors;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::{ErrorExtensionValues, Name, Positioned, Request, Response, ServerError};
pub(crate) use catalog::Catalog;

/// The limits applied to every GraphQL request.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// Deepest field nesting (`{ a { b } }` is 2).
    pub max_depth: usize,
    /// Highest cost of a request (a batch shares it): each field costs 1, long text more, and
    /// each list multiplies what it holds by the most items it may return.
    pub max_complexity: usize,
    /// Most values an introspection query may produce, counted exactly (the standard
    /// introspection query of GraphQL tools produces about 7,300 of them).
    pub max_introspection: usize,
    /// Largest response body, in bytes; a larger answer is replaced by an error.
    pub max_response_bytes: usize,
    /// Most cost executing at once in the process: a request waits for room, and is refused as
    /// `UNAVAILABLE` when none frees up in time, so load is shed before memory runs out.
    pub max_concurrent_cost: usize,
    /// Most aliased fields in one document.
    pub max_aliases: usize,
    /// Longest query document, in bytes.
    pub max_document_bytes: usize,
    /// Most operations in one batched request.
    pub max_batch: usize,
    /// Whether introspection (`__schema`, `__type`) is answered.
    pub introspection: bool,
}

impl QueryLimits {
    /// The deepest bracket nesting accepted before parsing: room for input objects around
    /// the allowed field depth.
    pub fn max_nesting(&self) -> usize {
        (self.max_depth * 2 + 32).max(64)
    }
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            max_depth: 12,
            max_complexity: 10_000,
            max_introspection: 20_000,
            max_response_bytes: 8 << 20,
            max_concurrent_cost: 200_000,
            max_aliases: 30,
            max_document_bytes: 32 * 1024,
            max_batch: 10,
            introspection: true,
        }
    }
}

/// A GraphQL error with a stable code and extra extension values.
pub fn coded_error(message: impl Into<String>, code: &str, extra: &[(&str, usize)]) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    for (key, value) in extra {
        extensions.set(*key, *value as u64);
    }
    error.extensions = Some(extensions);
    error
}

fn too_complex(limit: &str, max: usize, message: String) -> ServerError {
    let mut error = coded_error(message, "QUERY_TOO_COMPLEX", &[("max", max)]);
    if let Some(ext) = error.extensions.as_mut() {
        ext.set("limit", limit);
    }
    error
}

/// Parsed documents by their text. Apps send the same few queries over and over, and parsing
/// a short query was a sixth of the server's work under load (BENCHMARKS.md), so each text is
/// parsed once. Only documents that parse are kept; at [`DocumentCache::CAPACITY`] texts the
/// cache starts again empty, so unique queries cost what they did without it.
#[derive(Default)]
pub struct DocumentCache(std::sync::Mutex<std::collections::HashMap<String, ExecutableDocument>>);

impl DocumentCache {
    /// Most documents kept (each at most `max_document_bytes` of text).
    pub const CAPACITY: usize = 256;

    /// Gives the request its parsed document from the cache, when its text was parsed before;
    /// whether it did.
    fn prime(&self, request: &mut Request) -> bool {
        let cached = self
            .0
            .lock()
            .ok()
            .and_then(|documents| documents.get(&request.query).cloned());
        let found = cached.is_some();
        if let Some(document) = cached {
            request.set_parsed_query(document);
        }
        found
    }

    /// Keeps a document parsed from `text`.
    fn keep(&self, text: &str, document: &ExecutableDocument) {
        if let Ok(mut documents) = self.0.lock()
            && !documents.contains_key(text)
        {
            if documents.len() >= Self::CAPACITY {
                documents.clear();
            }
            documents.insert(text.to_owned(), document.clone());
        }
    }
}

/// What the checks found of a request that passed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    /// The type of the operation it will run, if the document names one unambiguously.
    pub operation: Option<OperationType>,
    /// What it may cost ([`cost`]); a batch adds its requests' costs.
    pub cost: usize,
    /// The introspection values it asks for; a batch adds its requests' values too.
    pub introspection: usize,
}

/// The checks made before execution, with what they need: the schema's shape and the parsed
/// documents. One per process.
pub struct Preflight {
    documents: DocumentCache,
    catalog: Catalog,
}

impl Preflight {
    /// The checks for the schema described by `catalog`.
    pub(crate) fn new(catalog: Catalog) -> Preflight {
        Preflight {
            documents: DocumentCache::default(),
            catalog,
        }
    }

    /// Checks a request's document against the limits and its string inputs against the
    /// guard, parses it (once per text: see [`DocumentCache`]; the parse is kept in the
    /// request and reused by execution) and says what it will run and may cost.
    pub fn check(
        &self,
        request: &mut Request,
        limits: &QueryLimits,
    ) -> Result<Checked, ServerError> {
        if request.query.len() > limits.max_document_bytes {
            return Err(too_complex(
                "documentBytes",
                limits.max_document_bytes,
                format!(
                    "the query document is larger than {} bytes",
                    limits.max_document_bytes
                ),
            ));
        }
        if let Some(name) = request.operation_name.as_deref()
            && !is_operation_name(name)
        {
            // Never echoed, and never reaches a log or a span.
            return Err(coded_error(
                "operationName must be a GraphQL name (letters, digits and _) of at most 128 characters",
                "GRAPHQL_VALIDATION_FAILED",
                &[],
            ));
        }
        if bracket_nesting(&request.query) > limits.max_nesting() {
            return Err(deeper_than(limits.max_depth));
        }
        let text = (!self.documents.prime(request)).then(|| request.query.clone());
        let variables = request.variables.clone();
        let operation_name = request.operation_name.clone();
        let document = request.parsed_query().map_err(|e| {
            let mut error = coded_error(e.message, "GRAPHQL_PARSE_FAILED", &[]);
            error.locations = e.locations;
            error
        })?;
        if let Some(text) = text {
            self.documents.keep(&text, document);
        }
        // First, so that no later walk over the document can loop or fan out.
        expansion(document)?;
        if exceeds_depth(document, limits.max_depth) {
            return Err(deeper_than(limits.max_depth));
        }
        let aliases = count_aliases(document);
        if aliases > limits.max_aliases {
            return Err(too_complex(
                "aliases",
                limits.max_aliases,
                format!(
                    "the query uses {aliases} aliases; at most {} are allowed",
                    limits.max_aliases
                ),
            ));
        }
        if !limits.introspection && asks_introspection(document) {
            return Err(coded_error(
                "introspection is turned off on this server",
                "GRAPHQL_VALIDATION_FAILED",
                &[],
            ));
        }
        let Some(operation) = selected_operation(document, operation_name.as_deref()) else {
            // Validation names the missing or ambiguous operation.
            return Ok(Checked {
                operation: None,
                cost: 0,
                introspection: 0,
            });
        };
        if operation.ty == OperationType::Mutation
            && root_fields(document, &operation.selection_set.node) > 1
        {
            // A failed non-null payload nulls `data` (the spec's null propagation), which would
            // hide the other mutations' results, written or not: one per document.
            return Err(coded_error(
                "a mutation document runs one mutation; send several as a batch (a JSON array of requests)",
                "GRAPHQL_VALIDATION_FAILED",
                &[],
            ));
        }
        let root = match operation.ty {
            OperationType::Query => self.catalog.query.as_str(),
            OperationType::Mutation => self.catalog.mutation.as_str(),
            OperationType::Subscription => "",
        };
        let mut counter = cost::Counter::new(
            &self.catalog,
            document,
            cost::Inputs::new(&variables, operation),
            limits.max_introspection,
        );
        let (cost, introspection) = counter.cost(&operation.selection_set.node, root);
        if let Some(refusal) = counter.refusal {
            let mut error = coded_error(
                format!("{}: {}", refusal.field, refusal.message),
                "BAD_USER_INPUT",
                &[],
            );
            if let Some(extensions) = error.extensions.as_mut() {
                extensions.set("field", refusal.field);
            }
            return Err(error);
        }
        if introspection > limits.max_introspection {
            return Err(Preflight::too_much_introspection(limits.max_introspection));
        }
        Ok(Checked {
            operation: Some(operation.ty),
            cost,
            introspection,
        })
    }

    /// The refusal of a request (or batch) asking for more than `max` introspection values.
    pub fn too_much_introspection(max: usize) -> ServerError {
        too_complex(
            "introspection",
            max,
            format!(
                "the introspection query asks for more than {max} values; ask for less of the schema at once"
            ),
        )
    }

    /// The refusal of a request (or batch) whose cost is over the limit.
    pub fn too_costly(cost: usize, max: usize) -> ServerError {
        let mut error = too_complex(
            "complexity",
            max,
            format!(
                "the request may cost {cost}, over the limit of {max}: ask for fewer items or fields (each field costs 1 and each list multiplies by the items it may return)"
            ),
        );
        if let Some(extensions) = error.extensions.as_mut() {
            extensions.set("cost", cost as u64);
        }
        error
    }
}

fn deeper_than(max: usize) -> ServerError {
    too_complex(
        "depth",
        max,
        format!("the query is nested deeper than {max} levels"),
    )
}

/// Whether the document selects `__schema` or `__type` (anywhere: fragments included).
fn asks_introspection(document: &ExecutableDocument) -> bool {
    fn selects(set: &SelectionSet) -> bool {
        set.items.iter().any(|selection| match &selection.node {
            Selection::Field(field) => {
                matches!(field.node.name.node.as_str(), "__schema" | "__type")
                    || selects(&field.node.selection_set.node)
            }
            Selection::InlineFragment(inline) => selects(&inline.node.selection_set.node),
            Selection::FragmentSpread(_) => false,
        })
    }
    document
        .operations
        .iter()
        .any(|(_, op)| selects(&op.node.selection_set.node))
        || document
            .fragments
            .values()
            .any(|f| selects(&f.node.selection_set.node))
}

/// The deepest nesting of `{`, `(` and `[` outside strings and comments: a cheap guard that
/// keeps absurdly nested documents away from the parser.
fn bracket_nesting(query: &str) -> usize {
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'(' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// Whether any operation nests fields deeper than `max` (fragments expanded, cycles skipped:
/// validation reports those). Introspection is exempt: its exact count bounds it.
fn exceeds_depth(document: &ExecutableDocument, max: usize) -> bool {
    fn walk<'a>(
        document: &'a ExecutableDocument,
        set: &'a Positioned<SelectionSet>,
        depth: usize,
        max: usize,
        fragments: &mut Vec<&'a Name>,
    ) -> bool {
        set.node
            .items
            .iter()
            .any(|selection| match &selection.node {
                // Introspection is bounded by its exact count instead: tools' standard query
                // nests type references deeper than the data limit allows.
                Selection::Field(field)
                    if matches!(field.node.name.node.as_str(), "__schema" | "__type") =>
                {
                    false
                }
                Selection::Field(field) => {
                    depth + 1 > max
                        || walk(
                            document,
                            &field.node.selection_set,
                            depth + 1,
                            max,
                            fragments,
                        )
                }
                Selection::InlineFragment(inline) => {
                    walk(document, &inline.node.selection_set, depth, max, fragments)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if fragments.contains(&name) {
                        return false;
                    }
                    let Some(fragment) = document.fragments.get(name) else {
                        return false;
                    };
                    fragments.push(name);
                    let deeper = walk(
                        document,
                        &fragment.node.selection_set,
                        depth,
                        max,
                        fragments,
                    );
                    fragments.pop();
                    deeper
                }
            })
    }
    document
        .operations
        .iter()
        .any(|(_, op)| walk(document, &op.node.selection_set, 0, max, &mut Vec::new()))
}

/// Whether `name` is a GraphQL name of at most 128 characters.
fn is_operation_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 128
        && chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Most selections (fields and fragments) an operation may expand to, each fragment counted
/// at every use: what bounds every walk over the document, however its fragments fan out.
pub const MAX_EXPANDED_SELECTIONS: usize = 20_000;

/// Deepest chain of fragments spreading fragments.
pub const MAX_FRAGMENT_NESTING: usize = 32;

/// Refuses fragment cycles, chains of fragments deeper than [`MAX_FRAGMENT_NESTING`], and
/// documents whose operations expand to more than [`MAX_EXPANDED_SELECTIONS`] selections. Each
/// fragment's size is computed once, so this costs the length of the document however its
/// fragments fan out (`...A` holding `...B ...B`, `B` holding `...C ...C`, and so on).
fn expansion(document: &ExecutableDocument) -> Result<(), ServerError> {
    enum Refusal {
        Cycle(String),
        Nesting,
    }
    fn size<'a>(
        document: &'a ExecutableDocument,
        set: &'a SelectionSet,
        sizes: &mut std::collections::HashMap<&'a Name, usize>,
        visiting: &mut Vec<&'a Name>,
    ) -> Result<usize, Refusal> {
        let mut total = 0usize;
        for selection in &set.items {
            let inner = match &selection.node {
                Selection::Field(field) => {
                    size(document, &field.node.selection_set.node, sizes, visiting)?
                }
                Selection::InlineFragment(inline) => {
                    size(document, &inline.node.selection_set.node, sizes, visiting)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if let Some(known) = sizes.get(name) {
                        *known
                    } else if visiting.contains(&name) {
                        return Err(Refusal::Cycle(name.to_string()));
                    } else if visiting.len() >= MAX_FRAGMENT_NESTING {
                        return Err(Refusal::Nesting);
                    } else if let Some(fragment) = document.fragments.get(name) {
                        visiting.push(name);
                        let found =
                            size(document, &fragment.node.selection_set.node, sizes, visiting)?;
                        visiting.pop();
                        sizes.insert(name, found);
                        found
                    } else {
                        // Validation names the unknown fragment.
                        0
                    }
                }
            };
            total = total.saturating_add(1).saturating_add(inner);
        }
        Ok(total)
    }
    let mut sizes = std::collections::HashMap::new();
    for (_, operation) in document.operations.iter() {
        match size(
            document,
            &operation.node.selection_set.node,
            &mut sizes,
            &mut Vec::new(),
        ) {
            Ok(total) if total <= MAX_EXPANDED_SELECTIONS => {}
            Ok(_) => {
                return Err(too_complex(
                    "selections",
                    MAX_EXPANDED_SELECTIONS,
                    format!(
                        "the operation expands to more than {MAX_EXPANDED_SELECTIONS} selections through its fragments"
                    ),
                ));
            }
            Err(Refusal::Nesting) => {
                return Err(too_complex(
                    "fragmentNesting",
                    MAX_FRAGMENT_NESTING,
                    format!("fragments spread fragments more than {MAX_FRAGMENT_NESTING} deep"),
                ));
            }
            Err(Refusal::Cycle(name)) => {
                return Err(coded_error(
                    format!(
                        "the fragment {} spreads itself",
                        crate::validate::excerpt(&name)
                    ),
                    "GRAPHQL_VALIDATION_FAILED",
                    &[],
                ));
            }
        }
    }
    Ok(())
}

/// How many fields in the document carry an alias.
fn count_aliases(document: &ExecutableDocument) -> usize {
    fn count(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|selection| match &selection.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + count(&field.node.selection_set.node)
                }
                Selection::InlineFragment(inline) => count(&inline.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let in_operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| count(&op.node.selection_set.node))
        .sum();
    let in_fragments: usize = document
        .fragments
        .values()
        .map(|f| count(&f.node.selection_set.node))
        .sum();
    in_operations + in_fragments
}

impl Preflight {
    /// Settles a response that has errors, as the GraphQL spec and a reader expect: date
    /// parse errors name their argument and the form expected, and each failed field's `null`
    /// goes to the nearest nullable position. `query` is the request's document (parsed again:
    /// errors are the rare path), its operation named `operation_name`.
    pub fn settle(&self, query: &str, operation_name: Option<&str>, response: &mut Response) {
        if response.errors.is_empty() {
            return;
        }
        let Ok(document) = async_graphql::parser::parse_query(query) else {
            return;
        };
        parse_errors::explain(&self.catalog, &document, response);
        nulls::propagate(&self.catalog, &document, operation_name, response);
    }
}

/// How many fields a selection set selects at its own level, through its fragments (each
/// fragment counted once: validation refuses cycles).
fn root_fields(document: &ExecutableDocument, set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) if field.node.name.node == "__typename" => 0,
            Selection::Field(_) => 1,
            Selection::InlineFragment(inline) => {
                root_fields(document, &inline.node.selection_set.node)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |f| root_fields(document, &f.node.selection_set.node)),
        })
        .sum()
}

/// The operation a request will run, if the document determines it.
fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

#[cfg(test)]
mod tests;
