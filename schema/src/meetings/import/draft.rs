//! From entries to meetings. Meeting Guide is a weekly format, so feeds (Kinship's own among
//! them) split a meeting held on several weekdays into one entry per day, with slugs
//! `{slug}-{day}`. Entries that differ only in that day merge back into one meeting, whose
//! schedule becomes an RRULE again: weekly on the days, monthly on the ordinal weekdays of its
//! schedule sentence, or a one-off.

use super::entry::{Content, Entry, Pattern};
use crate::db::Id;
use crate::meetings::model::MeetingRow;
use crate::meetings::recurrence::WEEKDAY_CODES;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// One meeting to import.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Line of its first entry.
    pub line: usize,
    /// The slug it is kept under: the entry's, or the common stem of merged entries.
    pub slug: String,
    /// Weekdays, 0 = Sunday.
    pub days: BTreeSet<u8>,
    /// What it holds.
    pub content: Content,
}

/// The stem of a slug that ends in a weekday (`abc-3` gives `abc`), as split feeds write them.
pub fn weekday_stem(slug: &str) -> Option<&str> {
    slug.rsplit_once('-')
        .filter(|(stem, day)| {
            !stem.is_empty() && matches!(*day, "0" | "1" | "2" | "3" | "4" | "5" | "6")
        })
        .map(|(stem, _)| stem)
}

/// Merges the entries that split one meeting by weekday; keeps the others as they are.
pub fn merge(entries: Vec<Entry>) -> Vec<Draft> {
    let slugs: HashSet<&str> = entries.iter().map(|e| e.slug.as_str()).collect();
    let stem = |entry: &Entry| -> Option<String> {
        let [day] = entry.days.iter().copied().collect::<Vec<_>>()[..] else {
            return None;
        };
        let stem = entry.slug.strip_suffix(&format!("-{day}"))?;
        (!stem.is_empty() && !slugs.contains(stem)).then(|| stem.to_owned())
    };
    let mut by_stem: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, entry) in entries.iter().enumerate() {
        if let Some(stem) = stem(entry) {
            by_stem.entry(stem).or_default().push(index);
        }
    }
    let mut merged_into: BTreeMap<usize, String> = BTreeMap::new();
    for (stem, members) in by_stem {
        let first = &entries[members[0]];
        let distinct_days: BTreeSet<&BTreeSet<u8>> =
            members.iter().map(|&i| &entries[i].days).collect();
        let alike = members.len() > 1
            && distinct_days.len() == members.len()
            && members.iter().all(|&i| entries[i].content == first.content);
        if alike {
            for index in members {
                merged_into.insert(index, stem.clone());
            }
        }
    }
    let mut drafts: Vec<Draft> = Vec::new();
    let mut draft_of_stem: BTreeMap<String, usize> = BTreeMap::new();
    for (index, entry) in entries.into_iter().enumerate() {
        match merged_into.get(&index) {
            Some(stem) => match draft_of_stem.get(stem) {
                Some(&at) => drafts[at].days.extend(entry.days),
                None => {
                    draft_of_stem.insert(stem.clone(), drafts.len());
                    drafts.push(Draft {
                        line: entry.line,
                        slug: stem.clone(),
                        days: entry.days,
                        content: entry.content,
                    });
                }
            },
            None => drafts.push(Draft {
                line: entry.line,
                slug: entry.slug,
                days: entry.days,
                content: entry.content,
            }),
        }
    }
    for draft in &mut drafts {
        draft.settle_pattern();
    }
    drafts
}

impl Draft {
    /// A monthly pattern whose weekdays are not exactly the meeting's days (a feed that lost
    /// some of the split entries) becomes weekly, its sentence back in the notes.
    fn settle_pattern(&mut self) {
        if let Pattern::Monthly(pairs) = &self.content.pattern {
            let pattern_days: BTreeSet<u8> = pairs.iter().map(|(_, day)| *day).collect();
            if pattern_days != self.days {
                self.content.pattern = Pattern::Weekly;
                if let Some(note) = self.content.pattern_note.take() {
                    let description = &mut self.content.meeting.description;
                    *description = if description.is_empty() {
                        note
                    } else {
                        format!("{note}\n\n{description}")
                    };
                }
            }
        }
    }

    /// The RRULE of the schedule (`None` for a one-off).
    pub fn rrule(&self) -> Option<String> {
        match &self.content.pattern {
            Pattern::Weekly => Some(format!(
                "FREQ=WEEKLY;BYDAY={}",
                self.days
                    .iter()
                    .map(|d| WEEKDAY_CODES[usize::from(*d)])
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            Pattern::Monthly(pairs) => Some(format!(
                "FREQ=MONTHLY;BYDAY={}",
                pairs
                    .iter()
                    .map(|(ordinal, day)| format!("{ordinal}{}", WEEKDAY_CODES[usize::from(*day)]))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            Pattern::Once(_) => None,
        }
    }

    /// A new meeting of a group from the draft.
    pub fn new_meeting(&self, organization_id: Id, group_id: Id, today: NaiveDate) -> MeetingRow {
        let c = &self.content.meeting;
        let mut row = MeetingRow::new(
            organization_id,
            group_id,
            c.name.clone(),
            c.attendance_mode,
            c.timezone.clone(),
        );
        self.apply(&mut row, today);
        row
    }

    /// Writes the draft over `row` (a new meeting or the one imported before), keeping its
    /// ids, group and times, and what feeds do not carry (capacity, last day). A recurring
    /// meeting keeps its first day (`today` for a new one); a one-off takes its date.
    pub fn apply(&self, row: &mut MeetingRow, today: NaiveDate) {
        let mut next = self.content.meeting.clone();
        next.capacity = row.capacity;
        next.ends_on = row.ends_on;
        next.id = row.id;
        next.organization_id = row.organization_id;
        next.group_id = row.group_id;
        next.created_at = row.created_at;
        next.updated_at = row.updated_at;
        next.rrule = self.rrule();
        next.starts_on = match self.content.pattern {
            Pattern::Once(date) => date,
            _ if row.starts_on <= today => row.starts_on,
            _ => today,
        };
        *row = next;
    }

    /// A hash of everything imported, to tell a changed meeting from an unchanged one. It
    /// hashes the row's debug form: should that form change with a new Rust, the next import
    /// reports meetings as updated once and writes the same values.
    pub fn content_hash(&self) -> String {
        let canonical = format!(
            "{:?}|{:?}|{:?}|{:?}",
            self.days,
            self.rrule(),
            self.content.group,
            self.content.meeting
        );
        let digest = Sha256::digest(canonical.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}
