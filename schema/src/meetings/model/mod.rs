//! Meeting rows and the rules a meeting must follow, in the database:
//!
//! - here: the row, its stored enums, creating and changing a meeting, and its reads;
//! - `change_log`: the typed change ([`MeetingChange`]) and the log it writes;
//! - `exceptions`: cancelled and moved occurrences;
//! - `published`: what the feeds read (the Meeting Guide list, an iCalendar).

mod change_log;
mod exceptions;
mod published;

pub use change_log::{ChangeRow, MeetingChange, count_of_changes, page_of_changes};
pub use exceptions::{
    ExceptionRow, MAX_EXCEPTIONS, exceptions_of, set_exception, take_exceptions_of,
};
pub use published::{Calendar, calendar, published_by};

use super::catalog;
use super::recurrence::{Exception, Schedule};
use crate::db::tables::meetings;
use crate::db::windowed::{self, Children};
use crate::db::{DbConnection, Id, Ts, expect_unchanged, find_for_update, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::stored::{StoredEnum as _, decode_list, stored_enum};
use change_log::log_change;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::prelude::*;

/// Most type codes a meeting carries.
pub const MAX_TYPE_CODES: usize = 30;

/// Most attendees a meeting's capacity may name.
pub const MAX_CAPACITY: i32 = 10_000;

stored_enum! {
    /// How people attend a meeting.
    pub enum AttendanceMode {
        /// In a room.
        InPerson = "IN_PERSON",
        /// Online or by phone.
        Online = "ONLINE",
        /// Both: it matches searches for either.
        Hybrid = "HYBRID",
    }
}

stored_enum! {
    /// Whether a meeting runs.
    pub enum MeetingStatus {
        /// Meeting as scheduled.
        Active = "ACTIVE",
        /// Paused for now (a closed venue, a holiday season).
        TemporarilyClosed = "TEMPORARILY_CLOSED",
        /// No longer meeting.
        Inactive = "INACTIVE",
    }
}

stored_enum! {
    /// An accessibility feature of a meeting.
    pub enum AccessibilityFeature {
        /// Wheelchair accessible.
        Wheelchair = "WHEELCHAIR",
        /// American Sign Language interpretation.
        Asl = "ASL",
        /// Captions (online).
        Captions = "CAPTIONS",
        /// Hearing loop.
        HearingLoop = "HEARING_LOOP",
        /// Fragrance free.
        FragranceFree = "FRAGRANCE_FREE",
        /// Child care available.
        ChildCare = "CHILD_CARE",
    }
}

impl AccessibilityFeature {
    /// The Meeting Guide type code that carries this feature in feeds, if the list has one.
    pub fn meeting_guide_code(self) -> Option<&'static str> {
        match self {
            AccessibilityFeature::Wheelchair => Some("X"),
            AccessibilityFeature::Asl => Some("ASL"),
            AccessibilityFeature::FragranceFree => Some("FF"),
            AccessibilityFeature::ChildCare => Some("BA"),
            AccessibilityFeature::Captions | AccessibilityFeature::HearingLoop => None,
        }
    }

    /// The feature a Meeting Guide type code stands for (`X` is wheelchair access).
    pub fn from_meeting_guide_code(code: &str) -> Option<AccessibilityFeature> {
        AccessibilityFeature::ALL
            .iter()
            .copied()
            .find(|f| f.meeting_guide_code() == Some(code))
    }
}

stored_enum! {
    /// What an exception does to an occurrence.
    pub enum ExceptionKind {
        /// The occurrence does not take place.
        Cancelled = "CANCELLED",
        /// The occurrence takes place at another time.
        Rescheduled = "RESCHEDULED",
    }
}

