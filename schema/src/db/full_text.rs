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

    /// Each matching row's id and score for the bound query (`$1`), in each database's SQL.
    fn scores_sql(self, backend: BackendKind) -> &'static str {
        match (self, backend) {
            (Indexed::Meetings, BackendKind::Postgres) => {
                "SELECT id, ts_rank(search_document, to_tsquery('kinship_search', $1))::float8 AS score \
                 FROM meetings WHERE search_document @@ to_tsquery('kinship_search', $1)"
            }
            (Indexed::Groups, BackendKind::Postgres) => {
                "SELECT id, ts_rank(search_document, to_tsquery('kinship_search', $1))::float8 AS score \
                 FROM support_groups WHERE search_document @@ to_tsquery('kinship_search', $1)"
            }
            (Indexed::Meetings, BackendKind::Sqlite) => {
                "SELECT k.meeting_id AS id, -bm25(meeting_search, 10.0, 4.0, 2.0, 1.0) AS score \
                 FROM meeting_search JOIN meeting_search_keys k ON k.key = meeting_search.rowid \
                 WHERE meeting_search MATCH ?"
            }
            (Indexed::Groups, BackendKind::Sqlite) => {
                "SELECT k.group_id AS id, -bm25(group_search, 10.0, 1.0) AS score \
                 FROM group_search JOIN group_search_keys k ON k.key = group_search.rowid \
                 WHERE group_search MATCH ?"
            }
        }
    }
}

/// The words of a text search, lowercased: runs of letters and digits, every one required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words(Vec<String>);

impl Words {
    /// The words of `text`; `None` when it holds none (blank, or only punctuation). More than
    /// [`MAX_WORDS`] words or [`MAX_CHARS`] characters is an error on `field`.
    pub fn parse(field: &str, text: &str) -> ApiResult<Option<Words>> {
        if text.chars().count() > MAX_CHARS {
            return Err(ApiError::bad_input(
                field,
                format!("use at most {MAX_CHARS} characters"),
            ));
        }
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
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

    /// A PostgreSQL `tsquery`: every word as a prefix.
    fn tsquery(&self) -> String {
        self.0
            .iter()
            .map(|w| format!("{w}:*"))
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// An FTS5 query: every word, quoted, as a prefix.
    fn fts5(&self) -> String {
        self.0
            .iter()
            .map(|w| format!("\"{w}\"*"))
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
/// negative, so their bits order as they do).
pub fn score_key(score: f64) -> String {
    format!("{:020}", u64::MAX - score.max(0.0).to_bits())
}

/// The score a cursor key ([`score_key`]) holds.
pub fn score_of_key(key: &str) -> Option<f64> {
    let inverted: u64 = key.parse().ok()?;
    Some(f64::from_bits(u64::MAX - inverted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_runs_of_letters_and_digits_in_any_script() {
        let words = Words::parse("text", "  Step-study, 12&12 Sesión!  ")
            .expect("valid")
            .expect("words");
        assert_eq!(words.tsquery(), "step:* & study:* & 12:* & 12:* & sesión:*");
        assert_eq!(
            words.fts5(),
            "\"step\"* AND \"study\"* AND \"12\"* AND \"12\"* AND \"sesión\"*"
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
    fn score_keys_sort_as_descending_scores_and_read_back_exactly() {
        let scores = [0.0, 1e-9, 0.0607927, 0.1, 0.99, 12.5];
        let keys: Vec<String> = scores.iter().map(|s| score_key(*s)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.reverse();
        assert_eq!(sorted, keys);
        for s in scores {
            assert_eq!(score_of_key(&score_key(s)), Some(s));
        }
    }
}
