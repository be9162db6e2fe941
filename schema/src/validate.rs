//! Checks on text that people type, shared by every domain. Kinship stores pseudonyms, never
//! contact details: text that looks like an email address or a phone number is refused. This
//! is a guard against accidents (a real name and number typed into a profile), not a filter
//! that determined obfuscation cannot pass: the real protection is that no field exists for
//! contact details.

use crate::error::{ApiError, ApiResult};

/// Trims `value` and checks its length (in characters), that it holds no control or
/// direction-override characters, and no contact details: for what members write about
/// themselves (display names, pronouns), where a bare run of seven or more digits is refused
/// too, since that is how a phone number is most often typed into a profile.
pub fn text(field: &str, value: &str, min: usize, max: usize) -> ApiResult<String> {
    checked(field, value, min, max, false)
}

/// As [`text`], for what an organization writes (group and meeting names, descriptions, a
/// credential's issuer): bare digit runs (a cohort number, a room code) pass; formatted phone
/// numbers and email addresses are still refused.
pub fn label(field: &str, value: &str, min: usize, max: usize) -> ApiResult<String> {
    checked(field, value, min, max, true)
}

fn checked(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
    ids_allowed: bool,
) -> ApiResult<String> {
    let value = value.trim();
    if value.chars().count() < min {
        return Err(ApiError::bad_input(
            field,
            format!("use {min} to {max} characters"),
        ));
    }
    bounded(field, value, max)?;
    if looks_like_contact_details(value, ids_allowed) {
        return Err(ApiError::bad_input(
            field,
            "Kinship does not store email addresses or phone numbers; leave them out",
        ));
    }
    Ok(value.to_owned())
}

/// Checks that stored text is at most `max` characters with no hidden control characters
/// (line breaks are text): what every text column holds, however it was written.
pub fn bounded(field: &str, value: &str, max: usize) -> ApiResult<()> {
    if value.chars().nth(max).is_some() {
        return Err(ApiError::bad_input(
            field,
            format!("use at most {max} characters"),
        ));
    }
    if value.chars().any(is_hidden_control) {
        return Err(ApiError::bad_input(
            field,
            "remove control and text-direction characters",
        ));
    }
    Ok(())
}

/// Control characters and the bidirectional overrides that can disguise text.
fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Folds look-alike characters to ASCII: full-width forms, other at-signs and full stops,
/// and digits of any script.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{FE6B}' => '@',
        '\u{3002}' | '\u{FF61}' | '\u{2024}' => '.',
        c if c.is_numeric() => c
            .to_digit(10)
            .and_then(|d| char::from_digit(d, 10))
            .unwrap_or('0'),
        c => c,
    }
}

/// Whether text holds an email address or a phone number. A phone number is a run of seven
/// or more digits that may hold spaces, dots, dashes, parentheses and a plus sign; dates
/// (`2019-03-14`, `14.03.2019`) are not. With `ids_allowed`, bare digit strings (numeric
/// user ids) pass; formatted numbers do not.
pub fn looks_like_contact_details(value: &str, ids_allowed: bool) -> bool {
    let folded: String = value.chars().map(fold).collect();
    let lower = folded.to_lowercase();
    let spelled = [" at ", "[at]", "(at)", "{at}", " [at] ", " (at) "]
        .iter()
        .fold(lower, |text, word| text.replace(word, "@"));
    let compact: String = spelled.chars().filter(|c| !c.is_whitespace()).collect();
    let email = compact.match_indices('@').any(|(at, _)| {
        at > 0
            && compact[at + 1..]
                .split_once('.')
                .is_some_and(|(host, tld)| {
                    !host.is_empty() && tld.chars().next().is_some_and(|c| c.is_alphabetic())
                })
    });
    let bare_id = |run: &str| ids_allowed && run.chars().all(|c| c.is_ascii_digit());
    email || phone_runs(&folded).any(|run| !(is_date(run) || bare_id(run)))
}