/// A meeting.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, QueryableByName)]
#[diesel(table_name = meetings)]
pub struct MeetingRow {
    /// Row id.
    pub id: Id,
    /// The group's organization.
    pub organization_id: Id,
    /// The group that holds it.
    pub group_id: Id,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// In person, online or hybrid.
    pub attendance_mode: AttendanceMode,
    /// Whether it runs.
    pub status: MeetingStatus,
    /// IANA time zone of the schedule.
    pub timezone: String,
    /// RFC 5545 RRULE; `None` for a one-off meeting.
    pub rrule: Option<String>,
    /// Local start time, `HH:MM`.
    pub start_time: String,
    /// Length.
    pub duration_minutes: i32,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: Option<NaiveDate>,
    /// Venue name.
    pub venue: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Region or state.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: Option<String>,
    /// Latitude in degrees.
    pub latitude: Option<f64>,
    /// Longitude in degrees.
    pub longitude: Option<f64>,
    /// Whether the location is approximate (a neighbourhood, not a door).
    pub location_approximate: bool,
    /// Online meeting URL.
    pub online_url: Option<String>,
    /// Dial-in phone number of the meeting (not a person's).
    pub online_phone: Option<String>,
    /// Online access notes (passcode hints, ...).
    pub online_notes: Option<String>,
    /// Program key (`aa`, `na`, ...).
    pub program: Option<String>,
    /// Type codes of the program, stored as a list.
    pub types: String,
    /// BCP 47 languages, stored as a list.
    pub languages: String,
    /// Accessibility features, stored as a list.
    pub accessibility: String,
    /// Most attendees per occurrence.
    pub capacity: Option<i32>,
    /// When it was created.
    pub created_at: Ts,
    /// When it last changed.
    pub updated_at: Ts,
}

impl MeetingRow {
    /// A new active meeting of a group with no location, online access, program or types yet.
    pub fn new(
        organization_id: Id,
        group_id: Id,
        name: String,
        mode: AttendanceMode,
        timezone: String,
    ) -> MeetingRow {
        let now = Ts::now();
        MeetingRow {
            id: Id::new(),
            organization_id,
            group_id,
            name,
            description: String::new(),
            attendance_mode: mode,
            status: MeetingStatus::Active,
            timezone,
            rrule: None,
            start_time: String::new(),
            duration_minutes: 0,
            starts_on: now.0.date_naive(),
            ends_on: None,
            venue: None,
            address: None,
            city: None,
            region: None,
            postal_code: None,
            country_code: None,
            latitude: None,
            longitude: None,
            location_approximate: false,
            online_url: None,
            online_phone: None,
            online_notes: None,
            program: None,
            types: crate::stored::encode_list([]),
            languages: crate::stored::encode_list([]),
            accessibility: crate::stored::encode_list([]),
            capacity: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// The schedule, as the recurrence engine reads it.
    pub fn schedule(&self) -> ApiResult<Schedule> {
        let zone = self.timezone.parse().map_err(|_| {
            ApiError::internal(format!("stored time zone '{}' is invalid", self.timezone))
        })?;
        let time = NaiveTime::parse_from_str(&self.start_time, "%H:%M")
            .map_err(|_| ApiError::internal("stored start time is invalid"))?;
        Schedule::new(
            zone,
            self.rrule.as_deref(),
            time,
            self.duration_minutes,
            self.starts_on,
            self.ends_on,
        )
        .map_err(|e| ApiError::internal(format!("stored schedule is invalid: {}", e.message)))
    }

    /// Checks the rules a meeting follows whatever changed: a valid schedule, a location for
    /// in-person meetings, a URL or phone for online ones (both for hybrid), type codes of its
    /// program, coordinates in range.
    pub fn validate(&self) -> ApiResult<()> {
        // Whatever wrote the row (the API, an import), its text is bounded and printable.
        for (field, value, max) in [
            ("input.name", Some(&self.name), 120),
            ("input.description", Some(&self.description), 2000),
            ("input.location.venue", self.venue.as_ref(), 200),
            ("input.location.address", self.address.as_ref(), 300),
            ("input.location.city", self.city.as_ref(), 100),
            ("input.location.region", self.region.as_ref(), 100),
            ("input.location.postalCode", self.postal_code.as_ref(), 20),
            ("input.online.url", self.online_url.as_ref(), 2000),
            ("input.online.phone", self.online_phone.as_ref(), 40),
            ("input.online.notes", self.online_notes.as_ref(), 500),
        ] {
            if let Some(value) = value {
                crate::validate::bounded(field, value, max)?;
            }
        }
        self.schedule_checked()?
            .check_occurs()
            .map_err(|e| ApiError::bad_input(format!("input.schedule.{}", e.field), e.message))?;
        let has_location =
            self.venue.is_some() || self.address.is_some() || self.latitude.is_some();
        let has_online = self.online_url.is_some() || self.online_phone.is_some();
        match self.attendance_mode {
            AttendanceMode::InPerson | AttendanceMode::Hybrid if !has_location => {
                return Err(ApiError::bad_input(
                    "input.location",
                    "an in-person or hybrid meeting needs a location (venue, address or coordinates)",
                ));
            }
            AttendanceMode::Online | AttendanceMode::Hybrid if !has_online => {
                return Err(ApiError::bad_input(
                    "input.online",
                    "an online or hybrid meeting needs a URL or a phone number",
                ));
            }
            _ => {}
        }
        match (self.latitude, self.longitude) {
            (Some(lat), Some(lon))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
            (None, None) => {}
            _ => {
                return Err(ApiError::bad_input(
                    "input.location.latitude",
                    "give both latitude (-90 to 90) and longitude (-180 to 180)",
                ));
            }
        }
        if let Some(url) = &self.online_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ApiError::bad_input(
                "input.online.url",
                "use an http:// or https:// URL",
            ));
        }
        if let Some(capacity) = self.capacity
            && !(1..=MAX_CAPACITY).contains(&capacity)
        {
            return Err(ApiError::bad_input(
                "input.capacity",
                format!("use 1 to {MAX_CAPACITY} (leave it out for no limit)"),
            ));
        }
        let types = decode_list(&self.types);
        if types.len() > MAX_TYPE_CODES {
            return Err(ApiError::bad_input(
                "input.types",
                format!("give at most {MAX_TYPE_CODES} type codes"),
            ));
        }
        match &self.program {
            None if !types.is_empty() => {
                return Err(ApiError::bad_input(
                    "input.types",
                    "types are codes of a program: give `program` too",
                ));
            }
            Some(key) => {
                let program = catalog::program(key).ok_or_else(|| {
                    ApiError::bad_input("input.program", "unknown program; see meetingPrograms")
                })?;
                if let Some(unknown) = types.iter().find(|code| !program.types.contains_key(*code))
                {
                    return Err(ApiError::bad_input(
                        "input.types",
                        format!(
                            "'{}' is not a type code of {}; see meetingTypes",
                            crate::validate::excerpt(unknown),
                            program.name
                        ),
                    ));
                }
            }
            None => {}
        }
        Ok(())
    }

