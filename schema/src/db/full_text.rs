//! Text search on both databases, from an index: PostgreSQL's full-text search (a `tsvector`
//! under a GIN index, `kinship_search` configuration: no stemming, accents folded) and SQLite's
//! FTS5 (`unicode61` tokenizer, accents folded), both kept in step with every write by
//! triggers (migration `text_search`). A search is a list of words, each matched as the start
//! of a word anywhere in the indexed fields, in any order; the rank weighs where they were
//! found (a name above a group's name, a place, a description).

use super::connection::{BackendKind, DbConnection, MultiBackend};
use super::types::{Id, UuidSql};
use crate::error::{ApiError, ApiResult};
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Double, Text};
use diesel::{QueryableByName, RunQueryDsl};
use std::collections::HashMap;

/// The most words a search may hold.
pub const MAX_WORDS: usize = 12;

/// The most characters a search may hold.
pub const MAX_CHARS: usize = 200;

/// What a text search looks through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexed {
    /// Meetings, by name, group name, place and description.
    Meetings,
    /// Groups, by name and description.
    Groups,
}

impl Indexed {
    /// PostgreSQL: the indexed document.
    fn document(self) -> &'static str {
        match self {
            Indexed::Meetings => "meetings.search_document",
            Indexed::Groups => "support_groups.search_document",
        }
    }

    /// SQLite: the rows of the FTS5 table that match the bound query, by id.
    fn matching_ids(self) -> &'static str {
        match self {
            Indexed::Meetings => {
                "meetings.id IN (SELECT k.meeting_id FROM meeting_search \
                 JOIN meeting_search_keys k ON k.key = meeting_search.rowid \
                 WHERE meeting_search MATCH "
            }
            Indexed::Groups => {
                "support_groups.id IN (SELECT k.group_id FROM group_search \
                 JOIN group_search_keys k ON k.key = group_search.rowid \
                 WHERE group_search MATCH "
            }
        }
    }

    /// SQLite: the FTS5 table, its key table and key column, and its columns with their
    /// weights (those of PostgreSQL's `ts_rank` for the weights A to D).
    fn fts5_table(self) -> (&'static str, &'static str, &'static [(&'static str, f64)]) {
        match self {
            Indexed::Meetings => (
                "meeting_search",
                "meeting_id",
                &[
                    ("name", 1.0),
                    ("group_name", 0.4),
                    ("place", 0.2),
                    ("description", 0.1),
                ],
            ),
            Indexed::Groups => (
                "group_search",
                "group_id",
                &[("name", 1.0), ("description", 0.1)],
            ),
        }
    }

    /// Each matching row's id and score for the bound query (`$1`), in each database's SQL. A
    /// score depends on the row alone (never on how many other rows hold a word, which would
    /// tell about rows the caller may not see): PostgreSQL's `ts_rank`; on SQLite, the sum of
    /// the weights of the fields that hold every word.
    fn scores_sql(self, backend: BackendKind) -> String {
        match backend {
            BackendKind::Postgres => format!(
                "SELECT id, ts_rank(search_document, to_tsquery('kinship_search', $1))::float8 \
                 AS score FROM {} WHERE search_document @@ to_tsquery('kinship_search', $1)",
                match self {
                    Indexed::Meetings => "meetings",
                    Indexed::Groups => "support_groups",
                }
            ),
            BackendKind::Sqlite => {
                let (table, key_column, columns) = self.fts5_table();
                let mut hits =
                    format!("SELECT rowid, 0.0 AS w FROM {table} WHERE {table} MATCH ?1");
                for (column, weight) in columns {
                    hits.push_str(&format!(
                        " UNION ALL SELECT rowid, {weight:.1} FROM {table} \
                         WHERE {table} MATCH '{{{column}}} : (' || ?1 || ')'"
                    ));
                }
                format!(
                    "SELECT k.{key_column} AS id, s.score AS score FROM \
                     (SELECT rowid, sum(w) AS score FROM ({hits}) GROUP BY rowid) s \
                     JOIN {table}_keys k ON k.key = s.rowid"
                )
            }
        }
    }
}

/// The words of a text search: runs of letters, digits and the marks that join them (as in
/// Devanagari or decomposed accents), every one required. The databases fold case and accents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words(Vec<String>);

