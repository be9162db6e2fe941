//! GraphQL over HTTP: methods, media types, batching, request ids, GraphiQL and probes.

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{code, spec};

spec!(an_anonymous_caller_is_told_it_is_anonymous, |app| {
    let data = app.query(
        None,
        "{ viewer { kind scopes organization { id } apiKey { id } } }",
        json!({}),
    );
    assert_eq!(
        data,
        json!({ "viewer": { "kind": "ANONYMOUS", "scopes": [], "organization": null, "apiKey": null } })
    );
});

spec!(queries_work_over_get, |app| {
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[
            ("query", "query Who { viewer { kind } }"),
            ("operationName", "Who"),
        ])
        .send()
        .expect("answer");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().expect("json");
    assert_eq!(body["data"]["viewer"]["kind"], "ANONYMOUS");
});

spec!(a_mutation_over_get_is_refused_and_changes_nothing, |app| {
    let key = app.admin_key("clinic");
    let mutation =
        r#"mutation { createApiKey(input: { name: "via get", scopes: [READ] }) { secret } }"#;
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", mutation)])
        .bearer_auth(&key)
        .send()
        .expect("answer");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let body: Value = response.json().expect("json");
    assert_eq!(code(&body["errors"][0]), "METHOD_NOT_ALLOWED");
    let data = app.query(
        Some(&key),
        "{ viewer { organization { apiKeys { totalCount } } } }",
        json!({}),
    );
    assert_eq!(data["viewer"]["organization"]["apiKeys"]["totalCount"], 1);
});

spec!(
    an_oversized_body_is_refused,
    config = |c| c.max_body_bytes = 4096,
    |app| {
        let padding = "x".repeat(5000);
        let (status, body) = app.post(None, "{ viewer { kind } }", json!({ "padding": padding }));
        assert_eq!(status, 413);
        assert_eq!(code(&body["errors"][0]), "PAYLOAD_TOO_LARGE");
        assert_eq!(body["errors"][0]["extensions"]["max"], 4096);
    }
);

spec!(malformed_bodies_and_media_types_get_clear_errors, |app| {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .expect("answer");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().expect("json");
    assert_eq!(code(&body["errors"][0]), "BAD_REQUEST");

    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "text/plain")
        .body("{ viewer { kind } }")
        .send()
        .expect("answer");
    assert_eq!(response.status(), 415);
    let body: Value = response.json().expect("json");
    assert_eq!(code(&body["errors"][0]), "UNSUPPORTED_MEDIA_TYPE");

    let response = app.client.put(app.url("/graphql")).send().expect("answer");
    assert_eq!(response.status(), 405);
});

spec!(request_errors_follow_the_accepted_media_type, |app| {
    let send = |accept: &str| {
        app.client
            .post(app.url("/graphql"))
            .header("accept", accept)
            .json(&json!({ "query": "{ viewer { kind" }))
            .send()
            .expect("answer")
    };
    let modern = send("application/graphql-response+json");
    assert_eq!(modern.status(), 400);
    assert!(
        modern.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/graphql-response+json")
    );
    let body: Value = modern.json().expect("json");
    assert_eq!(code(&body["errors"][0]), "GRAPHQL_PARSE_FAILED");

    let legacy = send("application/json");
    assert_eq!(legacy.status(), 200);
    let body: Value = legacy.json().expect("json");
    assert_eq!(code(&body["errors"][0]), "GRAPHQL_PARSE_FAILED");

    let error = app.query_error(None, "{ viewer { nonsense } }", json!({}));
    assert_eq!(code(&error), "GRAPHQL_VALIDATION_FAILED");
});

spec!(
    batched_requests_answer_in_order_up_to_the_limit,
    config = |c| c.limits.max_batch = 2,
    |app| {
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&json!([
                { "query": "{ viewer { kind } }" },
                { "query": "{ viewer { scopes } }" }
            ]))
            .send()
            .expect("answer");
        let body: Value = response.json().expect("json");
        assert_eq!(body[0]["data"]["viewer"]["kind"], "ANONYMOUS");
        assert_eq!(body[1]["data"]["viewer"]["scopes"], json!([]));

        for batch in [
            json!([{ "query": "{ a: viewer { kind } }" }, { "query": "{ viewer { kind } }" }, { "query": "{ viewer { kind } }" }]),
            json!([]),
        ] {
            let response = app
                .client
                .post(app.url("/graphql"))
                .json(&batch)
                .send()
                .expect("answer");
            assert_eq!(
                response.status(),
                200,
                "a refused batch follows the errors table"
            );
            let body: Value = response.json().expect("json");
            assert_eq!(code(&body["errors"][0]), "QUERY_TOO_COMPLEX");
            assert_eq!(body["errors"][0]["extensions"]["limit"], "batch");
        }
    }
);

