use super::*;

fn preflight() -> Preflight {
    crate::preflight()
}

fn checked(text: &str, variables: serde_json::Value) -> Result<Checked, ServerError> {
    let mut request = Request::new(text).variables(async_graphql::Variables::from_json(variables));
    preflight().check(&mut request, &QueryLimits::default())
}

fn cost_of(text: &str) -> usize {
    checked(text, serde_json::json!({}))
        .expect("passes the checks")
        .cost
}

#[test]
fn documents_are_parsed_once_per_text_and_the_cache_stays_bounded() {
    let limits = QueryLimits::default();
    let preflight = preflight();
    let size = |p: &Preflight| p.documents.0.lock().map(|m| m.len()).unwrap_or(0);
    let mut first = Request::new("query A { viewer { kind } } mutation B { x }");
    assert_eq!(
        preflight.check(&mut first, &limits).map(|c| c.operation),
        Ok(None)
    );
    assert_eq!(size(&preflight), 1);
    let mut named =
        Request::new("query A { viewer { kind } } mutation B { x }").operation_name("B");
    assert!(
        preflight.documents.prime(&mut named),
        "the same text comes from the cache"
    );
    assert_eq!(
        preflight.check(&mut named, &limits).map(|c| c.operation),
        Ok(Some(OperationType::Mutation)),
        "the operation name is the request's own"
    );
    let mut broken = Request::new("{ viewer ");
    assert!(preflight.check(&mut broken, &limits).is_err());
    assert_eq!(size(&preflight), 1, "what does not parse is not kept");
    for n in 0..DocumentCache::CAPACITY {
        let mut request = Request::new(format!("{{ a{n}: viewer {{ kind }} }}"));
        assert!(preflight.check(&mut request, &limits).is_ok());
    }
    assert!(size(&preflight) <= DocumentCache::CAPACITY);
}

#[test]
fn every_list_multiplies_by_the_items_it_may_return() {
    // A search costs its weight (`meetings` 100, `groups` 20), then per item what it
    // selects: per meeting `nodes`, `name`, and `occurrences` (1 + n × 2 fields).
    const MEETINGS: usize = 100;
    const GROUPS: usize = 20;
    let occurrences = |n: usize| {
        cost_of(&format!(
            "{{ meetings(first: 10) {{ nodes {{ name occurrences(from: \"2026-01-01T00:00:00Z\", to: \"2026-02-01T00:00:00Z\", first: {n}) {{ start end }} }} }} }}"
        ))
    };
    assert_eq!(occurrences(1), MEETINGS + 10 * (1 + 1 + (1 + 2)));
    assert_eq!(occurrences(500), MEETINGS + 10 * (1 + 1 + (1 + 500 * 2)));
    assert_eq!(
        occurrences(5_000),
        occurrences(500),
        "a page is at most its maximum"
    );
    assert_eq!(
        cost_of("{ meetings(first: 20) { nodes { name types { code } } } }"),
        760,
        "the README's example: a meeting's types are at most 30"
    );
    assert_eq!(
        cost_of("{ meetings { nodes { name } } }"),
        MEETINGS + 20 * (1 + 1),
        "the default page is 20"
    );
    let with_variable = checked(
        "query($n: Int) { groups(first: $n) { edges { node { name } } } }",
        serde_json::json!({ "n": 50 }),
    )
    .expect("passes");
    assert_eq!(with_variable.cost, GROUPS + 50 * (1 + 1 + 1));
    assert_eq!(
        cost_of("{ meetings(first: 0) { totalCount } }"),
        MEETINGS + 1,
        "an empty page still searches"
    );
    assert_eq!(
        cost_of("{ meetings(first: 0, filter: { weekdays: [MONDAY] }) { totalCount } }"),
        5000 + 1,
        "a search by local weekday expands every candidate's schedule"
    );
    assert_eq!(
        cost_of("{ meetings(first: 0, filter: { text: \"step\" }) { totalCount } }"),
        2000 + 1,
        "a search by words scores every match"
    );
    assert_eq!(
        cost_of("{ groups(first: 0, filter: { text: \"smart\" }) { totalCount } }"),
        2000 + 1
    );
    assert_eq!(
        cost_of("{ groups(first: 0, filter: { text: \" \" }) { totalCount } }"),
        GROUPS + 1,
        "blank text is no search"
    );
    assert_eq!(
        cost_of("{ nodes(ids: [\"a\", \"b\", \"c\"]) { id } }"),
        1 + 3
    );
    assert_eq!(
        cost_of("{ meetings(first: 2) { nodes { description } } }"),
        MEETINGS + 2 * (1 + 10),
        "long text costs more"
    );
    assert_eq!(
        cost_of("{ meetings(first: 2) { nodes { accessibility } } }"),
        MEETINGS + 2 * (1 + 6),
        "an enum list holds at most its values (six accessibility features)"
    );
}

#[test]
fn every_list_in_the_schema_has_a_bound() {
    let catalog = Catalog::of::<crate::QueryRoot, crate::MutationRoot>();
    let mut unbounded = Vec::new();
    for (type_name, shape) in &catalog.types {
        if let catalog::TypeShape::Composite { fields, .. } = shape {
            for (name, field) in fields {
                if !type_name.starts_with("__")
                    && field.ty.is_list()
                    && cost::list_size(&catalog, type_name, name).is_none()
                {
                    unbounded.push(format!("{type_name}.{name}"));
                }
            }
        }
    }
    unbounded.sort();
    assert!(
        unbounded.is_empty(),
        "give these lists a bound in limits::cost (or make them connections): {unbounded:?}"
    );
}