/// Whether `c` is part of a word: a letter or digit, or a combining mark (the blocks of
/// combining diacritics, and the Indic and Thai scripts, whose vowel signs and viramas are
/// marks).
fn in_word(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c as u32,
            0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7 | 0x0610..=0x061A
            | 0x064B..=0x065F | 0x0900..=0x0DFF | 0x0E00..=0x0EFF | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

impl Words {
    /// The words of `text`; `None` when it holds none (blank, or only punctuation: no
    /// filter). More than [`MAX_WORDS`] words or [`MAX_CHARS`] characters is an error on
    /// `field`.
    pub fn parse(field: &str, text: &str) -> ApiResult<Option<Words>> {
        if text.chars().count() > MAX_CHARS {
            return Err(ApiError::bad_input(
                field,
                format!("use at most {MAX_CHARS} characters"),
            ));
        }
        let words: Vec<String> = text
            .split(|c: char| !in_word(c))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        if words.len() > MAX_WORDS {
            return Err(ApiError::bad_input(
                field,
                format!("use at most {MAX_WORDS} words"),
            ));
        }
        Ok((!words.is_empty()).then_some(Words(words)))
    }

    /// The condition "this row of `indexed` holds every word".
    pub fn matched_in(&self, indexed: Indexed) -> Matches {
        Matches(Search::new(self, indexed))
    }

    /// The score of every row of `indexed` that holds every word (higher is better), by id:
    /// one statement, whose cost grows with the matches. A word in a name counts most, then a
    /// group's name, a place, a description (`ts_rank` on PostgreSQL, `bm25` on SQLite).
    pub fn scores_in(
        &self,
        conn: &mut DbConnection,
        indexed: Indexed,
    ) -> ApiResult<HashMap<Id, f64>> {
        let query = match conn.backend() {
            BackendKind::Postgres => self.tsquery(),
            BackendKind::Sqlite => self.fts5(),
        };
        let rows: Vec<Scored> = diesel::sql_query(indexed.scores_sql(conn.backend()))
            .bind::<Text, _>(query)
            .load(conn)?;
        Ok(rows.into_iter().map(|r| (r.id, r.score)).collect())
    }

    /// A PostgreSQL `tsquery`: every word as a prefix, but a single letter or digit, which is
    /// a whole word (as a prefix it would match nearly everything).
    fn tsquery(&self) -> String {
        self.0
            .iter()
            .map(|w| match w.chars().count() {
                1 => w.clone(),
                _ => format!("{w}:*"),
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// An FTS5 query: every word, quoted, as a prefix, but a single letter or digit.
    fn fts5(&self) -> String {
        self.0
            .iter()
            .map(|w| match w.chars().count() {
                1 => format!("\"{w}\""),
                _ => format!("\"{w}\"*"),
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// A search of one index, with its query in each database's syntax.
#[derive(Debug, Clone)]
struct Search {
    indexed: Indexed,
    tsquery: String,
    fts5: String,
}

impl Search {
    fn new(words: &Words, indexed: Indexed) -> Search {
        Search {
            indexed,
            tsquery: words.tsquery(),
            fts5: words.fts5(),
        }
    }
}

/// The condition "this row holds every word" ([`Words::matched_in`]), served by the index.
#[derive(Debug, Clone)]
pub struct Matches(Search);

/// A row's score ([`Words::scores_in`]).
#[derive(QueryableByName)]
struct Scored {
    #[diesel(sql_type = UuidSql)]
    id: Id,
    #[diesel(sql_type = Double)]
    score: f64,
}

impl Expression for Matches {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for Matches {}
impl<QS> SelectableExpression<QS> for Matches {}
impl ValidGrouping<()> for Matches {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}
impl QueryId for Matches {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for Matches {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> diesel::QueryResult<()> {
        let search = &self.0;
        match out.backend() {
            MultiBackend::Pg(_) => {
                out.push_sql(search.indexed.document());
                out.push_sql(" @@ to_tsquery('kinship_search', ");
                out.push_bind_param::<Text, _>(&search.tsquery)?;
                out.push_sql(")");
            }
            MultiBackend::Sqlite(_) => {
                out.push_sql(search.indexed.matching_ids());
                out.push_bind_param::<Text, _>(&search.fts5)?;
                out.push_sql(")");
            }
        }
        Ok(())
    }
}

/// The cursor key of a score: ascending keys are descending scores (scores are never
/// negative, so their bits order as they do), compared as text.
pub fn score_key(score: f64) -> String {
    format!("{:020}", u64::MAX - score.max(0.0).to_bits())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_letters_digits_and_marks_in_any_script() {
        let words = Words::parse("text", "  Step-study, 12&12 Sesión a!  ")
            .expect("valid")
            .expect("words");
        assert_eq!(
            words.tsquery(),
            "Step:* & study:* & 12:* & 12:* & Sesión:* & a"
        );
        assert_eq!(
            words.fts5(),
            "\"Step\"* AND \"study\"* AND \"12\"* AND \"12\"* AND \"Sesión\"* AND \"a\""
        );
        let marked = Words::parse("text", "स्टेप Sesio\u{301}n").expect("valid");
        assert_eq!(
            marked.map(|w| w.0),
            Some(vec!["स्टेप".to_owned(), "Sesio\u{301}n".to_owned()])
        );
        assert_eq!(Words::parse("text", " -- ' \" * ").expect("valid"), None);
    }

    #[test]
    fn too_many_words_or_characters_are_refused() {
        let many = ["word"; MAX_WORDS + 1].join(" ");
        assert!(Words::parse("text", &many).is_err());
        assert!(Words::parse("text", &"x".repeat(MAX_CHARS + 1)).is_err());
        assert!(Words::parse("text", &["w"; MAX_WORDS].join(" ")).is_ok());
    }

    #[test]
    fn score_keys_sort_as_descending_scores() {
        let scores = [0.0, 1e-9, 0.0607927, 0.1, 0.99, 12.5];
        let keys: Vec<String> = scores.iter().map(|s| score_key(*s)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.reverse();
        assert_eq!(sorted, keys);
    }
}