spec!(every_error_has_a_code_and_failed_fields_are_null, |app| {
    let two_operations = "query A { viewer { kind } } query B { viewer { scopes } }";
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": two_operations }))
        .send()
        .expect("answer");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().expect("json");
    assert_eq!(
        code(&body["errors"][0]),
        "GRAPHQL_VALIDATION_FAILED",
        "{body}"
    );
    let error = app.query_error(None, two_operations, json!({}));
    assert_eq!(code(&error), "GRAPHQL_VALIDATION_FAILED");

    let (_, body) = app.post(
        None,
        "{ viewer { kind } c: node(id: \"xx\") { id } }",
        json!({}),
    );
    assert_eq!(body["data"]["viewer"]["kind"], "ANONYMOUS");
    assert!(
        body["data"].as_object().expect("data").contains_key("c"),
        "the failed field is there, as null: {body}"
    );
    assert_eq!(body["data"]["c"], Value::Null);
    assert_eq!(code(&body["errors"][0]), "BAD_USER_INPUT");
});

spec!(
    browsers_get_cors_only_from_configured_origins,
    config = |c| c.cors_origins = vec!["https://portal.example.org".into()],
    |app| {
        let preflight = |origin: &str| {
            app.client
                .request(reqwest::Method::OPTIONS, app.url("/graphql"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization, content-type",
                )
                .send()
                .expect("answer")
        };
        let allowed = preflight("https://portal.example.org");
        assert_eq!(allowed.status(), 200);
        assert_eq!(
            allowed.headers()["access-control-allow-origin"],
            "https://portal.example.org"
        );
        let refused = preflight("https://elsewhere.example.com");
        assert!(
            refused
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );
    }
);

spec!(every_response_carries_a_request_id, |app| {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("x-request-id", "trace-me-42")
        .json(&json!({ "query": "{ viewer { kind } }" }))
        .send()
        .expect("answer");
    assert_eq!(response.headers()["x-request-id"], "trace-me-42");
    let response = app.client.get(app.url("/healthz")).send().expect("answer");
    let generated = response.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(generated.len(), 32);
});

spec!(graphiql_probes_and_unknown_routes, |app| {
    let root = app.client.get(app.url("/")).send().expect("answer");
    assert_eq!(root.status(), 302);
    assert_eq!(root.headers()["location"], "/graphiql");

    let page = app.client.get(app.url("/graphiql")).send().expect("answer");
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(policy.contains("default-src 'none'") && policy.contains("script-src 'self';"));
    assert!(!policy.contains("http"), "no other origin: {policy}");
    let html = page.text().expect("html");
    let assets: Vec<&str> = html
        .split('"')
        .filter(|s| s.starts_with("/graphiql/assets/"))
        .collect();
    assert_eq!(assets.len(), 6, "{html}");
    for asset in assets {
        let file = app.client.get(app.url(asset)).send().expect("answer");
        assert_eq!(file.status(), 200, "{asset}");
        let kind = file.headers()["content-type"].to_str().expect("ascii");
        assert!(kind.starts_with("text/"), "{asset}: {kind}");
        assert!(file.bytes().expect("body").len() > 20, "{asset}");
    }
    let unknown = app
        .client
        .get(app.url("/graphiql/assets/nothing.js"))
        .send()
        .expect("answer");
    assert_eq!(unknown.status(), 404);

    let health: Value = app
        .client
        .get(app.url("/healthz"))
        .send()
        .expect("answer")
        .json()
        .expect("json");
    assert_eq!(health["status"], "ok");
    let ready = app.client.get(app.url("/readyz")).send().expect("answer");
    assert_eq!(ready.status(), 200);

    let missing = app.client.get(app.url("/nowhere")).send().expect("answer");
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().expect("json");
    assert_eq!(code(&body["errors"][0]), "NOT_FOUND");
});

spec!(
    graphiql_can_be_turned_off,
    config = |c| c.graphiql = false,
    |app| {
        for path in ["/graphiql", "/graphiql/assets/kinship-graphiql.js", "/"] {
            let answer = app.client.get(app.url(path)).send().expect("answer");
            assert_eq!(answer.status(), 404, "{path}");
            let body: Value = answer.json().expect("json");
            assert_eq!(code(&body["errors"][0]), "NOT_FOUND", "{path}");
        }
        let (status, _) = app.post(None, "{ __typename }", json!({}));
        assert_eq!(status, 200, "the API still answers");
    }
);

spec!(
    a_failed_field_nulls_the_nearest_nullable_position_as_the_spec_says,
    |app| {
        let key = app.admin_key("clinic");
        let group = app.public_group(&key, "Evening circle");
        app.create_meeting(&key, kinship_tests::weekly_meeting(&group, json!({})))
            .expect("meeting");
        let answer = |query: &str| app.post(Some(&key), query, json!({})).1;

        // `meetingTypes: [MeetingTypeInfo!]!` at the root: nothing nullable holds it.
        let types = answer("{ meetingTypes(program: \"xx\") { code } }");
        assert_eq!(types["data"], Value::Null, "{types}");
        assert_eq!(code(&types["errors"][0]), "BAD_USER_INPUT");

        // `occurrences: [Occurrence!]!` in `nodes: [Meeting!]!`: the connection is nulled.
        let inner = answer(
            "{ meetings(first: 1) { totalCount nodes { name occurrences(first: 0) { start } } } programs: meetingPrograms { key } }",
        );
        assert_eq!(inner["data"]["meetings"], Value::Null, "{inner}");
        assert!(
            inner["data"]["programs"].is_array(),
            "the rest answers: {inner}"
        );
        assert_eq!(
            inner["errors"][0]["path"],
            json!(["meetings", "nodes", 0, "occurrences"])
        );

        // The same key selected twice is one field (the spec merges them): still nulled.
        let merged = answer(
            "{ meetings(first: 1) { totalCount } meetings(first: 1) { nodes { occurrences(first: 0) { start } } } }",
        );
        assert_eq!(merged["data"]["meetings"], Value::Null, "{merged}");

        // A nullable field is nulled where it stands, aliases and all.
        let nullable = answer(
            "{ big: meetings(first: 500) { totalCount } small: meetings(first: 1) { totalCount } }",
        );
        assert_eq!(nullable["data"]["big"], Value::Null, "{nullable}");
        assert_eq!(nullable["data"]["small"]["totalCount"], 1);

        // A mutation's payload is non-null: its failure nulls `data`.
        let (_, refused) = app.post(
            Some(&key),
            "mutation($g: ID!) { createMeeting(input: { groupId: $g, name: \"x\", timezone: \"Mars/Olympus\", attendanceMode: ONLINE, online: { url: \"https://meet.example.org/x\" }, schedule: { startTime: \"19:00\", durationMinutes: 60, startsOn: \"2026-01-06\" } }) { id } }",
            json!({ "g": group }),
        );
        assert_eq!(refused["data"], Value::Null, "{refused}");
        assert_eq!(code(&refused["errors"][0]), "BAD_USER_INPUT");

        // Which is why a document runs one mutation: a second one's failure would hide the
        // first one's result.
        let (_, two) = app.post(
            Some(&key),
            "mutation { a: revokeApiKey(input: { id: \"x\" }) { id } b: revokeApiKey(input: { id: \"y\" }) { id } }",
            json!({}),
        );
        assert_eq!(
            code(&two["errors"][0]),
            "GRAPHQL_VALIDATION_FAILED",
            "{two}"
        );
        assert!(
            two["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("batch")),
            "{two}"
        );
    }
);

spec!(every_route_answers_head_and_errors_in_one_shape, |app| {
    for path in [
        "/healthz",
        "/readyz",
        "/graphiql",
        "/graphiql/assets/kinship-graphiql.js",
    ] {
        let head = app.client.head(app.url(path)).send().expect("answer");
        assert_eq!(head.status(), 200, "HEAD {path}");
        let get = app.client.get(app.url(path)).send().expect("answer");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "HEAD {path} answers GET's headers"
        );
        assert!(
            head.bytes().expect("body").is_empty(),
            "HEAD {path} has no body"
        );
    }
    for path in [
        "/feeds/meetings/not-a-uuid.ics",
        "/feeds/meetings/00000000-0000-0000-0000-000000000000.ics",
        "/feeds/groups/00000000-0000-0000-0000-000000000000.ics",
        "/feeds/meeting-guide/nobody.json",
        "/feeds/meeting-guide/nobody",
        "/nowhere",
    ] {
        let missing = app.client.get(app.url(path)).send().expect("answer");
        assert_eq!(missing.status(), 404, "{path}");
        let body: Value = missing.json().expect("a JSON body");
        assert_eq!(code(&body["errors"][0]), "NOT_FOUND", "{path}: {body}");
        assert!(body["errors"][0]["message"].is_string(), "{path}: {body}");
    }
});