/// Runs of digits and phone punctuation that hold seven or more digits.
fn phone_runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')' | '+')))
        .map(|run| run.trim_matches(|c: char| !c.is_ascii_digit() && c != '+' && c != '('))
        .filter(|run| run.chars().filter(char::is_ascii_digit).count() >= 7)
}

/// `YYYY-MM-DD`, `YYYY.MM.DD`, `DD-MM-YYYY` or `DD.MM.YYYY`, and ISO 8601's signed years of
/// more digits (`+10000-01-01`).
fn is_date(run: &str) -> bool {
    let parts: Vec<&str> = run.split(['-', '.']).collect();
    let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
    let year = |s: &str| {
        let unsigned = s.strip_prefix('+').unwrap_or(s);
        unsigned.len() >= 4
            && (unsigned.len() == 4 || s.starts_with('+'))
            && unsigned.chars().all(|c| c.is_ascii_digit())
    };
    parts.len() == 3
        && ((year(parts[0]) && digits(parts[1], 2) && digits(parts[2], 2))
            || (digits(parts[0], 2) && digits(parts[1], 2) && digits(parts[2], 4)))
}

/// Most languages a group, meeting or member lists.
pub const MAX_LANGUAGES: usize = 20;

/// A short, printable excerpt of what a caller typed, for error messages (which never echo
/// more of the input than this).
pub fn excerpt(text: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .take(MAX)
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// Validates and normalises BCP 47 language tags (`en`, `es-MX`, `zh-Hant`); duplicates collapse.
pub fn languages(field: &str, tags: &[String]) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    if tags.len() > MAX_LANGUAGES * 2 {
        return Err(ApiError::bad_input(
            field,
            format!("at most {MAX_LANGUAGES} languages"),
        ));
    }
    for (index, tag) in tags.iter().enumerate() {
        let parsed = language_tags::LanguageTag::parse(tag.trim()).map_err(|_| {
            ApiError::bad_input(
                format!("{field}.{index}"),
                format!(
                    "'{}' is not a BCP 47 language tag such as 'en' or 'es-MX'",
                    excerpt(tag)
                ),
            )
        })?;
        let normalised = normalise_case(parsed.as_str());
        if !out.contains(&normalised) {
            out.push(normalised);
        }
    }
    if out.len() > MAX_LANGUAGES {
        return Err(ApiError::bad_input(
            field,
            format!("at most {MAX_LANGUAGES} languages"),
        ));
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
                format!(
                    "'{}' is not an IANA time zone such as 'America/New_York'",
                    excerpt(name)
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_are_refused() {
        for text in [
            "sam@example.org",
            "robin @ example.com",
            "robin@example\u{3002}com",
            "Robin \u{FF20} example.com",
            "robin[at]gmail.com",
            "call 555-123-4567",
            "Robin \u{FF15}\u{FF15}\u{FF15}-\u{FF11}\u{FF12}\u{FF13}-\u{FF14}\u{FF15}\u{FF16}\u{FF17}",
            "+1 (555) 123 4567",
        ] {
            assert!(looks_like_contact_details(text, false), "{text}");
        }
        for text in [
            "Sam R.",
            "Class of 2024",
            "Clean since 2019-03-14",
            "Step 12 @ home",
            "24/7 support",
            "Born +10000-01-01",
        ] {
            assert!(!looks_like_contact_details(text, false), "{text}");
        }
        assert!(
            !looks_like_contact_details("5551234567", true),
            "numeric user ids pass"
        );
        assert!(looks_like_contact_details("+1 (555) 123-4567", true));
        assert!(text("displayName", "Sam 5551234567", 1, 60).is_err());
        assert!(label("input.name", "Cohort 2026120101", 1, 120).is_ok());
        assert!(label("input.name", "Call 555-123-4567", 1, 120).is_err());
    }

    #[test]
    fn hidden_characters_are_refused() {
        assert!(text("displayName", "Robin\u{0}x", 1, 60).is_err());
        assert!(text("displayName", "Robin \u{202E}moc.elpmaxe", 1, 60).is_err());
        assert!(text("displayName", "Robin", 1, 60).is_ok());
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
