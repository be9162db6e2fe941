//! Organizations and API keys: keys from the CLI and from GraphQL, scopes, revocation,
//! `lastUsedAt`, tenant isolation, and the connection and node plumbing they use.

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{code, spec};

const VIEWER: &str =
    "{ viewer { kind scopes organization { id slug name } apiKey { id prefix lastUsedAt } } }";

const CREATE_KEY: &str = "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id name scopes prefix revokedAt } } }";

fn create_key(app: &kinship_tests::TestApp, admin: &str, name: &str, scopes: Value) -> Value {
    app.query(
        Some(admin),
        CREATE_KEY,
        json!({ "input": { "name": name, "scopes": scopes } }),
    )["createApiKey"]
        .clone()
}

spec!(the_key_from_org_create_is_recognised_by_viewer, |app| {
    let created = app.create_org("riverside-clinic");
    let key = created["apiKey"].as_str().expect("key");
    assert!(key.starts_with("kinship_"));
    let viewer = app.query(Some(key), VIEWER, json!({}))["viewer"].clone();
    assert_eq!(viewer["kind"], "API_KEY");
    assert_eq!(viewer["scopes"], json!(["ADMIN"]));
    assert_eq!(viewer["organization"]["slug"], "riverside-clinic");
    assert_eq!(viewer["organization"]["name"], "Org riverside-clinic");
    assert_eq!(viewer["apiKey"]["prefix"], &key[..12]);
    assert!(
        viewer["apiKey"]["lastUsedAt"].is_string(),
        "lastUsedAt is recorded: {viewer}"
    );
});

