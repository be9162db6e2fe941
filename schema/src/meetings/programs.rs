//! The programs (fellowships) and their meeting type codes, served by `meetingPrograms` and
//! `meetingTypes` from the reference data in [`super::catalog`].

use super::*;

/// A program (fellowship) whose meeting type codes Kinship knows.
#[derive(SimpleObject, Debug, Clone)]
pub struct MeetingProgram {
    /// The program's key, used as `program` elsewhere (`aa`, `na`, `al-anon`).
    pub key: String,
    /// Its name (`Alcoholics Anonymous`).
    pub name: String,
}

/// A meeting type code of a program.
#[derive(SimpleObject, Debug, Clone)]
pub struct MeetingTypeInfo {
    /// The program's key.
    pub program: String,
    /// The code, as Meeting Guide feeds carry it (`O`, `BE`, `ST`).
    pub code: String,
    /// The name in the requested language (English where no translation exists).
    pub name: String,
    /// Whether the code is in the official Meeting Guide list with this meaning.
    pub official: bool,
}

impl MeetingTypeInfo {
    /// A meeting's type codes with their English names (the code itself when unknown).
    pub fn of_meeting(row: &MeetingRow) -> Vec<MeetingTypeInfo> {
        let program = row.program.as_deref().and_then(catalog::program);
        row.type_codes()
            .into_iter()
            .map(|code| {
                let known = program.and_then(|p| p.types.get(&code));
                MeetingTypeInfo {
                    program: row.program.clone().unwrap_or_default(),
                    name: known.map_or(code.clone(), |t| t.name("en").to_owned()),
                    official: known.is_some_and(|t| t.official),
                    code,
                }
            })
            .collect()
    }
}

/// `meetingPrograms` and `meetingTypes`.
#[derive(Default)]
pub struct MeetingCatalogQuery;

#[Object]
impl MeetingCatalogQuery {
    /// The programs whose meeting types Kinship knows, by name.
    async fn meeting_programs(&self) -> Vec<MeetingProgram> {
        let mut programs: Vec<MeetingProgram> = catalog::programs()
            .values()
            .map(|p| MeetingProgram {
                key: p.key.clone(),
                name: p.name.clone(),
            })
            .collect();
        programs.sort_by(|a, b| a.name.cmp(&b.name));
        programs
    }

    /// A program's meeting types, by code, with names in `language` (a BCP 47 tag; the
    /// official codes are translated into en, es, fr, ja, nl, pt, sk, sv and th).
    async fn meeting_types(
        &self,
        #[graphql(desc = "The program's key (`aa`, `na`, ...; see `meetingPrograms`).")]
        program: String,
        #[graphql(desc = "Language of the names (default: en).")] language: Option<String>,
    ) -> async_graphql::Result<Vec<MeetingTypeInfo>> {
        let language = language.unwrap_or_else(|| "en".to_owned());
        let found = catalog::program(&program).ok_or_else(|| {
            ApiError::bad_input(
                "program",
                "unknown program; see meetingPrograms for the keys",
            )
        })?;
        Ok(found
            .types
            .values()
            .map(|t| MeetingTypeInfo {
                program: found.key.clone(),
                code: t.code.clone(),
                name: t.name(&language).to_owned(),
                official: t.official,
            })
            .collect())
    }
}
