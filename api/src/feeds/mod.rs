//! Public feeds under `/feeds/`: the formats other software reads. Each handler loads through
//! a schema-crate function and only formats; no handler knows a table.

pub mod icalendar;
pub mod meeting_guide;
