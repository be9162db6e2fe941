//! Checks on text that people type, shared by every domain. Kinship stores pseudonyms, never
//! contact details: text that looks like an email address or a phone number is refused.

use crate::error::{ApiError, ApiResult};

/// Trims `value` and checks its length (in characters) and that it holds no contact details.
pub fn text(field: &str, value: &str, min: usize, max: usize) -> ApiResult<String> {
    let value = value.trim();
    let count = value.chars().count();
    if count < min || count > max {
        return Err(ApiError::bad_input(
            field,
            format!("use {min} to {max} characters"),
        ));
    }
    if looks_like_contact_details(value) {
        return Err(ApiError::bad_input(
            field,
            "Kinship does not store email addresses or phone numbers; leave them out",
        ));
    }
    Ok(value.to_owned())
}

/// Whether text holds an email address or a phone number (seven or more digits in a run that
/// allows spaces, dots, dashes and parentheses).
fn looks_like_contact_details(value: &str) -> bool {
    let email = value.split_whitespace().any(|word| {
        word.split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
    });
    let mut digits = 0;
    let mut phone = false;
    for c in value.chars() {
        if c.is_ascii_digit() {
            digits += 1;
            phone |= digits >= 7;
        } else if !matches!(c, ' ' | '.' | '-' | '(' | ')' | '+') {
            digits = 0;
        }
    }
    email || phone
}

/// Validates and normalises BCP 47 language tags (`en`, `es-MX`, `zh-Hant`); duplicates collapse.
pub fn languages(field: &str, tags: &[String]) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for (index, tag) in tags.iter().enumerate() {
        let parsed = language_tags::LanguageTag::parse(tag.trim()).map_err(|_| {
            ApiError::bad_input(
                format!("{field}.{index}"),
                format!("'{tag}' is not a BCP 47 language tag such as 'en' or 'es-MX'"),
            )
        })?;
        let normalised = normalise_case(parsed.as_str());
        if !out.contains(&normalised) {
            out.push(normalised);
        }
    }
    if out.len() > 20 {
        return Err(ApiError::bad_input(field, "at most 20 languages"));
    }
    Ok(out)
}

/// Conventional case: language lower, script title, region upper (`zh-Hant-TW`).
fn normalise_case(tag: &str) -> String {
    tag.split('-')
        .enumerate()
        .map(|(i, part)| match (i, part.len()) {
            (0, _) => part.to_ascii_lowercase(),
            (_, 4) if part.chars().all(|c| c.is_ascii_alphabetic()) => {
                let lower = part.to_ascii_lowercase();
                lower[..1].to_ascii_uppercase() + &lower[1..]
            }
            (_, 2) if part.chars().all(|c| c.is_ascii_alphabetic()) => part.to_ascii_uppercase(),
            _ => part.to_ascii_lowercase(),
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Validates an IANA time zone name (`America/New_York`).
pub fn timezone(field: &str, name: &str) -> ApiResult<String> {
    name.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| {
            ApiError::bad_input(
                field,
                format!("'{name}' is not an IANA time zone such as 'America/New_York'"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_are_refused() {
        assert!(text("displayName", "sam@example.org", 1, 60).is_err());
        assert!(text("displayName", "call 555-123-4567", 1, 60).is_err());
        assert!(text("displayName", "Sam R.", 1, 60).is_ok());
        assert!(text("displayName", "Class of 2024", 1, 60).is_ok());
    }

    #[test]
    fn languages_are_normalised() {
        let tags = vec![
            "EN".to_owned(),
            "es-mx".to_owned(),
            "en".to_owned(),
            "zh-hant-tw".to_owned(),
        ];
        assert_eq!(
            languages("languages", &tags).expect("valid"),
            vec!["en", "es-MX", "zh-Hant-TW"]
        );
        assert!(languages("languages", &["not a tag".to_owned()]).is_err());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(
            timezone("timezone", "America/New_York").expect("valid"),
            "America/New_York"
        );
        assert!(timezone("timezone", "Mars/Olympus").is_err());
    }
}