    fn schedule_checked(&self) -> ApiResult<Schedule> {
        let zone = crate::validate::timezone("input.timezone", &self.timezone)?
            .parse()
            .map_err(|_| ApiError::bad_input("input.timezone", "not an IANA time zone"))?;
        let time = NaiveTime::parse_from_str(&self.start_time, "%H:%M").map_err(|_| {
            ApiError::bad_input(
                "input.schedule.startTime",
                "use local 24-hour HH:MM, e.g. 19:00",
            )
        })?;
        Schedule::new(
            zone,
            self.rrule.as_deref(),
            time,
            self.duration_minutes,
            self.starts_on,
            self.ends_on,
        )
        .map_err(|e| ApiError::bad_input(format!("input.schedule.{}", e.field), e.message))
    }

    /// The occurrence the schedule starts at `original_start`, with its exception applied;
    /// `BAD_USER_INPUT` (for `input.occurrenceStart`) when the schedule gives none then.
    pub fn occurrence(
        &self,
        exceptions: &[Exception],
        original_start: DateTime<Utc>,
    ) -> ApiResult<super::recurrence::Occurrence> {
        let window = chrono::Duration::days(super::recurrence::MAX_SHIFT_DAYS + 1);
        super::recurrence::occurrences(
            &self.schedule()?,
            exceptions,
            original_start - window,
            original_start + window,
            super::recurrence::MAX_OCCURRENCES,
        )
        .into_iter()
        .find(|o| o.original_start == original_start)
        .ok_or_else(|| {
            ApiError::bad_input(
                "input.occurrenceStart",
                "no occurrence of this meeting starts then; use an occurrence's `originalStart`",
            )
        })
    }

    /// The type codes.
    pub fn type_codes(&self) -> Vec<String> {
        decode_list(&self.types)
    }

    /// The accessibility features.
    pub fn accessibility_features(&self) -> Vec<AccessibilityFeature> {
        crate::stored::decode_enums(&self.accessibility)
    }
}

/// Creates a meeting (already filled in and validated by the caller) and logs it.
pub fn create(conn: &mut DbConnection, row: MeetingRow, actor: &str) -> ApiResult<MeetingRow> {
    row.validate()?;
    write_transaction(conn, |conn| {
        diesel::insert_into(meetings::table)
            .values(&row)
            .execute(conn)?;
        super::horizon::replace(conn, row.id)?;
        log_change(
            conn,
            &row,
            actor,
            "created",
            serde_json::json!({ "name": row.name }),
        )?;
        Ok(row)
    })
}

