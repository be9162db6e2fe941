//! Meetings: recurring schedules in the meeting's own time zone, and everything built on
//! them. One file (or folder) per piece, each telling its story:
//!
//! - `catalog` and `programs`: the Meeting Guide programs and type codes, and their queries;
//! - `recurrence`: the schedule engine (RRULE in local time, exceptions);
//! - `model/`: meeting rows, exceptions, the change log and the feeds' reads in the database;
//! - `meeting`: the `Meeting` type and its loaders; `planned`: occurrences expanded off the
//!   async workers;
//! - `changes`: creating and changing meetings and occurrences;
//! - `rsvps/`, `attendance/`: seats and waitlists, and who came (each with its `graphql`);
//! - `horizon`: the stored upcoming occurrences; `search/`: the meeting search;
//! - `meeting_guide` and `import/`: the Meeting Guide feed, written and read; `icalendar`: the
//!   `.ics` feeds (their routes are in `kinship-api`).

pub mod attendance;
pub mod catalog;
mod changes;
pub mod horizon;
pub mod icalendar;
pub mod import;
mod meeting;
pub mod meeting_guide;
pub mod model;
pub mod planned;
mod programs;
pub mod recurrence;
pub mod rsvps;
pub mod search;

use crate::error::ApiError;
use async_graphql::{Object, SimpleObject};

use crate::auth::{Viewer, viewer};
use crate::db::{DbConnection, Id};
use crate::groups::Group;
use crate::groups::model::GroupRow;
use crate::loaders::{GroupedQuery, LoadById, PagedQuery, db, load_by_id, load_grouped, load_page};
use crate::policy::{Caller, GroupAction};
use crate::relay::{NodeKind, Page, RelayConnection, connection, decode_id_of, global_id};
use crate::stored::{decode_list, encode_enums, encode_list};
use crate::{error::ApiResult, validate};
use async_graphql::{Context, ID, InputObject, MaybeUndefined};
use chrono::{DateTime, NaiveDate, Utc};
use model::{AccessibilityFeature, AttendanceMode, ExceptionRow, MeetingRow, MeetingStatus};
use recurrence::{Occurrence as Planned, Status};

pub use attendance::graphql::*;
pub use changes::*;
pub use meeting::*;
pub use programs::*;
pub use rsvps::graphql::*;
pub use search::graphql::*;
