//! The one guard every string input passes before any resolver runs: no control characters
//! (tab, line feed and carriage return aside) and at most [`MAX_INPUT_CHARS`] characters, in
//! arguments, variables and input objects at any depth, cursors and ids included. Fields check
//! their own, tighter rules afterwards; this guard is what keeps a NUL byte or a 200 KB string
//! from ever reaching a database. Refusals name the field and never echo the input.

use super::catalog::{Catalog, FieldShape, TypeRef, TypeShape, Wrapper};
use super::cost::Inputs;
use async_graphql::Value as ConstValue;
use async_graphql::parser::types::Field;

/// The longest string any argument accepts, in characters, unless [`LONG_INPUTS`] says
/// otherwise. The longest fields (descriptions) take 2,000.
pub const MAX_INPUT_CHARS: usize = 5_000;

/// Inputs that carry a whole document, bounded by the request body instead.
const LONG_INPUTS: &[(&str, &str)] = &[("ImportMeetingGuideFeedInput", "feed")];

/// A string input that was refused: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRefusal {
    /// The argument path (`input.description`, `filter.groupIds.2`).
    pub field: String,
    /// What is wrong (never the input itself).
    pub message: String,
}

/// Whether a character may appear in text input: any but the control characters, of which
/// tab, line feed and carriage return are allowed.
pub fn allowed_char(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

fn check_string(text: &str, path: &str, bounded: bool) -> Result<(), InputRefusal> {
    if let Some(bad) = text.chars().find(|c| !allowed_char(*c)) {
        return Err(InputRefusal {
            field: path.to_owned(),
            message: format!(
                "remove the control character U+{:04X}: text may hold tabs and line breaks, no other control characters",
                bad as u32
            ),
        });
    }
    if bounded && text.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(InputRefusal {
            field: path.to_owned(),
            message: format!("use at most {MAX_INPUT_CHARS} characters"),
        });
    }
    Ok(())
}

/// Checks every string in a field's arguments.
pub(crate) fn check_arguments(
    catalog: &Catalog,
    field: &Field,
    shape: &FieldShape,
    inputs: &Inputs<'_>,
) -> Result<(), InputRefusal> {
    for (name, argument) in &shape.args {
        let value = inputs.argument(field, name, None);
        check_value(catalog, &value, &argument.ty, name, true)?;
    }
    Ok(())
}

fn check_value(
    catalog: &Catalog,
    value: &ConstValue,
    ty: &TypeRef,
    path: &str,
    bounded: bool,
) -> Result<(), InputRefusal> {
    match value {
        ConstValue::String(text) => check_string(text, path, bounded),
        ConstValue::Enum(name) => check_string(name.as_str(), path, true),
        ConstValue::List(items) => {
            let inner = match ty.unwrap_once() {
                (Wrapper::NonNull, inner) => inner.unwrap_once().1,
                (_, inner) => inner,
            };
            items.iter().enumerate().try_for_each(|(i, item)| {
                check_value(catalog, item, &inner, &format!("{path}.{i}"), bounded)
            })
        }
        ConstValue::Object(fields) => {
            let type_name = ty.named();
            let shapes = match catalog.types.get(type_name) {
                Some(TypeShape::Input(shapes)) => Some(shapes),
                _ => None,
            };
            fields.iter().try_for_each(|(name, item)| {
                let path = format!("{path}.{name}");
                check_string(name.as_str(), &path, true)?;
                let long = LONG_INPUTS
                    .iter()
                    .any(|(t, f)| *t == type_name && *f == name.as_str());
                match shapes.and_then(|s| s.get(name.as_str())) {
                    Some(shape) => check_value(catalog, item, &shape.ty, &path, !long),
                    // A JSON scalar, or a field validation will refuse: check its strings.
                    None => check_value(catalog, item, &TypeRef(String::new()), &path, true),
                }
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_and_line_breaks_kept() {
        assert!(check_string("two\nlines\tand a tab", "f", true).is_ok());
        let refused = check_string("secret\u{0}text", "input.name", true).expect_err("NUL");
        assert_eq!(refused.field, "input.name");
        assert!(refused.message.contains("U+0000"));
        assert!(
            !refused.message.contains("secret"),
            "the input is not echoed"
        );
        assert!(check_string("\u{7f}", "f", true).is_err());
        assert!(check_string("\u{85}", "f", true).is_err());
    }

    #[test]
    fn long_strings_are_refused_unless_the_field_carries_a_document() {
        let long = "x".repeat(MAX_INPUT_CHARS + 1);
        assert!(check_string(&long, "f", true).is_err());
        assert!(check_string(&long, "f", false).is_ok());
        assert!(check_string(&"é".repeat(MAX_INPUT_CHARS), "f", true).is_ok());
    }
}