/// Changes a meeting: reads it under lock, checks `expected_updated_at` (optimistic
/// concurrency), lets `change` edit it (its group too), validates the result and writes it,
/// logging what changed. Concurrent changes apply one after the other, each to what the one
/// before wrote, so none is lost and the log says what each really changed.
pub fn update(
    conn: &mut DbConnection,
    id: Id,
    actor: &str,
    expected_updated_at: Option<DateTime<Utc>>,
    change: impl FnOnce(&mut MeetingRow) -> ApiResult<()>,
) -> ApiResult<MeetingRow> {
    write_transaction(conn, |conn| {
        let before = find_for_update!(conn, meetings, id, MeetingRow)?
            .ok_or_else(|| ApiError::NotFound("no such meeting".into()))?;
        expect_unchanged(expected_updated_at, before.updated_at)?;
        let mut after = before.clone();
        change(&mut after)?;
        after.validate()?;
        let mut change = MeetingChange::between(&before, &after);
        if change.is_empty() {
            return Ok(before);
        }
        change.updated_at = Some(Ts::changed_after(before.updated_at));
        change.apply(&mut after);
        diesel::update(meetings::table.find(before.id))
            .set(&change)
            .execute(conn)?;
        super::horizon::replace(conn, after.id)?;
        log_change(conn, &after, actor, "updated", change.logged())?;
        Ok(after)
    })
}

/// The meetings with these ids.
pub fn find_many(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<MeetingRow>> {
    Ok(meetings::table
        .filter(meetings::id.eq_any(ids))
        .select(MeetingRow::as_select())
        .load(conn)?)
}

/// Locks a group's meetings (PostgreSQL; SQLite's write transaction holds the database): a
/// rename rewrites their search documents (a trigger), and taking the meetings before the
/// group is the order every meeting write takes (the meeting, then its group), so that a rename
/// and a meeting's change wait for each other instead of deadlocking.
pub fn lock_of_group(conn: &mut DbConnection, group_id: Id) -> ApiResult<()> {
    if let DbConnection::Pg(pg) = conn {
        meetings::table
            .filter(meetings::group_id.eq(group_id))
            .select(meetings::id)
            .for_update()
            .load::<Id>(pg)?;
    }
    Ok(())
}

/// The meetings of these groups, as `(group id, meeting)` pairs in creation order.
pub fn of_groups(conn: &mut DbConnection, group_ids: &[Id]) -> ApiResult<Vec<(Id, MeetingRow)>> {
    Ok(meetings::table
        .filter(meetings::group_id.eq_any(group_ids))
        .order(meetings::id.asc())
        .select(MeetingRow::as_select())
        .load::<MeetingRow>(conn)?
        .into_iter()
        .map(|m| (m.group_id, m))
        .collect())
}

/// Meetings by group, for pages of a group's meetings in creation order.
const MEETINGS_OF_GROUPS: Children<'static> =
    Children("SELECT group_id AS parent, * FROM meetings WHERE group_id IN ({parents})");

/// A page of each group's meetings, in creation order, as `(group id, meeting)` pairs.
pub fn page_of_groups(
    conn: &mut DbConnection,
    group_ids: &[Id],
    limit: usize,
    after: Option<Id>,
) -> ApiResult<Vec<(Id, MeetingRow)>> {
    Ok(
        windowed::page::<MeetingRow>(conn, MEETINGS_OF_GROUPS, group_ids, limit, after)?
            .into_iter()
            .map(|m| (m.group_id, m))
            .collect(),
    )
}

/// How many meetings each group has.
pub fn count_of_groups(conn: &mut DbConnection, group_ids: &[Id]) -> ApiResult<Vec<(Id, i64)>> {
    windowed::totals(conn, MEETINGS_OF_GROUPS, group_ids)
}

/// Locks the meeting row for the rest of the transaction (PostgreSQL; SQLite is serial). Take
/// it before writing rows that reference the meeting: their foreign key takes a shared lock on
/// it, and two transactions holding that lock cannot both upgrade it.
pub(crate) fn lock_meeting(conn: &mut DbConnection, meeting_id: Id) -> ApiResult<()> {
    if let DbConnection::Pg(pg) = conn {
        meetings::table
            .find(meeting_id)
            .select(meetings::id)
            .for_update()
            .first::<Id>(pg)?;
    }
    Ok(())
}
