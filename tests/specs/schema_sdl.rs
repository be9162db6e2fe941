//! The checked-in SDL (`schema/schema.graphql`) is the schema the server serves.
//! Refresh it with `cargo run -q -- schema > schema/schema.graphql` and review the diff.

use std::path::Path;

#[test]
fn checked_in_sdl_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/schema.graphql");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == kinship_schema::sdl(),
        "schema/schema.graphql is stale: run `cargo run -q -- schema > schema/schema.graphql` and review the diff"
    );
}
