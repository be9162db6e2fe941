//! The checked-in SDL (`schema/schema.graphql`) is the schema the server serves.
//! Refresh it with `KINSHIP_UPDATE_SDL=1 cargo nextest run -E 'test(sdl)'`.

use std::path::Path;

#[test]
fn checked_in_sdl_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/schema.graphql");
    let current = kinship_schema::sdl();
    if std::env::var_os("KINSHIP_UPDATE_SDL").is_some() {
        std::fs::write(&path, &current).expect("write schema.graphql");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == current,
        "schema/schema.graphql is stale: run `KINSHIP_UPDATE_SDL=1 cargo nextest run -E 'test(sdl)'` and review the diff"
    );
}
