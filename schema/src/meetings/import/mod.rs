//! Importing a Meeting Guide feed into an organization, as a sync: each imported meeting keeps
//! its feed slug and a hash of what was imported, so running the same import again changes
//! nothing, a changed entry updates its meeting, a new one adds a meeting and a meeting gone
//! from the feed is set inactive (never deleted: its RSVPs and attendance stay). Entries that
//! cannot be meetings are rejected one by one with their line in the file; the rest land in
//! one transaction, so no meeting is ever half imported.

mod draft;
mod entry;
mod graphql;
mod model;
mod sync;

pub use entry::Defaults;
pub use graphql::MeetingImportMutation;

use crate::db::{DbConnection, Id};
use crate::error::{ApiError, ApiResult};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// A label for the feed (`meeting-guide` by default): an organization may sync several
    /// feeds, each removing only its own meetings.
    pub source: String,
    /// Time zone and program for entries that leave them out.
    pub defaults: Defaults,
    /// Report what would change without changing anything.
    pub dry_run: bool,
}

/// The label used when none is given.
pub const DEFAULT_SOURCE: &str = "meeting-guide";

/// An entry the import rejected, or imported with something left out.
#[derive(Debug, Clone, PartialEq, serde::Serialize, async_graphql::SimpleObject)]
#[graphql(name = "ImportProblem")]
pub struct Problem {
    /// Line of the file where the entry starts.
    pub line: usize,
    /// The entry's slug, when it has one.
    pub slug: Option<String>,
    /// What is wrong, for people.
    pub message: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, serde::Serialize, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "MeetingImportReport", complex)]
pub struct ImportReport {
    /// The feed's label.
    pub source: String,
    /// Entries in the feed.
    pub entries: usize,
    /// Meetings they make once entries that split a meeting by weekday are merged.
    pub meetings: usize,
    /// Meetings created.
    pub added: usize,
    /// Meetings changed, or brought back after leaving the feed.
    pub updated: usize,
    /// Meetings already as the feed has them.
    pub unchanged: usize,
    /// Meetings no longer in the feed, now inactive (kept with their history).
    pub removed: usize,
    /// Entries not imported, by line.
    #[graphql(skip)]
    pub rejected: Vec<Problem>,
    /// Entries imported with something left out (an unknown type code, a country name).
    #[graphql(skip)]
    pub warnings: Vec<Problem>,
    /// Whether nothing was written.
    pub dry_run: bool,
}

/// Most problems of each kind a report lists (it counts them all): a feed of a hundred
/// thousand broken entries answers in a page, not in megabytes.
pub const MAX_LISTED_PROBLEMS: usize = 100;

#[async_graphql::ComplexObject]
impl ImportReport {
    /// Entries not imported, by line: the first 100 (`rejectedCount` counts them all).
    #[graphql(name = "rejected")]
    async fn rejected_listed(&self) -> &[Problem] {
        &self.rejected[..self.rejected.len().min(MAX_LISTED_PROBLEMS)]
    }

    /// How many entries were not imported.
    async fn rejected_count(&self) -> usize {
        self.rejected.len()
    }

    /// Entries imported with something left out (an unknown type code, a country name): the
    /// first 100 (`warningCount` counts them all).
    #[graphql(name = "warnings")]
    async fn warnings_listed(&self) -> &[Problem] {
        &self.warnings[..self.warnings.len().min(MAX_LISTED_PROBLEMS)]
    }

    /// How many entries were imported with something left out.
    async fn warning_count(&self) -> usize {
        self.warnings.len()
    }
}

