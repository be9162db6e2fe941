//! Depth, nesting, alias, complexity, document-size and introspection limits.

use kinship_tests::serde_json::json;
use kinship_tests::{code, spec};

fn nested_query(levels: usize) -> String {
    format!(
        "{{ {}viewer {}",
        "a { ".repeat(levels - 1),
        "}".repeat(levels)
    )
}

spec!(a_fifty_level_deep_query_is_refused, |app| {
    let error = app.query_error(None, &nested_query(50), json!({}));
    assert_eq!(code(&error), "QUERY_TOO_COMPLEX");
    assert_eq!(error["extensions"]["limit"], "depth");
    assert_eq!(error["extensions"]["max"], 12);
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("deeper than 12")
    );
});

spec!(
    absurd_nesting_is_refused_before_parsing_and_the_server_stays_up,
    config = |c| {
        c.max_body_bytes = 1 << 20;
        c.limits.max_document_bytes = 1 << 20;
    },
    |app| {
        let query = format!("{}{}", "{a".repeat(20_000), "}".repeat(20_000));
        let error = app.query_error(None, &query, json!({}));
        assert_eq!(code(&error), "QUERY_TOO_COMPLEX");
        let data = app.query(None, "{ viewer { kind } }", json!({}));
        assert_eq!(data["viewer"]["kind"], "ANONYMOUS");
    }
);

spec!(
    too_many_aliases_are_refused,
    config = |c| c.limits.max_aliases = 3,
    |app| {
        let ok = app.query(
            None,
            "{ a: viewer { kind } b: viewer { kind } c: viewer { kind } }",
            json!({}),
        );
        assert_eq!(ok["c"]["kind"], "ANONYMOUS");
        let error = app.query_error(
            None,
            "{ a: viewer { kind } b: viewer { kind } c: viewer { kind } d: viewer { kind } }",
            json!({}),
        );
        assert_eq!(code(&error), "QUERY_TOO_COMPLEX");
        assert_eq!(error["extensions"]["limit"], "aliases");
    }
);

spec!(complexity_multiplies_by_page_size, |app| {
    let key = app.admin_key("clinic");
    let small = "{ viewer { organization { apiKeys(first: 5) { edges { node { id organization { apiKeys(first: 5) { edges { node { id } } } } } } } } } }";
    app.query(Some(&key), small, json!({}));
    let large = "{ viewer { organization { apiKeys(first: 100) { edges { node { id organization { apiKeys(first: 100) { edges { node { id } } } } } } } } } }";
    let error = app.query_error(Some(&key), large, json!({}));
    assert_eq!(code(&error), "QUERY_TOO_COMPLEX");
    assert_eq!(error["extensions"]["limit"], "complexity");
});

spec!(
    documents_over_the_size_limit_are_refused,
    config = |c| c.limits.max_document_bytes = 100,
    |app| {
        let padded = format!("{{ viewer {{ kind }} }} #{}", "x".repeat(120));
        let error = app.query_error(None, &padded, json!({}));
        assert_eq!(code(&error), "QUERY_TOO_COMPLEX");
        assert_eq!(error["extensions"]["limit"], "documentBytes");
    }
);

spec!(introspection_is_on_by_default, |app| {
    let data = app.query(None, "{ __schema { queryType { name } } }", json!({}));
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
});

spec!(
    introspection_can_be_switched_off,
    config = |c| c.limits.introspection = false,
    |app| {
        let error = app.query_error(None, "{ __schema { queryType { name } } }", json!({}));
        assert_eq!(code(&error), "GRAPHQL_VALIDATION_FAILED");
        assert_eq!(
            error["message"],
            "introspection is turned off on this server"
        );
        let data = app.query(None, "{ viewer { kind } }", json!({}));
        assert_eq!(data["viewer"]["kind"], "ANONYMOUS");
    }
);
