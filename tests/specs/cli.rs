//! The `kinship` command line: organizations, keys, migrations and the schema.

use kinship_tests::serde_json::{self, Value};
use kinship_tests::spec;

spec!(
    org_create_prints_the_organization_and_its_admin_key,
    |app| {
        let out = app
            .cli(&[
                "--json",
                "org",
                "create",
                "--name",
                "Riverside Clinic",
                "--slug",
                "riverside",
            ])
            .expect("org create");
        let created: Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(created["organization"]["slug"], "riverside");
        assert_eq!(created["organization"]["name"], "Riverside Clinic");
        assert!(uuid::Uuid::parse_str(created["organization"]["id"].as_str().expect("id")).is_ok());
        assert!(
            created["apiKey"]
                .as_str()
                .expect("key")
                .starts_with("kinship_")
        );

        let taken = app
            .cli(&["org", "create", "--name", "Again", "--slug", "riverside"])
            .expect_err("a slug is unique");
        assert!(taken.contains("already taken"), "{taken}");
        let bad = app
            .cli(&["org", "create", "--name", "Bad", "--slug", "Not A Slug"])
            .expect_err("slugs are validated");
        assert!(bad.contains("lowercase letters"), "{bad}");
        let human = app
            .cli(&["org", "create", "--name", "Hillside", "--slug", "hillside"])
            .expect("org create");
        assert!(human.contains("shown only now"), "{human}");
    }
);

spec!(key_create_validates_the_organization_and_scopes, |app| {
    app.create_org("clinic");
    let unknown_scope = app
        .cli(&["key", "create", "--org", "clinic", "--scopes", "read,owner"])
        .expect_err("unknown scope");
    assert!(
        unknown_scope.contains("admin, read, write"),
        "{unknown_scope}"
    );
    let unknown_org = app
        .cli(&["key", "create", "--org", "elsewhere", "--scopes", "read"])
        .expect_err("unknown organization");
    assert!(
        unknown_org.contains("no organization with slug 'elsewhere'"),
        "{unknown_org}"
    );
    let missing = app.cli(&["key", "revoke", "0190a000-0000-7000-8000-000000000000"]);
    assert!(missing.expect_err("unknown key").contains("no API key"));
});

spec!(migrate_is_idempotent, |app| {
    let out = app.cli(&["--json", "migrate"]).expect("migrate");
    let report: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        report["applied"],
        Value::Array(vec![]),
        "the app already migrated at start"
    );
});

#[test]
fn schema_prints_the_sdl() {
    let config = kinship_tests::test_config("unused.db");
    let sdl = kinship_api::cli::run_args(["kinship", "schema"], &config).expect("schema");
    assert!(sdl.contains("type Viewer"), "{sdl}");
}
