//! Writing an import: compares each meeting with what the same feed imported before (by slug
//! and content hash) and adds, updates, keeps or retires meetings in one write transaction.

use super::draft::Draft;
use super::model::{self as imports, ImportRow};
use super::{ImportOptions, ImportReport, Problem};
use crate::db::{DbConnection, Id, Ts, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::groups::model::{self as groups, GroupChange, GroupStatus};
use crate::meetings::model::{self as model, MeetingRow, MeetingStatus};
use std::collections::{HashMap, HashSet};

/// Checks each draft, then writes the valid ones and retires meetings gone from the feed.
pub fn run(
    conn: &mut DbConnection,
    organization_id: Id,
    drafts: Vec<Draft>,
    options: &ImportOptions,
    actor: &str,
    mut report: ImportReport,
    progress: &mut dyn FnMut(usize, usize),
) -> ApiResult<ImportReport> {
    let today = chrono::Utc::now().date_naive();
    let mut valid = Vec::with_capacity(drafts.len());
    for draft in drafts {
        // Validation does not look at the group: the organization's id stands in for it.
        match draft
            .new_meeting(organization_id, organization_id, today)
            .validate()
        {
            Ok(()) => valid.push(draft),
            Err(e) => report.rejected.push(Problem {
                line: draft.line,
                slug: Some(draft.slug.clone()),
                message: e.message(),
            }),
        }
    }
    report.rejected.sort_by_key(|p| p.line);
    report.meetings = valid.len();
    // Slugs of rejected entries (and the stems they may share with split entries) keep their
    // meetings: a malformed entry is not a removed meeting.
    let kept: HashSet<String> = report
        .rejected
        .iter()
        .filter_map(|p| p.slug.clone())
        .flat_map(|slug| {
            let stem = super::draft::weekday_stem(&slug).map(str::to_owned);
            std::iter::once(slug).chain(stem)
        })
        .collect();
    let dry_run = options.dry_run;
    let mut outcome = None;
    let written = write_transaction(conn, |conn| {
        imports::serialize(conn, organization_id, &options.source)?;
        let mut writer = Writer::load(conn, organization_id, &options.source, actor)?;
        let present: HashSet<&str> = valid.iter().map(|d| d.slug.as_str()).collect();
        let gone: Vec<MeetingRow> = writer
            .previous
            .iter()
            .filter(|(slug, (_, meeting))| {
                !present.contains(slug.as_str())
                    && !kept.contains(slug.as_str())
                    && meeting.status != MeetingStatus::Inactive
            })
            .map(|(_, (_, meeting))| meeting.clone())
            .collect();
        let total = valid.len() + gone.len();
        for (done, draft) in valid.iter().enumerate() {
            match writer.write(conn, draft, today)? {
                Outcome::Added => report.added += 1,
                Outcome::Updated => report.updated += 1,
                Outcome::Unchanged => report.unchanged += 1,
            }
            progress(done + 1, total);
        }
        for (done, meeting) in gone.iter().enumerate() {
            writer.retire(conn, meeting)?;
            report.removed += 1;
            progress(valid.len() + done + 1, total);
        }
        outcome = Some(report);
        if dry_run {
            // Roll everything back: the report is what the import would have done.
            return Err(ApiError::Conflict("dry run".into()));
        }
        Ok(())
    });
    match (written, outcome) {
        (Ok(()), Some(report)) => Ok(report),
        (Err(ApiError::Conflict(_)), Some(report)) if dry_run => Ok(report),
        (Err(e), _) => Err(e),
        (Ok(()), None) => Err(ApiError::internal("import wrote no report")),
    }
}

enum Outcome {
    Added,
    Updated,
    Unchanged,
}

/// The state an import works against: the meetings this feed imported before, and the
/// organization's groups by name.
struct Writer<'a> {
    organization_id: Id,
    source: &'a str,
    actor: &'a str,
    previous: HashMap<String, (ImportRow, MeetingRow)>,
    group_by_name: HashMap<String, Id>,
    group_names: HashMap<Id, String>,
}

impl<'a> Writer<'a> {
    fn load(
        conn: &mut DbConnection,
        organization_id: Id,
        source: &'a str,
        actor: &'a str,
    ) -> ApiResult<Writer<'a>> {
        let previous = imports::previous(conn, organization_id, source)?
            .into_iter()
            .map(|(import, meeting)| (import.source_slug.clone(), (import, meeting)))
            .collect();
        let groups = groups::names_of(conn, organization_id)?;
        let mut group_by_name = HashMap::new();
        for (id, name, status) in &groups {
            if *status == GroupStatus::Active {
                group_by_name.entry(name.clone()).or_insert(*id);
            }
        }
        Ok(Writer {
            organization_id,
            source,
            actor,
            previous,
            group_by_name,
            group_names: groups.into_iter().map(|(id, name, _)| (id, name)).collect(),
        })
    }

    /// The active group of this name, created (public, open, peer-led) when there is none.
    fn group(&mut self, conn: &mut DbConnection, name: &str) -> ApiResult<Id> {
        if let Some(id) = self.group_by_name.get(name) {
            return Ok(*id);
        }
        let change = GroupChange {
            name: Some(name.to_owned()),
            ..GroupChange::default()
        };
        let group = groups::create(conn, self.organization_id, change)?;
        self.group_by_name.insert(name.to_owned(), group.id);
        self.group_names.insert(group.id, name.to_owned());
        Ok(group.id)
    }

    fn write(
        &mut self,
        conn: &mut DbConnection,
        draft: &Draft,
        today: chrono::NaiveDate,
    ) -> ApiResult<Outcome> {
        let hash = draft.content_hash();
        let Some((import, before)) = self.previous.get(&draft.slug).cloned() else {
            let group_id = self.group(conn, &draft.content.group)?;
            let row = draft.new_meeting(self.organization_id, group_id, today);
            let row = model::create(conn, row, self.actor)?;
            imports::record(
                conn,
                &ImportRow {
                    meeting_id: row.id,
                    organization_id: self.organization_id,
                    source: self.source.to_owned(),
                    source_slug: draft.slug.clone(),
                    content_hash: hash,
                    imported_at: Ts::now(),
                },
            )?;
            return Ok(Outcome::Added);
        };
        let in_its_group = self.group_names.get(&before.group_id) == Some(&draft.content.group);
        if import.content_hash == hash && before.status != MeetingStatus::Inactive && in_its_group {
            return Ok(Outcome::Unchanged);
        }
        let group_id = if in_its_group {
            None
        } else {
            Some(self.group(conn, &draft.content.group)?)
        };
        model::update(conn, before.id, self.actor, None, |after| {
            if let Some(group_id) = group_id {
                after.group_id = group_id;
            }
            draft.apply(after, today);
            Ok(())
        })?;
        imports::rehash(conn, before.id, &hash)?;
        Ok(Outcome::Updated)
    }

    /// Sets a meeting gone from the feed inactive.
    fn retire(&self, conn: &mut DbConnection, before: &MeetingRow) -> ApiResult<()> {
        model::update(conn, before.id, self.actor, None, |after| {
            after.status = MeetingStatus::Inactive;
            Ok(())
        })?;
        Ok(())
    }
}