spec!(a_wrong_or_malformed_key_is_unauthenticated, |app| {
    app.admin_key("clinic");
    for header in [
        "Bearer kinship_not-a-real-key",
        "Bearer nonsense",
        "Basic dXNlcjpwYXNz",
        "Bearer ",
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header("authorization", header)
            .json(&json!({ "query": "{ viewer { kind } }" }))
            .send()
            .expect("answer");
        assert_eq!(response.status(), 401, "{header}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: Value = response.json().expect("json");
        assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED", "{header}");
    }
});

spec!(
    keys_created_over_graphql_work_and_show_their_secret_once,
    |app| {
        let admin = app.admin_key("clinic");
        let created = create_key(&app, &admin, "reporting dashboard", json!(["READ"]));
        let secret = created["secret"].as_str().expect("secret");
        assert_eq!(created["apiKey"]["scopes"], json!(["READ"]));
        assert_eq!(created["apiKey"]["prefix"], &secret[..12]);

        let viewer = app.query(Some(secret), VIEWER, json!({}))["viewer"].clone();
        assert_eq!(viewer["scopes"], json!(["READ"]));

        let listed = app.query(
        Some(&admin),
        "{ viewer { organization { apiKeys { totalCount edges { node { name prefix scopes } } } } } }",
        json!({}),
    );
        let text = listed.to_string();
        assert!(!text.contains(secret), "a listing never shows a secret");
        assert_eq!(listed["viewer"]["organization"]["apiKeys"]["totalCount"], 2);
    }
);

spec!(
    a_missing_scope_is_forbidden_and_anonymous_callers_must_authenticate,
    |app| {
        let admin = app.admin_key("clinic");
        let reader = create_key(&app, &admin, "reader", json!(["READ", "WRITE"]))["secret"]
            .as_str()
            .expect("secret")
            .to_owned();
        let input = json!({ "input": { "name": "escalation", "scopes": ["ADMIN"] } });
        let error = app.query_error(Some(&reader), CREATE_KEY, input.clone());
        assert_eq!(code(&error), "FORBIDDEN");
        let error = app.query_error(None, CREATE_KEY, input);
        assert_eq!(code(&error), "UNAUTHENTICATED");
        let error = app.query_error(
            Some(&reader),
            "{ viewer { organization { apiKeys { totalCount } } } }",
            json!({}),
        );
        assert_eq!(code(&error), "FORBIDDEN");
    }
);

spec!(bad_key_input_is_a_bad_user_input_error, |app| {
    let admin = app.admin_key("clinic");
    let error = app.query_error(
        Some(&admin),
        CREATE_KEY,
        json!({ "input": { "name": "  ", "scopes": ["READ"] } }),
    );
    assert_eq!(code(&error), "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], "name");
    let error = app.query_error(
        Some(&admin),
        CREATE_KEY,
        json!({ "input": { "name": "x", "scopes": [] } }),
    );
    assert_eq!(code(&error), "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], "scopes");
});

spec!(revoked_keys_stop_working_at_once, |app| {
    let admin = app.admin_key("clinic");
    let created = create_key(&app, &admin, "old integration", json!(["READ"]));
    let secret = created["secret"].as_str().expect("secret");
    let id = created["apiKey"]["id"].clone();
    app.query(Some(secret), VIEWER, json!({}));

    let revoke = "mutation($id: ID!) { revokeApiKey(input: { id: $id }) { id revokedAt } }";
    let revoked = app.query(Some(&admin), revoke, json!({ "id": id }));
    assert!(revoked["revokeApiKey"]["revokedAt"].is_string());
    let (status, body) = app.post(Some(secret), VIEWER, json!({}));
    assert_eq!(status, 401);
    assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED");

    let again = app.query(Some(&admin), revoke, json!({ "id": id }));
    assert_eq!(
        again["revokeApiKey"]["revokedAt"],
        revoked["revokeApiKey"]["revokedAt"]
    );
});

spec!(the_cli_revokes_keys, |app| {
    let created = app.create_org("clinic");
    let key = created["apiKey"].as_str().expect("key").to_owned();
    let out = app
        .cli(&[
            "--json",
            "key",
            "create",
            "--org",
            "clinic",
            "--scopes",
            "read,write",
        ])
        .expect("key create");
    let made: Value = kinship_tests::serde_json::from_str(&out).expect("json");
    let secret = made["apiKey"].as_str().expect("secret");
    assert_eq!(made["key"]["scopes"], json!(["read", "write"]));
    assert_eq!(
        app.query(Some(secret), VIEWER, json!({}))["viewer"]["scopes"],
        json!(["READ", "WRITE"])
    );

    let id = made["key"]["id"].as_str().expect("id");
    let node = app.query(
        Some(&key),
        "query($id: ID!) { node(id: $id) { ... on ApiKey { name } } }",
        json!({ "id": made["key"]["nodeId"] }),
    );
    assert_eq!(
        node["node"]["name"], "created with the CLI",
        "the CLI prints the GraphQL id too"
    );
    app.cli(&["key", "revoke", id]).expect("key revoke");
    let (status, _) = app.post(Some(secret), VIEWER, json!({}));
    assert_eq!(status, 401);
    let (status, _) = app.post(Some(&key), VIEWER, json!({}));
    assert_eq!(status, 200, "other keys keep working");
});

spec!(nothing_crosses_organizations, |app| {
    let admin_a = app.admin_key("clinic-a");
    let admin_b = app.admin_key("clinic-b");
    let key_a = create_key(&app, &admin_a, "a's integration", json!(["READ"]));
    let key_a_id = key_a["apiKey"]["id"].clone();
    let org_a_id =
        app.query(Some(&admin_a), VIEWER, json!({}))["viewer"]["organization"]["id"].clone();

    let seen = app.query(
        Some(&admin_b),
        "query($id: ID!) { node(id: $id) { id } }",
        json!({ "id": key_a_id }),
    );
    assert_eq!(seen["node"], Value::Null, "B cannot see A's key");
    let seen = app.query(
        None,
        "query($id: ID!) { node(id: $id) { id } }",
        json!({ "id": key_a_id }),
    );
    assert_eq!(
        seen["node"],
        Value::Null,
        "anonymous callers cannot see keys"
    );

    let error = app.query_error(
        Some(&admin_b),
        "mutation($id: ID!) { revokeApiKey(input: { id: $id }) { id } }",
        json!({ "id": key_a_id }),
    );
    assert_eq!(code(&error), "NOT_FOUND");
    let still = app.post(
        Some(key_a["secret"].as_str().expect("secret")),
        VIEWER,
        json!({}),
    );
    assert_eq!(still.0, 200, "A's key still works");

    let error = app.query_error(
        Some(&admin_b),
        "query($id: ID!) { node(id: $id) { ... on Organization { slug apiKeys { totalCount } } } }",
        json!({ "id": org_a_id }),
    );
    assert_eq!(code(&error), "FORBIDDEN");
    let public = app.query(
        None,
        "query($id: ID!) { node(id: $id) { ... on Organization { slug } } }",
        json!({ "id": org_a_id }),
    );
    assert_eq!(
        public["node"]["slug"], "clinic-a",
        "an organization's name and slug are public"
    );
});

spec!(connections_page_with_cursors_and_count, |app| {
    let admin = app.admin_key("clinic");
    for n in 1..=4 {
        create_key(&app, &admin, &format!("key {n}"), json!(["READ"]));
    }
    let page = "query($after: String) { viewer { organization { apiKeys(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } } } }";
    let names = |data: &Value| -> Vec<String> {
        data["viewer"]["organization"]["apiKeys"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let first = app.query(Some(&admin), page, json!({ "after": null }));
    let keys = &first["viewer"]["organization"]["apiKeys"];
    assert_eq!(keys["totalCount"], 5);
    assert_eq!(keys["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        names(&first),
        vec!["admin (created with the organization)", "key 1"]
    );
    let second = app.query(
        Some(&admin),
        page,
        json!({ "after": keys["pageInfo"]["endCursor"] }),
    );
    assert_eq!(names(&second), vec!["key 2", "key 3"]);
    let third = app.query(
        Some(&admin),
        page,
        json!({ "after": second["viewer"]["organization"]["apiKeys"]["pageInfo"]["endCursor"] }),
    );
    assert_eq!(names(&third), vec!["key 4"]);
    assert_eq!(
        third["viewer"]["organization"]["apiKeys"]["pageInfo"]["hasNextPage"],
        false
    );

    let error = app.query_error(
        Some(&admin),
        "{ viewer { organization { apiKeys(first: 101) { totalCount } } } }",
        json!({}),
    );
    assert_eq!(code(&error), "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], "first");
    let error = app.query_error(Some(&admin), page, json!({ "after": "bm90IGEgY3Vyc29y" }));
    assert_eq!(code(&error), "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], "after");
});

spec!(node_and_nodes_resolve_global_ids, |app| {
    let admin = app.admin_key("clinic");
    let viewer = app.query(Some(&admin), VIEWER, json!({}))["viewer"].clone();
    let org_id = viewer["organization"]["id"].clone();
    let key_id = viewer["apiKey"]["id"].clone();
    let data = app.query(
        Some(&admin),
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        json!({ "ids": [key_id, org_id] }),
    );
    assert_eq!(data["nodes"][0]["__typename"], "ApiKey");
    assert_eq!(data["nodes"][0]["id"], key_id);
    assert_eq!(data["nodes"][1]["__typename"], "Organization");
    let error = app.query_error(None, "{ node(id: \"garbage\") { id } }", json!({}));
    assert_eq!(code(&error), "BAD_USER_INPUT");
});