fn introspection_values(text: &str) -> usize {
    let preflight = preflight();
    let mut request = Request::new(text);
    let limits = QueryLimits {
        max_introspection: usize::MAX - 1,
        ..QueryLimits::default()
    };
    preflight.check(&mut request, &limits).expect("passes");
    let document = request.parsed_query().expect("parses");
    let operation = selected_operation(document, None).expect("one operation");
    let variables = async_graphql::Variables::default();
    let mut counter = cost::Counter::new(
        &preflight.catalog,
        document,
        cost::Inputs::new(&variables, operation),
        usize::MAX - 1,
    );
    counter.cost(&operation.selection_set.node, "Query").1
}

/// How many values (fields and list items' fields) a JSON answer holds, as the counter
/// counts them: one per field selected, nulls included.
fn values_in(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::Object(map) => map.values().map(|v| 1 + values_in(v)).sum(),
        serde_json::Value::Array(items) => items.iter().map(values_in).sum(),
        _ => 0,
    }
}

#[tokio::test]
async fn the_introspection_count_is_what_the_answer_holds() {
    let schema = crate::builder().finish();
    for query in [
        STANDARD_INTROSPECTION,
        "{ __type(name: \"Meeting\") { name fields { name args { name type { kind ofType { name } } } } } }",
        "{ __schema { types { name possibleTypes { name } interfaces { name } enumValues { name } inputFields { name } } directives { name args { name } } } }",
    ] {
        let answer = schema.execute(query).await;
        assert!(answer.errors.is_empty(), "{:?}", answer.errors);
        let data = serde_json::to_value(&answer.data).expect("json");
        assert_eq!(introspection_values(query), values_in(&data), "{query}");
    }
}

#[test]
fn introspection_is_counted_exactly_and_deep_nesting_refused() {
    let standard = checked(STANDARD_INTROSPECTION, serde_json::json!({})).expect("passes");
    assert!(
        standard.cost < 10,
        "introspection does not spend the data budget"
    );
    let values = introspection_values(STANDARD_INTROSPECTION);
    let limit = QueryLimits::default().max_introspection;
    assert!(
        values * 2 < limit && values * 4 > limit,
        "the standard query ({values} values) fits the limit ({limit}) twice, not four times"
    );
    let types = "{ __type(name: \"Meeting\") { name fields { name } } }";
    let fields = match preflight().catalog.types.get("Meeting") {
        Some(catalog::TypeShape::Composite { fields, .. }) => fields.len(),
        _ => 0,
    };
    assert_eq!(
        introspection_values(types),
        3 + fields,
        "one value per field the schema really has"
    );
    let aliased = STANDARD_INTROSPECTION.replacen(
        "types {\n      ...FullType\n    }",
        "a: types { ...FullType } b: types { ...FullType } c: types { ...FullType } d: types { ...FullType }",
        1,
    );
    let error = checked(&aliased, serde_json::json!({})).expect_err("refused");
    assert_eq!(
        error.extensions.as_ref().and_then(|e| e.get("limit")),
        Some(&async_graphql::Value::from("introspection"))
    );
}

#[test]
fn control_characters_and_huge_strings_are_refused_in_any_input() {
    let nul = checked(
        "query($t: String) { meetings(filter: { text: $t }) { nodes { name } } }",
        serde_json::json!({ "t": "step\u{0}study" }),
    )
    .expect_err("refused");
    assert_eq!(
        nul.extensions.as_ref().and_then(|e| e.get("field")),
        Some(&async_graphql::Value::from("filter.text"))
    );
    let huge = "x".repeat(200_000);
    let long = checked(
        "mutation($i: UpdateGroupInput!) { updateGroup(input: $i) { id } }",
        serde_json::json!({ "i": { "id": "x", "description": huge } }),
    )
    .expect_err("refused");
    assert!(
        long.message.len() < 200,
        "the input is not echoed: {}",
        long.message
    );
    assert!(
        checked(
            "{ groups(after: \"a\\u0000b\") { nodes { name } } }",
            serde_json::json!({})
        )
        .is_err(),
        "inline arguments too"
    );
}

/// graphql-js's `getIntrospectionQuery()`, as GraphQL tools send it.
const STANDARD_INTROSPECTION: &str = include_str!("standard_introspection.graphql");

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
fn fragments_that_loop_or_fan_out_are_refused_at_once() {
    let code = |text: &str| {
        let error = checked(text, serde_json::json!({})).expect_err(text);
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code").cloned())
            .map(|v| v.to_string());
        code.unwrap_or_default()
    };
    assert!(
        code("{ __schema { ...F } } fragment F on __Schema { ...F }")
            .contains("GRAPHQL_VALIDATION_FAILED")
    );
    let mut fan_out = String::from("{ ...A0 }");
    for i in 0..40 {
        fan_out.push_str(&format!(
            " fragment A{i} on Query {{ ...A{} ...A{} }}",
            i + 1,
            i + 1
        ));
    }
    fan_out.push_str(" fragment A40 on Query { __typename }");
    let started = std::time::Instant::now();
    assert!(code(&fan_out).contains("QUERY_TOO_COMPLEX"));
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    let mut chain = String::from("{ ...C0 }");
    for i in 0..100 {
        chain.push_str(&format!(" fragment C{i} on Query {{ ...C{} }}", i + 1));
    }
    chain.push_str(" fragment C100 on Query { __typename }");
    assert!(code(&chain).contains("QUERY_TOO_COMPLEX"));
    assert!(checked(STANDARD_INTROSPECTION, serde_json::json!({})).is_ok());
}

#[test]
fn fragment_cycles_do_not_loop() {
    let doc = async_graphql::parser::parse_query(
        "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
    )
    .expect("parses");
    assert!(!exceeds_depth(&doc, 3));
}
