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

/// Every type, field, argument, input field and enum value in the SDL has a description:
/// what GraphiQL, codegen and every client's editor show.
#[test]
fn everything_in_the_sdl_is_described() {
    let missing = undescribed(&kinship_schema::sdl());
    assert!(
        missing.is_empty(),
        "{} places in the SDL have no description (a `///` on the resolver, field or variant; `#[graphql(desc = ...)]` on an argument):\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_description_check_finds_what_is_missing() {
    let sdl =
        "\"A\" type A { \"f\" f(x: Int): Int g: Int } enum E { \"v\" V W } type B { \"h\" h: Int }";
    assert_eq!(undescribed(sdl), vec!["A.f(x)", "A.g", "E", "E.W", "B"]);
}

/// The places in `sdl` without a description.
fn undescribed(sdl: &str) -> Vec<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let document = async_graphql::parser::parse_schema(sdl).expect("the SDL parses");
    let mut missing = Vec::new();
    let inputs = |owner: &str,
                  values: &[async_graphql::Positioned<
        async_graphql::parser::types::InputValueDefinition,
    >],
                  missing: &mut Vec<String>| {
        for value in values {
            if value.node.description.is_none() {
                missing.push(format!("{owner}{}", value.node.name.node));
            }
        }
    };
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let ty = &ty.node;
        let name = ty.name.node.as_str();
        if ty.description.is_none() {
            missing.push(name.to_owned());
        }
        match &ty.kind {
            TypeKind::Object(object) => {
                for field in &object.fields {
                    let field = &field.node;
                    if field.description.is_none() {
                        missing.push(format!("{name}.{}", field.name.node));
                    }
                    let owner = format!("{name}.{}(", field.name.node);
                    let before = missing.len();
                    inputs(&owner, &field.arguments, &mut missing);
                    for entry in &mut missing[before..] {
                        entry.push(')');
                    }
                }
            }
            TypeKind::Interface(interface) => {
                for field in &interface.fields {
                    if field.node.description.is_none() {
                        missing.push(format!("{name}.{}", field.node.name.node));
                    }
                }
            }
            TypeKind::InputObject(input) => {
                inputs(&format!("{name}."), &input.fields, &mut missing)
            }
            TypeKind::Enum(values) => {
                for value in &values.values {
                    if value.node.description.is_none() {
                        missing.push(format!("{name}.{}", value.node.value.node));
                    }
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
    }
    missing
}