/// Imports `feed` (the text of a Meeting Guide JSON feed) into an organization. `actor` is
/// written to each meeting's change log; `progress` hears (done, total) as meetings are written.
pub fn meeting_guide(
    conn: &mut DbConnection,
    organization_id: Id,
    feed: &str,
    options: &ImportOptions,
    actor: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> ApiResult<ImportReport> {
    let options = checked(options)?;
    let raw: Vec<&RawValue> = serde_json::from_str(feed).map_err(|e| {
        ApiError::bad_input(
            "input.feed",
            format!("the feed is not a JSON array of meetings: {e}"),
        )
    })?;
    let mut report = ImportReport {
        source: options.source.clone(),
        entries: raw.len(),
        dry_run: options.dry_run,
        ..ImportReport::default()
    };
    let mut entries = Vec::with_capacity(raw.len());
    let mut first_line_of: HashMap<String, usize> = HashMap::new();
    let mut lines = LineCounter::new(feed);
    for value in raw {
        let line = lines.line_of(value);
        let problem = |slug: Option<String>, message: String| Problem {
            line,
            slug,
            message,
        };
        let parsed: serde_json::Value = match serde_json::from_str(value.get()) {
            Ok(parsed) => parsed,
            Err(e) => {
                report.rejected.push(problem(None, e.to_string()));
                continue;
            }
        };
        match entry::read(&parsed, line, &options.defaults) {
            Ok(entry) => {
                if let Some(first) = first_line_of.get(&entry.slug) {
                    let message = format!("the slug repeats the entry on line {first}");
                    report.rejected.push(problem(Some(entry.slug), message));
                    continue;
                }
                first_line_of.insert(entry.slug.clone(), line);
                for warning in &entry.warnings {
                    report
                        .warnings
                        .push(problem(Some(entry.slug.clone()), warning.clone()));
                }
                entries.push(entry);
            }
            Err(message) => report
                .rejected
                .push(problem(entry::slug_of(&parsed), message)),
        }
    }
    // The other weekdays of a split meeting with a rejected entry wait for it: imported alone
    // they would become meetings of their own.
    let rejected_stems: HashMap<String, (usize, String)> = report
        .rejected
        .iter()
        .filter_map(|p| {
            let slug = p.slug.as_deref()?;
            Some((
                draft::weekday_stem(slug)?.to_owned(),
                (p.line, slug.to_owned()),
            ))
        })
        .collect();
    entries.retain(|entry| {
        let Some((line, slug)) = draft::weekday_stem(&entry.slug).and_then(|s| rejected_stems.get(s))
        else {
            return true;
        };
        report.rejected.push(Problem {
            line: entry.line,
            slug: Some(entry.slug.clone()),
            message: format!(
                "another weekday of this meeting ({slug}, line {line}) was rejected; it is imported with it"
            ),
        });
        false
    });
    let drafts = draft::merge(entries);
    sync::run(
        conn,
        organization_id,
        drafts,
        &options,
        actor,
        report,
        progress,
    )
}

fn checked(options: &ImportOptions) -> ApiResult<ImportOptions> {
    let source = options.source.trim().to_owned();
    if source.is_empty()
        || source.len() > 64
        || !source
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
    {
        return Err(ApiError::bad_input(
            "input.source",
            "use 1 to 64 lowercase letters, digits, '-', '_' or '.'",
        ));
    }
    let timezone = match &options.defaults.timezone {
        Some(zone) => Some(crate::validate::timezone("input.timezone", zone)?),
        None => None,
    };
    let program = match &options.defaults.program {
        Some(key) => Some(
            crate::meetings::catalog::program(key)
                .ok_or_else(|| {
                    ApiError::bad_input("input.program", "unknown program; see meetingPrograms")
                })?
                .key
                .clone(),
        ),
        None => None,
    };
    Ok(ImportOptions {
        source,
        defaults: Defaults { timezone, program },
        dry_run: options.dry_run,
    })
}

/// Line numbers of entries, counted once through the file.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The line where `value` (a slice of the text, met in order) starts.
    fn line_of(&mut self, value: &RawValue) -> usize {
        let start = (value.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        let start = start.clamp(self.offset, self.text.len());
        self.line += self.text.as_bytes()[self.offset..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.offset = start;
        self.line
    }
}
