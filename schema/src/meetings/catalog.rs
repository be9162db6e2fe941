//! The meeting type catalog, compiled in from the Meeting Guide reference data
//! (`schema/data/meeting-guide/`): for each program (AA, NA, Al-Anon, SMART, ...) its type
//! codes, with names in the languages the official list translates. Codes collide across
//! programs (`SP` is "Speaker" in AA and "Spanish" in ACA), so a type is keyed by
//! (program, code). The official list's language codes (`EN`, `ES`, ...) are not types:
//! languages are a field of their own.

use std::collections::BTreeMap;
use std::sync::OnceLock;

const OFFICIAL: &str = include_str!("../../data/meeting-guide/meeting-guide-types.json");
const PROGRAMS: &str = include_str!("../../data/meeting-guide/tsml-program-types.json");

/// A meeting type of one program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingType {
    /// The code, as feeds carry it (`O`, `BE`, `ST`).
    pub code: String,
    /// Names by language (BCP 47 primary tag); English is always there.
    pub names: BTreeMap<String, String>,
    /// Whether the code is in the official Meeting Guide list with this meaning.
    pub official: bool,
}

impl MeetingType {
    /// The name in `language` (its primary subtag), falling back to English.
    pub fn name(&self, language: &str) -> &str {
        let primary = language
            .split('-')
            .next()
            .unwrap_or(language)
            .to_ascii_lowercase();
        self.names
            .get(&primary)
            .or_else(|| self.names.get("en"))
            .map_or(self.code.as_str(), String::as_str)
    }
}

/// A program (fellowship) and its type codes.
#[derive(Debug, Clone)]
pub struct Program {
    /// The program's key (`aa`, `na`, `al-anon`).
    pub key: String,
    /// Its name (`Alcoholics Anonymous`).
    pub name: String,
    /// Its types by code.
    pub types: BTreeMap<String, MeetingType>,
}

/// The official list's 38 language codes, by BCP 47 primary language: languages are a field of
/// their own in Kinship and become these codes only in Meeting Guide feeds.
const LANGUAGE_CODES: [(&str, &str); 38] = [
    ("af", "AF"),
    ("am", "AM"),
    ("ar", "AR"),
    ("bg", "BG"),
    ("da", "DA"),
    ("de", "DE"),
    ("el", "EL"),
    ("en", "EN"),
    ("es", "S"),
    ("fa", "FA"),
    ("fi", "FI"),
    ("fr", "FR"),
    ("he", "HE"),
    ("hi", "HI"),
    ("hr", "HR"),
    ("hu", "HU"),
    ("is", "IS"),
    ("it", "ITA"),
    ("ja", "JA"),
    ("ka", "KA"),
    ("ko", "KOR"),
    ("lt", "LT"),
    ("ml", "ML"),
    ("mt", "MT"),
    ("ne", "NE"),
    ("nl", "NL"),
    ("no", "NO"),
    ("pa", "PUN"),
    ("pl", "POL"),
    ("pt", "POR"),
    ("ru", "RUS"),
    ("sk", "SK"),
    ("sl", "SL"),
    ("sv", "SV"),
    ("th", "TH"),
    ("tl", "TL"),
    ("tr", "TUR"),
    ("uk", "UK"),
];

/// The Meeting Guide language code of a BCP 47 tag (`es-MX` gives `S`), if the list has one.
pub fn language_code(tag: &str) -> Option<&'static str> {
    let primary = tag.split('-').next()?.to_ascii_lowercase();
    LANGUAGE_CODES
        .iter()
        .find(|(language, _)| *language == primary)
        .map(|(_, code)| *code)
}

/// The BCP 47 primary language of a Meeting Guide language code (`S` gives `es`), if it is one.
pub fn language_of_code(code: &str) -> Option<&'static str> {
    LANGUAGE_CODES
        .iter()
        .find(|(_, c)| c.eq_ignore_ascii_case(code))
        .map(|(language, _)| *language)
}

/// Every program, by key.
pub fn programs() -> &'static BTreeMap<String, Program> {
    static CATALOG: OnceLock<BTreeMap<String, Program>> = OnceLock::new();
    CATALOG.get_or_init(|| build(OFFICIAL, PROGRAMS))
}

/// One program's catalog.
pub fn program(key: &str) -> Option<&'static Program> {
    programs().get(&key.to_ascii_lowercase())
}

#[derive(serde::Deserialize)]
struct ProgramEntry {
    name: String,
    types: BTreeMap<String, String>,
}

fn build(official: &str, programs: &str) -> BTreeMap<String, Program> {
    // The reference data is compiled in and checked by the tests below; a parse failure here
    // would be a build of broken data, so it yields an empty catalog rather than a panic.
    let official: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(official).unwrap_or_default();
    let entries: BTreeMap<String, ProgramEntry> =
        serde_json::from_str(programs).unwrap_or_default();
    entries
        .into_iter()
        .map(|(key, entry)| {
            let types = entry
                .types
                .into_iter()
                .map(|(code, english)| {
                    let translated = official
                        .get(&code)
                        .filter(|names| names.get("en") == Some(&english));
                    let names = translated
                        .cloned()
                        .unwrap_or_else(|| BTreeMap::from([("en".to_owned(), english.clone())]));
                    let meeting_type = MeetingType {
                        code: code.clone(),
                        names,
                        official: translated.is_some(),
                    };
                    (code, meeting_type)
                })
                .collect();
            let program = Program {
                key: key.clone(),
                name: entry.name,
                types,
            };
            (key, program)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_data_loads_with_every_program() {
        assert_eq!(programs().len(), 27);
        let aa = program("AA").expect("aa");
        assert_eq!(aa.name, "Alcoholics Anonymous");
        assert_eq!(aa.types["O"].name("es"), "Abierta");
        assert!(aa.types["O"].official);
        assert!(!aa.types.contains_key("EN"), "languages are not types");
        let official: BTreeMap<String, BTreeMap<String, String>> =
            serde_json::from_str(OFFICIAL).expect("official list");
        for (_, code) in LANGUAGE_CODES {
            assert!(official.contains_key(code), "{code} is an official code");
        }
        assert_eq!(language_code("es-MX"), Some("S"));
        assert_eq!(language_code("zz"), None);
        assert_eq!(language_of_code("S"), Some("es"));
        assert_eq!(language_of_code("O"), None);
    }

    #[test]
    fn codes_are_keyed_by_program() {
        assert_eq!(program("aa").expect("aa").types["SP"].name("en"), "Speaker");
        assert_eq!(
            program("aca").expect("aca").types["A"].name("en"),
            "Age Restricted 18+"
        );
        assert_eq!(program("aa").expect("aa").types["A"].name("en"), "Secular");
        assert!(
            !program("aca").expect("aca").types["A"].official,
            "a colliding code keeps its own meaning"
        );
        assert_eq!(
            program("na").expect("na").types["BT"].name("fr"),
            "Basic Text",
            "English when untranslated"
        );
    }
}
