//! Query limits, on by default and configurable: document size, nesting, depth, aliases and
//! complexity. Every refusal is a GraphQL error with `extensions.code = QUERY_TOO_COMPLEX` and
//! `extensions.limit` naming the limit; parse and validation failures get their own codes.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{ErrorExtensionValues, Name, Positioned, Request, ServerError};

/// The limits applied to every GraphQL request.
#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// Deepest field nesting (`{ a { b } }` is 2).
    pub max_depth: usize,
    /// Highest complexity; each field costs 1 and a connection multiplies by its `first`.
    pub max_complexity: usize,
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

/// Checks a request's document against the limits, parses it (once per text: see
/// [`DocumentCache`]; the parse is kept in the request and reused by execution) and returns
/// the type of the operation it will run, if the document names one unambiguously.
pub fn check_document(
    request: &mut Request,
    limits: &QueryLimits,
    documents: &DocumentCache,
) -> Result<Option<OperationType>, ServerError> {
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
    if bracket_nesting(&request.query) > limits.max_nesting() {
        return Err(too_complex(
            "depth",
            limits.max_depth,
            format!(
                "the query is nested deeper than {} levels",
                limits.max_depth
            ),
        ));
    }
    let operation_name = request.operation_name.clone();
    let text = (!documents.prime(request)).then(|| request.query.clone());
    let document = request.parsed_query().map_err(|e| {
        let mut error = coded_error(e.message, "GRAPHQL_PARSE_FAILED", &[]);
        error.locations = e.locations;
        error
    })?;
    if let Some(text) = text {
        documents.keep(&text, document);
    }
    if exceeds_depth(document, limits.max_depth) {
        return Err(too_complex(
            "depth",
            limits.max_depth,
            format!(
                "the query is nested deeper than {} levels",
                limits.max_depth
            ),
        ));
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
    Ok(operation_type(document, operation_name.as_deref()))
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
/// validation reports those).
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

/// The type of the operation a request will run, if the document determines it.
fn operation_type(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// async-graphql's message for a query over the schema's `limit_complexity`.
const TOO_COMPLEX: &str = "Query is too complex.";

/// Gives async-graphql's complexity refusal the code and fields of the other limits. The
/// complexity is checked by async-graphql's validation (`limit_complexity`), which knows each
/// field's cost; a schema extension could word the error itself, but every extension adds two
/// boxed futures to each resolved field.
pub fn code_complexity_error(error: &mut ServerError, max_complexity: usize) {
    if error.message == TOO_COMPLEX && error.extensions.is_none() && error.path.is_empty() {
        *error = too_complex(
            "complexity",
            max_complexity,
            format!(
                "the query is too complex: its complexity is over {max_complexity} (ask for fewer items or fields)"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_parsed_once_per_text_and_the_cache_stays_bounded() {
        let limits = QueryLimits::default();
        let documents = DocumentCache::default();
        let size = |d: &DocumentCache| d.0.lock().map(|m| m.len()).unwrap_or(0);
        let mut first = Request::new("query A { viewer { kind } } mutation B { x }");
        assert_eq!(check_document(&mut first, &limits, &documents), Ok(None));
        assert_eq!(size(&documents), 1);
        let mut named =
            Request::new("query A { viewer { kind } } mutation B { x }").operation_name("B");
        assert!(
            documents.prime(&mut named),
            "the same text comes from the cache"
        );
        assert_eq!(
            check_document(&mut named, &limits, &documents),
            Ok(Some(OperationType::Mutation)),
            "the operation name is the request's own"
        );
        let mut broken = Request::new("{ viewer ");
        assert!(check_document(&mut broken, &limits, &documents).is_err());
        assert_eq!(size(&documents), 1, "what does not parse is not kept");
        for n in 0..DocumentCache::CAPACITY {
            let mut request = Request::new(format!("{{ a{n}: viewer {{ kind }} }}"));
            assert!(check_document(&mut request, &limits, &documents).is_ok());
        }
        assert!(size(&documents) <= DocumentCache::CAPACITY);
    }

    #[test]
    fn nesting_ignores_strings_and_comments() {
        assert_eq!(bracket_nesting(r#"{ a(b: "{{{{") { c } } # {{{{"#), 2);
        assert_eq!(bracket_nesting(r#"{ a(b: """ {{ \""" {{ """) }"#), 2);
    }

    #[test]
    fn depth_counts_fields_through_fragments() {
        let doc = async_graphql::parser::parse_query(
            "query { a { b { c } } ...F } fragment F on Query { d { e { f { g } } } }",
        )
        .expect("parses");
        assert!(!exceeds_depth(&doc, 4));
        assert!(exceeds_depth(&doc, 3));
    }

    #[test]
    fn fragment_cycles_do_not_loop() {
        let doc = async_graphql::parser::parse_query(
            "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        )
        .expect("parses");
        assert!(!exceeds_depth(&doc, 3));
    }
}
