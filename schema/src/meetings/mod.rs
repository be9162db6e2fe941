//! Meetings: recurring schedules in the meeting's own time zone, and the meeting type catalog
//! programs use. This slice holds the recurrence engine (`recurrence`) and the catalog
//! (`catalog`, served by `meetingPrograms` and `meetingTypes`); meetings themselves, search,
//! RSVPs and feeds build on them.

pub mod attendance;
pub mod catalog;
pub mod horizon;
pub mod import;
pub mod meeting_guide;
pub mod model;
pub mod planned;
pub mod recurrence;
pub mod rsvps;
pub mod search;

use crate::error::ApiError;
use async_graphql::{Object, SimpleObject};

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

use crate::auth::{Viewer, viewer};
use crate::db::{DbConnection, Id};
use crate::groups::Group;
use crate::groups::model::GroupRow;
use crate::loaders::{GroupedQuery, LoadById, PagedQuery, db, load_by_id, load_grouped, load_page};
use crate::relay::{NodeKind, Page, RelayConnection, connection, decode_id_of, global_id};
use crate::stored::{decode_list, encode_enums, encode_list};
use crate::{error::ApiResult, validate};
use async_graphql::{Context, ID, InputObject, MaybeUndefined};
use chrono::{DateTime, NaiveDate, Utc};
use model::{AccessibilityFeature, AttendanceMode, ExceptionRow, MeetingRow, MeetingStatus};
use recurrence::{Occurrence as Planned, Status};

impl LoadById for MeetingRow {
    fn load_by_ids(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<Self>> {
        model::find_many(conn, ids)
    }

    fn row_id(&self) -> Id {
        self.id
    }
}

/// Pages of a group's meetings, for the loader.
pub struct MeetingsOfGroups;

impl PagedQuery for MeetingsOfGroups {
    type Row = MeetingRow;

    fn page(
        conn: &mut DbConnection,
        parents: &[Id],
        limit: usize,
        after: Option<Id>,
        _filter: u32,
    ) -> ApiResult<Vec<(Id, MeetingRow)>> {
        model::page_of_groups(conn, parents, limit, after)
    }

    fn count(conn: &mut DbConnection, parents: &[Id], _filter: u32) -> ApiResult<Vec<(Id, i64)>> {
        model::count_of_groups(conn, parents)
    }
}

/// Pages of a meeting's change log, for the loader.
pub struct ChangesOfMeetings;

impl PagedQuery for ChangesOfMeetings {
    type Row = model::ChangeRow;

    fn page(
        conn: &mut DbConnection,
        parents: &[Id],
        limit: usize,
        after: Option<Id>,
        _filter: u32,
    ) -> ApiResult<Vec<(Id, model::ChangeRow)>> {
        model::page_of_changes(conn, parents, limit, after)
    }

    fn count(conn: &mut DbConnection, parents: &[Id], _filter: u32) -> ApiResult<Vec<(Id, i64)>> {
        model::count_of_changes(conn, parents)
    }
}

/// A meeting's exceptions, for the loader.
pub struct ExceptionsOfMeetings;

impl GroupedQuery for ExceptionsOfMeetings {
    type Row = ExceptionRow;

    fn load(conn: &mut DbConnection, parents: &[Id]) -> ApiResult<Vec<(Id, ExceptionRow)>> {
        model::exceptions_of(conn, parents)
    }
}

/// A meeting's exceptions, through the request's loader, as the recurrence engine reads them.
async fn exceptions_of(
    ctx: &Context<'_>,
    meeting: &MeetingRow,
) -> ApiResult<Vec<recurrence::Exception>> {
    Ok(load_grouped::<ExceptionsOfMeetings>(ctx, meeting.id)
        .await?
        .iter()
        .map(|e| e.to_exception(meeting.duration_minutes))
        .collect())
}

/// A meeting of a group.
#[derive(Debug, Clone)]
pub struct Meeting(pub MeetingRow);

impl Meeting {
    /// The meeting, if the caller may see its group.
    pub async fn load_visible(ctx: &Context<'_>, id: Id) -> ApiResult<Option<Meeting>> {
        let Some(row) = load_by_id::<MeetingRow>(ctx, id).await? else {
            return Ok(None);
        };
        Ok(Group::load_visible(ctx, row.group_id)
            .await?
            .map(|_| Meeting(row)))
    }

    async fn planned(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> ApiResult<Vec<Planned>> {
        // Checked here so that a stored schedule that cannot be read fails this field alone.
        self.0.schedule()?;
        planned::planned(ctx, self.0.id, from, to, limit).await
    }
}

/// One occurrence of a meeting.
#[derive(async_graphql::SimpleObject, Debug, Clone)]
pub struct Occurrence {
    /// When it starts (UTC). Name the occurrence by its `originalStart` in mutations.
    pub start: DateTime<Utc>,
    /// When it ends (UTC).
    pub end: DateTime<Utc>,
    /// The start in the meeting's local time, RFC 3339 with its offset on that day.
    pub local_start: String,
    /// The start the schedule gives it; differs from `start` when it was moved.
    pub original_start: DateTime<Utc>,
    /// Whether it happens as scheduled.
    pub status: OccurrenceStatus,
    /// Why it was cancelled or moved.
    pub note: Option<String>,
}

/// Whether an occurrence happens as scheduled.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OccurrenceStatus {
    /// As scheduled.
    Scheduled,
    /// Cancelled.
    Cancelled,
    /// Moved to another time.
    Rescheduled,
}

impl Occurrence {
    /// An occurrence of a meeting as the API shows it.
    pub fn of(row: &MeetingRow, planned: Planned) -> Occurrence {
        let zone: chrono_tz::Tz = row.timezone.parse().unwrap_or(chrono_tz::UTC);
        Occurrence {
            start: planned.start,
            end: planned.end,
            local_start: planned.start.with_timezone(&zone).to_rfc3339(),
            original_start: planned.original_start,
            status: match planned.status {
                Status::Scheduled => OccurrenceStatus::Scheduled,
                Status::Cancelled => OccurrenceStatus::Cancelled,
                Status::Rescheduled => OccurrenceStatus::Rescheduled,
            },
            note: planned.note,
        }
    }
}

/// A meeting's schedule.
#[derive(async_graphql::SimpleObject, Debug, Clone)]
pub struct MeetingSchedule {
    /// RFC 5545 RRULE (`FREQ=WEEKLY;BYDAY=TU,TH`); null for a one-off meeting.
    pub rrule: Option<String>,
    /// Local start time, `HH:MM`.
    pub start_time: String,
    /// Length in minutes.
    pub duration_minutes: i32,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day, if any.
    pub ends_on: Option<NaiveDate>,
}

/// Where an in-person meeting is.
#[derive(async_graphql::SimpleObject, Debug, Clone)]
pub struct MeetingLocation {
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
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Whether the location is approximate.
    pub approximate: bool,
}

/// How to join an online meeting.
#[derive(async_graphql::SimpleObject, Debug, Clone)]
pub struct OnlineAccess {
    /// Meeting URL.
    pub url: Option<String>,
    /// Dial-in number.
    pub phone: Option<String>,
    /// Notes (passcode hints, ...).
    pub notes: Option<String>,
}

/// One entry of a meeting's change log.
#[derive(async_graphql::SimpleObject, Debug, Clone)]
pub struct MeetingChange {
    /// Who: `key <uuid>` (an API key) or `member <uuid>`.
    pub actor: String,
    /// What kind of change.
    pub action: String,
    /// The changed fields and their new values.
    pub changed_fields: async_graphql::Json<serde_json::Value>,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// The longest window `occurrences` accepts.
const MAX_WINDOW_DAYS: i64 = 366;

/// A meeting of a group: where, when and how to join, its schedule and occurrences.
#[Object]
impl Meeting {
    /// The meeting's global id.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Meeting, self.0.id)
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Description.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// In person, online or hybrid.
    async fn attendance_mode(&self) -> AttendanceMode {
        self.0.attendance_mode
    }

    /// Whether it runs.
    async fn status(&self) -> MeetingStatus {
        self.0.status
    }

    /// IANA time zone of the schedule.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }

    /// The schedule.
    async fn schedule(&self) -> MeetingSchedule {
        MeetingSchedule {
            rrule: self.0.rrule.clone(),
            start_time: self.0.start_time.clone(),
            duration_minutes: self.0.duration_minutes,
            starts_on: self.0.starts_on,
            ends_on: self.0.ends_on,
        }
    }

    /// Where it is (null for online-only meetings).
    async fn location(&self) -> Option<MeetingLocation> {
        (self.0.attendance_mode != AttendanceMode::Online).then(|| MeetingLocation {
            venue: self.0.venue.clone(),
            address: self.0.address.clone(),
            city: self.0.city.clone(),
            region: self.0.region.clone(),
            postal_code: self.0.postal_code.clone(),
            country_code: self.0.country_code.clone(),
            latitude: self.0.latitude,
            longitude: self.0.longitude,
            approximate: self.0.location_approximate,
        })
    }

    /// How to join online (null for in-person meetings). Meetings of private groups are seen
    /// only by their members and organization, so neither is their access.
    async fn online(&self) -> Option<OnlineAccess> {
        (self.0.attendance_mode != AttendanceMode::InPerson).then(|| OnlineAccess {
            url: self.0.online_url.clone(),
            phone: self.0.online_phone.clone(),
            notes: self.0.online_notes.clone(),
        })
    }

    /// The meeting's iCalendar feed, relative to this API's origin (for "add to calendar");
    /// null for meetings of private groups, which are not published.
    async fn calendar_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let group = load_by_id::<GroupRow>(ctx, self.0.group_id).await?;
        Ok(group
            .filter(|g| g.visibility != crate::groups::model::GroupVisibility::Private)
            .map(|_| format!("/feeds/meetings/{}.ics", self.0.id)))
    }

    /// The program (`aa`, `na`, ...).
    async fn program(&self) -> Option<&str> {
        self.0.program.as_deref()
    }

    /// Type codes of the program, with English names (see `meetingTypes` for translations).
    async fn types(&self) -> Vec<MeetingTypeInfo> {
        MeetingTypeInfo::of_meeting(&self.0)
    }

    /// Languages the meeting is held in (BCP 47).
    async fn languages(&self) -> Vec<String> {
        decode_list(&self.0.languages)
    }

    /// Accessibility features.
    async fn accessibility(&self) -> Vec<AccessibilityFeature> {
        self.0.accessibility_features()
    }

    /// Most attendees per occurrence; null means no limit.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }

    /// When the meeting last changed; pass it back as `expectedUpdatedAt` to change the
    /// meeting only if nobody else did meanwhile.
    async fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.updated_at.0
    }

    /// The group that holds the meeting.
    async fn group(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Group>> {
        Ok(Group::load_visible(ctx, self.0.group_id).await?)
    }

    /// Occurrences starting in `[from, to)` (at most a year apart), cancelled and moved ones
    /// included with their status, in start order.
    async fn occurrences(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Window start (inclusive).")] from: DateTime<Utc>,
        #[graphql(desc = "Window end (exclusive).")] to: DateTime<Utc>,
        #[graphql(desc = "Most occurrences (1 to 500).", default = 100)] first: Option<i32>,
    ) -> async_graphql::Result<Vec<Occurrence>> {
        if to <= from || (to - from).num_days() > MAX_WINDOW_DAYS {
            return Err(ApiError::bad_input(
                "to",
                format!("give a window of up to {MAX_WINDOW_DAYS} days after `from`"),
            )
            .into());
        }
        let limit = match first.unwrap_or(100) {
            n if (1..=recurrence::MAX_OCCURRENCES as i32).contains(&n) => n as usize,
            _ => {
                return Err(ApiError::bad_input(
                    "first",
                    format!("use 1 to {}", recurrence::MAX_OCCURRENCES),
                )
                .into());
            }
        };
        let planned = self.planned(ctx, from, to, limit).await?;
        Ok(planned
            .into_iter()
            .map(|p| Occurrence::of(&self.0, p))
            .collect())
    }

    /// The next occurrence that takes place (not cancelled) from now on, within a year.
    async fn next_occurrence(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<Occurrence>> {
        if self.0.status != MeetingStatus::Active {
            return Ok(None);
        }
        let now = Utc::now();
        let planned = self
            .planned(ctx, now, now + chrono::Duration::days(MAX_WINDOW_DAYS), 50)
            .await?;
        Ok(planned
            .into_iter()
            .find(|p| p.status != Status::Cancelled)
            .map(|p| Occurrence::of(&self.0, p)))
    }

    /// The RSVPs of one occurrence (named by its original start), seats first, then the
    /// waitlist in order: for the organization (`READ`) and the group's organizers and
    /// facilitators; null for everyone else.
    async fn rsvps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The occurrence's original start (UTC).")] occurrence_start: DateTime<Utc>,
        #[graphql(desc = "How many RSVPs (0 to 100, default 20).", default = 20)] first: Option<
            i32,
        >,
        #[graphql(desc = "Continue after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<Option<RelayConnection<rsvps::RsvpKey, Rsvp>>> {
        Ok(occurrence_rsvps(ctx, &self.0, occurrence_start, first, after).await?)
    }

    /// Every change to the meeting, oldest first: who, when, what (the organization's keys
    /// only; null for everyone else).
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many changes (0 to 100, default 20).", default = 20)] first: Option<
            i32,
        >,
        #[graphql(desc = "Continue after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<Option<RelayConnection<Id, MeetingChange>>> {
        if !viewer(ctx).is_staff_of(self.0.organization_id) {
            return Ok(None);
        }
        let page = Page::<Id>::new(ctx, first, after)?;
        let (rows, total) = load_page::<ChangesOfMeetings>(ctx, page.key(self.0.id, 0)).await?;
        Ok(Some(connection(
            &page,
            rows,
            total,
            |c| c.id,
            |c| MeetingChange {
                actor: c.actor,
                action: c.action,
                changed_fields: async_graphql::Json(
                    serde_json::from_str(&c.changed_fields).unwrap_or_default(),
                ),
                changed_at: c.changed_at.0,
            },
        )))
    }
}

/// A meeting's schedule, as given.
#[derive(InputObject, Clone)]
pub struct ScheduleInput {
    /// RFC 5545 RRULE: `FREQ=WEEKLY;BYDAY=TU,TH`, `FREQ=MONTHLY;BYDAY=-1FR`,
    /// `FREQ=MONTHLY;BYDAY=1TU,3TU`; omit for a one-off meeting on `startsOn`.
    pub rrule: Option<String>,
    /// Local start time, 24-hour `HH:MM`.
    pub start_time: String,
    /// Length in minutes (1 to 1440).
    pub duration_minutes: i32,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day, if any.
    pub ends_on: Option<NaiveDate>,
}

/// Where an in-person or hybrid meeting is.
#[derive(InputObject, Clone, Default)]
pub struct LocationInput {
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
    /// Latitude (-90 to 90).
    pub latitude: Option<f64>,
    /// Longitude (-180 to 180).
    pub longitude: Option<f64>,
    /// Whether the location is approximate.
    #[graphql(default)]
    pub approximate: bool,
}

/// How to join an online or hybrid meeting.
#[derive(InputObject, Clone, Default)]
pub struct OnlineInput {
    /// Meeting URL (http or https).
    pub url: Option<String>,
    /// Dial-in number of the meeting.
    pub phone: Option<String>,
    /// Notes.
    pub notes: Option<String>,
}

/// Fields of `createMeeting`.
#[derive(InputObject)]
pub struct CreateMeetingInput {
    /// The group (global id).
    pub group_id: ID,
    /// Name (1 to 120 characters).
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// IANA time zone of the schedule (`America/New_York`).
    pub timezone: String,
    /// The schedule.
    pub schedule: ScheduleInput,
    /// In person, online or hybrid.
    pub attendance_mode: AttendanceMode,
    /// Where (in-person and hybrid meetings).
    pub location: Option<LocationInput>,
    /// How to join (online and hybrid meetings).
    pub online: Option<OnlineInput>,
    /// Program key (`aa`, `na`, ...; see `meetingPrograms`).
    pub program: Option<String>,
    /// Type codes of the program (see `meetingTypes`).
    pub types: Option<Vec<String>>,
    /// Languages (BCP 47).
    pub languages: Option<Vec<String>>,
    /// Accessibility features.
    pub accessibility: Option<Vec<AccessibilityFeature>>,
    /// Most attendees per occurrence.
    pub capacity: Option<i32>,
}

/// Fields of `updateMeeting`; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateMeetingInput {
    /// The meeting (global id).
    pub id: ID,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Status.
    pub status: Option<MeetingStatus>,
    /// Time zone.
    pub timezone: Option<String>,
    /// Schedule (replaced whole).
    pub schedule: Option<ScheduleInput>,
    /// Attendance mode.
    pub attendance_mode: Option<AttendanceMode>,
    /// Location (replaced whole; null removes it).
    pub location: MaybeUndefined<LocationInput>,
    /// Online access (replaced whole; null removes it).
    pub online: MaybeUndefined<OnlineInput>,
    /// Program.
    pub program: MaybeUndefined<String>,
    /// Type codes.
    pub types: Option<Vec<String>>,
    /// Languages.
    pub languages: Option<Vec<String>>,
    /// Accessibility features.
    pub accessibility: Option<Vec<AccessibilityFeature>>,
    /// Capacity (1 to 10000); null removes the limit.
    pub capacity: MaybeUndefined<i32>,
    /// Change the meeting only if its `updatedAt` is still this (optimistic concurrency);
    /// otherwise `CONFLICT` and nothing changes.
    pub expected_updated_at: Option<DateTime<Utc>>,
}

/// Input of `cancelOccurrence`.
#[derive(InputObject)]
pub struct CancelOccurrenceInput {
    /// The meeting (global id).
    pub meeting_id: ID,
    /// The occurrence's original start (its `originalStart`, UTC).
    pub occurrence_start: DateTime<Utc>,
    /// Why, for the people who planned to come.
    #[graphql(default)]
    pub note: String,
}

/// Input of `rescheduleOccurrence`.
#[derive(InputObject)]
pub struct RescheduleOccurrenceInput {
    /// The meeting (global id).
    pub meeting_id: ID,
    /// The occurrence's original start (its `originalStart`, UTC).
    pub occurrence_start: DateTime<Utc>,
    /// The new start (UTC), within 31 days of the original.
    pub new_start: DateTime<Utc>,
    /// The new length in minutes (default: the meeting's).
    pub duration_minutes: Option<i32>,
    /// Why.
    #[graphql(default)]
    pub note: String,
}

fn actor(ctx: &Context<'_>) -> String {
    match viewer(ctx) {
        Viewer::ApiKey { key_id, .. } => format!("key {key_id}"),
        Viewer::Member { member_id, .. } => format!("member {member_id}"),
        Viewer::Anonymous => "anonymous".into(),
    }
}

fn optional_text(field: &str, value: Option<String>, max: usize) -> ApiResult<Option<String>> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            if v.chars().any(char::is_control) || v.chars().count() > max {
                Err(ApiError::bad_input(
                    field,
                    format!("use up to {max} characters, no control characters"),
                ))
            } else {
                Ok(v.trim().to_owned())
            }
        })
        .transpose()
}

/// Type codes as stored: trimmed, each once.
fn type_codes(codes: &[String]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for code in codes.iter().map(|c| c.trim()) {
        if !unique.contains(&code) {
            unique.push(code);
        }
    }
    encode_list(unique)
}

fn apply_schedule(row: &mut MeetingRow, schedule: ScheduleInput) {
    row.rrule = schedule.rrule.filter(|r| !r.trim().is_empty());
    row.start_time = schedule.start_time.trim().to_owned();
    row.duration_minutes = schedule.duration_minutes;
    row.starts_on = schedule.starts_on;
    row.ends_on = schedule.ends_on;
}

fn apply_location(row: &mut MeetingRow, location: Option<LocationInput>) -> ApiResult<()> {
    let l = location.unwrap_or_default();
    row.venue = optional_text("input.location.venue", l.venue, 200)?;
    row.address = optional_text("input.location.address", l.address, 300)?;
    row.city = optional_text("input.location.city", l.city, 120)?;
    row.region = optional_text("input.location.region", l.region, 120)?;
    row.postal_code = optional_text("input.location.postalCode", l.postal_code, 20)?;
    row.country_code = match optional_text("input.location.countryCode", l.country_code, 2)? {
        Some(code) if code.len() == 2 && code.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(code.to_ascii_uppercase())
        }
        Some(_) => {
            return Err(ApiError::bad_input(
                "input.location.countryCode",
                "use a two-letter ISO 3166 code",
            ));
        }
        None => None,
    };
    row.latitude = l.latitude;
    row.longitude = l.longitude;
    row.location_approximate = l.approximate;
    Ok(())
}

fn apply_online(row: &mut MeetingRow, online: Option<OnlineInput>) -> ApiResult<()> {
    let o = online.unwrap_or_default();
    row.online_url = optional_text("input.online.url", o.url, 500)?;
    row.online_phone = optional_text("input.online.phone", o.phone, 40)?;
    row.online_notes = optional_text("input.online.notes", o.notes, 500)?;
    Ok(())
}

/// Applies the fields `updateMeeting` was given to the meeting as it now stands.
fn apply_update(row: &mut MeetingRow, input: UpdateMeetingInput) -> ApiResult<()> {
    if let Some(name) = input.name {
        row.name = validate::label("input.name", &name, 1, 120)?;
    }
    if let Some(description) = input.description {
        row.description =
            optional_text("input.description", Some(description), 2000)?.unwrap_or_default();
    }
    if let Some(status) = input.status {
        row.status = status;
    }
    if let Some(timezone) = input.timezone {
        row.timezone = validate::timezone("input.timezone", &timezone)?;
    }
    if let Some(schedule) = input.schedule {
        apply_schedule(row, schedule);
    }
    if let Some(mode) = input.attendance_mode {
        row.attendance_mode = mode;
    }
    match input.location {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => apply_location(row, None)?,
        MaybeUndefined::Value(l) => apply_location(row, Some(l))?,
    }
    match input.online {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => apply_online(row, None)?,
        MaybeUndefined::Value(o) => apply_online(row, Some(o))?,
    }
    match input.program {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => row.program = None,
        MaybeUndefined::Value(p) => row.program = Some(p.trim().to_ascii_lowercase()),
    }
    if let Some(types) = input.types {
        row.types = type_codes(&types);
    }
    if let Some(languages) = input.languages {
        row.languages = encode_list(
            validate::languages("input.languages", &languages)?
                .iter()
                .map(String::as_str),
        );
    }
    if let Some(features) = input.accessibility {
        row.accessibility = encode_enums(&features);
    }
    match input.capacity {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => row.capacity = None,
        MaybeUndefined::Value(c) => row.capacity = Some(c),
    }
    Ok(())
}

/// A meeting the caller may manage: the group's organization (`WRITE`) or its organizers
/// (and, for single occurrences, facilitators).
async fn managed_meeting(
    ctx: &Context<'_>,
    id: &ID,
    organizers_only: bool,
) -> ApiResult<(MeetingRow, GroupRow)> {
    let id = decode_id_of(NodeKind::Meeting, id, "input.id")?;
    let meeting = Meeting::load_visible(ctx, id)
        .await?
        .map(|m| m.0)
        .filter(|m| Some(m.organization_id) == viewer(ctx).organization_id())
        .ok_or_else(|| ApiError::NotFound("no such meeting".into()))?;
    let group = load_by_id::<GroupRow>(ctx, meeting.group_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such meeting".into()))?;
    crate::memberships::require_manager(ctx, &group, organizers_only).await?;
    Ok((meeting, group))
}

/// `meeting(id:)`.
#[derive(Default)]
pub struct MeetingQuery;

#[Object]
impl MeetingQuery {
    /// A meeting by global id, if you may see its group.
    async fn meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting's global id.")] id: ID,
    ) -> async_graphql::Result<Option<Meeting>> {
        let id = decode_id_of(NodeKind::Meeting, &id, "id")?;
        Ok(Meeting::load_visible(ctx, id).await?)
    }
}

/// Meeting mutations.
#[derive(Default)]
pub struct MeetingMutation;

#[Object]
impl MeetingMutation {
    /// Creates a meeting of a group: the organization (`WRITE`) or the group's organizers.
    async fn create_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `CreateMeetingInput`.")] input: CreateMeetingInput,
    ) -> async_graphql::Result<Meeting> {
        let group_id = decode_id_of(NodeKind::Group, &input.group_id, "input.groupId")?;
        let group = Group::load_visible(ctx, group_id)
            .await?
            .map(|g| g.0)
            .filter(|g| Some(g.organization_id) == viewer(ctx).organization_id())
            .ok_or_else(|| ApiError::NotFound("no such group".into()))?;
        crate::memberships::require_manager(ctx, &group, true).await?;
        let mut row = MeetingRow::new(
            group.organization_id,
            group.id,
            validate::label("input.name", &input.name, 1, 120)?,
            input.attendance_mode,
            validate::timezone("input.timezone", &input.timezone)?,
        );
        row.description =
            optional_text("input.description", input.description, 2000)?.unwrap_or_default();
        row.program = input.program.map(|p| p.trim().to_ascii_lowercase());
        row.types = type_codes(&input.types.unwrap_or_default());
        row.languages = encode_list(
            validate::languages("input.languages", &input.languages.unwrap_or_default())?
                .iter()
                .map(String::as_str),
        );
        row.accessibility = encode_enums(&input.accessibility.unwrap_or_default());
        row.capacity = input.capacity;
        apply_schedule(&mut row, input.schedule);
        apply_location(&mut row, input.location)?;
        apply_online(&mut row, input.online)?;
        let actor = actor(ctx);
        let row = db(ctx)?
            .run(move |conn| model::create(conn, row, &actor))
            .await?;
        Ok(Meeting(row))
    }

    /// Changes a meeting: the organization (`WRITE`) or the group's organizers. Every change is
    /// logged (`Meeting.changes`).
    async fn update_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `UpdateMeetingInput`.")] input: UpdateMeetingInput,
    ) -> async_graphql::Result<Meeting> {
        let (before, _) = managed_meeting(ctx, &input.id, true).await?;
        let actor = actor(ctx);
        let expected = input.expected_updated_at;
        let row = db(ctx)?
            .run(move |conn| {
                model::update(conn, before.id, &actor, expected, |row| {
                    apply_update(row, input)
                })
            })
            .await?;
        Ok(Meeting(row))
    }

    /// Cancels one occurrence, with a note: the organization (`WRITE`) or the group's
    /// organizers and facilitators. Returns the occurrence as it now stands.
    async fn cancel_occurrence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `CancelOccurrenceInput`.")] input: CancelOccurrenceInput,
    ) -> async_graphql::Result<Occurrence> {
        let (meeting, _) = managed_meeting(ctx, &input.meeting_id, false).await?;
        let note = optional_text("input.note", Some(input.note), 500)?.unwrap_or_default();
        let start = input.occurrence_start;
        let actor = actor(ctx);
        let row = meeting.clone();
        db(ctx)?
            .run(move |conn| model::set_exception(conn, &row, start, None, note, &actor))
            .await?;
        occurrence_now(ctx, &meeting, start).await
    }

    /// Moves one occurrence to another time (within 31 days), with a note: the organization
    /// (`WRITE`) or the group's organizers and facilitators.
    async fn reschedule_occurrence(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `RescheduleOccurrenceInput`.")]
        input: RescheduleOccurrenceInput,
    ) -> async_graphql::Result<Occurrence> {
        let (meeting, _) = managed_meeting(ctx, &input.meeting_id, false).await?;
        let note = optional_text("input.note", Some(input.note), 500)?.unwrap_or_default();
        let start = input.occurrence_start;
        let moved = (
            input.new_start,
            input.duration_minutes.unwrap_or(meeting.duration_minutes),
        );
        let actor = actor(ctx);
        let row = meeting.clone();
        db(ctx)?
            .run(move |conn| model::set_exception(conn, &row, start, Some(moved), note, &actor))
            .await?;
        occurrence_now(ctx, &meeting, start).await
    }
}

/// The occurrence originally starting at `original_start`, read back with its exception.
async fn occurrence_now(
    ctx: &Context<'_>,
    meeting: &MeetingRow,
    original_start: DateTime<Utc>,
) -> async_graphql::Result<Occurrence> {
    let id = meeting.id;
    let exceptions: Vec<_> = db(ctx)?
        .run(move |conn| model::exceptions_of(conn, &[id]))
        .await?
        .into_iter()
        .map(|(_, e)| e.to_exception(meeting.duration_minutes))
        .collect();
    Ok(Occurrence::of(
        meeting,
        meeting.occurrence(&exceptions, original_start)?,
    ))
}

/// An RSVP to one occurrence of a meeting.
#[derive(Debug, Clone)]
pub struct Rsvp {
    row: rsvps::RsvpRow,
    waitlist_position: Option<i64>,
}

/// An RSVP to one occurrence of a meeting: a seat, or a place on the waitlist.
#[Object]
impl Rsvp {
    /// The occurrence's original start (UTC).
    async fn occurrence_start(&self) -> DateTime<Utc> {
        self.row.occurrence_start.0
    }

    /// Where the RSVP stands.
    async fn state(&self) -> rsvps::RsvpState {
        self.row.state
    }

    /// Place in the waitlist (1 is next), while waitlisted.
    async fn waitlist_position(&self) -> Option<i64> {
        self.waitlist_position
    }

    /// The member (fully for itself and the organization, by display name for the group's
    /// organizers and facilitators).
    async fn member(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::members::Member>> {
        use crate::members::Member;
        Ok(
            load_by_id::<crate::members::model::MemberRow>(ctx, self.row.member_id)
                .await?
                .map(|row| Member::seen_by(viewer(ctx), row)),
        )
    }

    /// The meeting, if the caller may still see it.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Meeting>> {
        Ok(Meeting::load_visible(ctx, self.row.meeting_id).await?)
    }
}

/// Input of `rsvp` and `cancelRsvp`.
#[derive(InputObject)]
pub struct RsvpInput {
    /// The meeting (global id).
    pub meeting_id: ID,
    /// The occurrence's original start (its `originalStart`, UTC).
    pub occurrence_start: DateTime<Utc>,
    /// The member; a member token may leave it out to mean itself.
    pub member_id: Option<ID>,
}

async fn rsvp_target(ctx: &Context<'_>, input: &RsvpInput) -> ApiResult<(MeetingRow, Id)> {
    let meeting_id = decode_id_of(NodeKind::Meeting, &input.meeting_id, "input.meetingId")?;
    let meeting = Meeting::load_visible(ctx, meeting_id)
        .await?
        .map(|m| m.0)
        .ok_or_else(|| ApiError::NotFound("no such meeting".into()))?;
    let (member, _) = crate::members::target_member(
        ctx,
        input.member_id.as_ref(),
        "input.memberId",
        crate::auth::Scope::Write,
    )
    .await?;
    if member.organization_id != meeting.organization_id {
        return Err(ApiError::Forbidden(
            "this meeting belongs to another organization: RSVPs stay within an organization"
                .into(),
        ));
    }
    Ok((meeting, member.id))
}

/// RSVP mutations.
#[derive(Default)]
pub struct RsvpMutation;

#[Object]
impl RsvpMutation {
    /// RSVPs to an occurrence that has not begun: a seat while there is room (the meeting's
    /// capacity), else a place on the waitlist. The member itself, or the organization
    /// (`WRITE`). Asking twice changes nothing.
    async fn rsvp(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `RsvpInput`.")] input: RsvpInput,
    ) -> async_graphql::Result<Rsvp> {
        let (meeting, member_id) = rsvp_target(ctx, &input).await?;
        let exceptions = exceptions_of(ctx, &meeting).await?;
        let start = input.occurrence_start;
        let (row, waitlist_position) = db(ctx)?
            .run(move |conn| {
                let row = rsvps::rsvp(conn, &meeting, &exceptions, start, member_id)?;
                let position = rsvps::waitlist_position(conn, &row)?;
                Ok((row, position))
            })
            .await?;
        Ok(Rsvp {
            row,
            waitlist_position,
        })
    }

    /// Withdraws an RSVP; a freed seat goes to the first on the waitlist.
    async fn cancel_rsvp(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `RsvpInput`.")] input: RsvpInput,
    ) -> async_graphql::Result<Rsvp> {
        let (meeting, member_id) = rsvp_target(ctx, &input).await?;
        let start = input.occurrence_start;
        let row = db(ctx)?
            .run(move |conn| rsvps::cancel(conn, &meeting, start, member_id))
            .await?;
        Ok(Rsvp {
            row,
            waitlist_position: None,
        })
    }
}

/// A page of the RSVPs of one occurrence, for the organization (`READ`) and the group's
/// organizers and facilitators: seats first, then the waitlist in order.
pub async fn occurrence_rsvps(
    ctx: &Context<'_>,
    meeting: &MeetingRow,
    start: DateTime<Utc>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Option<RelayConnection<rsvps::RsvpKey, Rsvp>>> {
    let allowed = match viewer(ctx) {
        Viewer::ApiKey {
            organization_id, ..
        } => {
            *organization_id == meeting.organization_id
                && viewer(ctx).has_scope(crate::auth::Scope::Read)
        }
        Viewer::Member { .. } => match load_by_id::<GroupRow>(ctx, meeting.group_id).await? {
            Some(group) => crate::memberships::require_manager(ctx, &group, false)
                .await
                .is_ok(),
            None => false,
        },
        Viewer::Anonymous => false,
    };
    if !allowed {
        return Ok(None);
    }
    let page = Page::<rsvps::RsvpKey>::new(ctx, first, after)?;
    let id = meeting.id;
    let query = page.clone();
    let (rows, total) = db(ctx)?
        .run(move |conn| {
            let limit = query.limit();
            let rows = rsvps::page_of_occurrence(conn, id, start, query.after, limit)?;
            let total = if query.count_total {
                rsvps::count_of_occurrence(conn, id, start)?
            } else {
                0
            };
            Ok((rows, total))
        })
        .await?;
    Ok(Some(connection(
        &page,
        rows,
        total,
        |(row, _)| row.key(),
        |(row, waitlist_position)| Rsvp {
            row,
            waitlist_position,
        },
    )))
}

/// Input of `recordAttendance`.
#[derive(InputObject)]
pub struct RecordAttendanceInput {
    /// The meeting (global id).
    pub meeting_id: ID,
    /// The occurrence's original start (its `originalStart`, UTC).
    pub occurrence_start: DateTime<Utc>,
    /// Who attended (the organization, organizers and facilitators); a member token leaves it
    /// out to check itself in.
    pub member_ids: Option<Vec<ID>>,
}

/// Result of `recordAttendance`.
#[derive(async_graphql::SimpleObject)]
pub struct AttendancePayload {
    /// The occurrence's original start.
    pub occurrence_start: DateTime<Utc>,
    /// How many of the given people were not recorded before.
    pub newly_recorded: i32,
    /// How many people attended the occurrence so far.
    pub attendee_count: i64,
}

/// Attendance mutations.
#[derive(Default)]
pub struct AttendanceMutation;

#[Object]
impl AttendanceMutation {
    /// Records attendance at an occurrence, from 30 minutes before its start. The organization
    /// (`WRITE`) and the group's organizers and facilitators record `memberIds`; a member token
    /// checks itself in (until an hour after the end). Recording twice counts once.
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `RecordAttendanceInput`.")] input: RecordAttendanceInput,
    ) -> async_graphql::Result<AttendancePayload> {
        let meeting_id = decode_id_of(NodeKind::Meeting, &input.meeting_id, "input.meetingId")?;
        let meeting = Meeting::load_visible(ctx, meeting_id)
            .await?
            .map(|m| m.0)
            .filter(|m| Some(m.organization_id) == viewer(ctx).organization_id())
            .ok_or_else(|| ApiError::NotFound("no such meeting".into()))?;
        let (member_ids, self_check_in) = match (&input.member_ids, viewer(ctx)) {
            (None, Viewer::Member { member_id, .. }) => (vec![*member_id], true),
            (None, _) => {
                return Err(ApiError::bad_input("input.memberIds", "name who attended").into());
            }
            (Some(ids), _) => {
                let group = load_by_id::<GroupRow>(ctx, meeting.group_id)
                    .await?
                    .ok_or_else(|| ApiError::NotFound("no such meeting".into()))?;
                crate::memberships::require_manager(ctx, &group, false).await?;
                if ids.is_empty() || ids.len() > 500 {
                    return Err(
                        ApiError::bad_input("input.memberIds", "name 1 to 500 members").into(),
                    );
                }
                let decoded = ids
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        decode_id_of(NodeKind::Member, id, &format!("input.memberIds.{i}"))
                    })
                    .collect::<ApiResult<Vec<Id>>>()?;
                let rows = crate::loaders::load_many_by_id::<crate::members::model::MemberRow>(
                    ctx,
                    decoded.clone(),
                )
                .await?;
                if let Some((i, _)) = decoded.iter().enumerate().find(|(_, id)| {
                    rows.get(id).is_none_or(|m| {
                        m.organization_id != meeting.organization_id || m.erased_at.is_some()
                    })
                }) {
                    return Err(ApiError::bad_input(
                        format!("input.memberIds.{i}"),
                        "no such member in this organization",
                    )
                    .into());
                }
                (decoded, false)
            }
        };
        let exceptions = exceptions_of(ctx, &meeting).await?;
        let start = input.occurrence_start;
        attendance::check_open(&meeting, &exceptions, start, self_check_in)?;
        let recorded_by = actor(ctx);
        let (added, total) = db(ctx)?
            .run(move |conn| {
                let added = attendance::record(conn, &meeting, start, &member_ids, &recorded_by)?;
                Ok((added, attendance::count(conn, meeting.id, start)?))
            })
            .await?;
        Ok(AttendancePayload {
            occurrence_start: start,
            newly_recorded: i32::try_from(added).unwrap_or(i32::MAX),
            attendee_count: total,
        })
    }
}

/// A day of the week.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOfWeek {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl DayOfWeek {
    fn weekday(self) -> chrono::Weekday {
        match self {
            DayOfWeek::Monday => chrono::Weekday::Mon,
            DayOfWeek::Tuesday => chrono::Weekday::Tue,
            DayOfWeek::Wednesday => chrono::Weekday::Wed,
            DayOfWeek::Thursday => chrono::Weekday::Thu,
            DayOfWeek::Friday => chrono::Weekday::Fri,
            DayOfWeek::Saturday => chrono::Weekday::Sat,
            DayOfWeek::Sunday => chrono::Weekday::Sun,
        }
    }
}

/// Meetings near a point.
#[derive(InputObject)]
pub struct NearInput {
    /// Latitude (-90 to 90).
    pub latitude: f64,
    /// Longitude (-180 to 180).
    pub longitude: f64,
    /// Radius in kilometres (up to 500); leave it out with `nearest`.
    pub radius_km: Option<f64>,
}

/// An interval of instants.
#[derive(InputObject)]
pub struct InstantRange {
    /// Start (inclusive).
    pub from: DateTime<Utc>,
    /// End (exclusive), at most 35 days after `from`.
    pub to: DateTime<Utc>,
}

/// A local time-of-day window, in each meeting's own time zone.
#[derive(InputObject)]
pub struct LocalTimeRange {
    /// From `HH:MM` (inclusive).
    pub from: String,
    /// To `HH:MM` (exclusive); earlier than `from` wraps past midnight.
    pub to: String,
}

/// How `types.include` must match.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeMatchMode {
    /// At least one of the types.
    Any,
    /// Every one of the types.
    All,
}

/// Type code filter.
#[derive(InputObject)]
pub struct TypeFilter {
    /// Codes the meeting should have.
    pub include: Option<Vec<String>>,
    /// Codes the meeting must not have.
    pub exclude: Option<Vec<String>>,
    /// Whether `include` means any or all (default ANY).
    #[graphql(name = "match")]
    pub match_mode: Option<TypeMatchMode>,
}

/// What to look for; every list means "any of these".
#[derive(InputObject, Default)]
pub struct MeetingFilter {
    /// Within a radius of a point.
    pub near: Option<NearInput>,
    /// The N nearest meetings to `near` (1 to 100), whatever the distance; results are then
    /// ordered by distance.
    pub nearest: Option<i32>,
    /// An occurrence (not cancelled) starts in this interval: "meetings in the next two hours".
    pub starts_between: Option<InstantRange>,
    /// On these local weekdays.
    pub weekdays: Option<Vec<DayOfWeek>>,
    /// Starting in this local time-of-day window.
    pub local_time: Option<LocalTimeRange>,
    /// Attendance modes (a hybrid meeting matches both IN_PERSON and ONLINE).
    pub attendance_modes: Option<Vec<AttendanceMode>>,
    /// Program key (`aa`, `na`, ...).
    pub program: Option<String>,
    /// Type codes.
    pub types: Option<TypeFilter>,
    /// Languages (BCP 47, by primary language).
    pub languages: Option<Vec<String>>,
    /// Group audiences.
    pub audiences: Option<Vec<Audience>>,
    /// Group pathways.
    pub pathways: Option<Vec<Pathway>>,
    /// Group focus.
    pub focus: Option<Vec<RecoveryFocus>>,
    /// Words in the name or description.
    pub text: Option<String>,
    /// Groups (global ids).
    pub group_ids: Option<Vec<ID>>,
}

/// How search results are ordered.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingOrder {
    /// Soonest next occurrence first (meetings without one last).
    NextOccurrence,
    /// Nearest first (needs `near`).
    Distance,
    /// By name.
    Name,
}

/// What a search says about each meeting it found.
#[derive(async_graphql::SimpleObject, Debug, Clone)]
pub struct MeetingSearchEdge {
    /// Distance from the `near` point, in kilometres.
    pub distance_km: Option<f64>,
    /// The next occurrence that takes place (within `startsBetween`, when given).
    pub next_occurrence: Option<Occurrence>,
}

/// Meetings found by a search.
pub type MeetingConnection = async_graphql::connection::Connection<
    crate::relay::Cursor<(String, Id)>,
    Meeting,
    crate::relay::ConnectionFields,
    MeetingSearchEdge,
>;

use crate::recovery::{Audience, Pathway, RecoveryFocus};

fn parse_time(field: &str, text: &str) -> ApiResult<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| ApiError::bad_input(field, "use 24-hour HH:MM"))
}

impl MeetingFilter {
    fn into_search(self) -> ApiResult<search::MeetingSearch> {
        if self.nearest.is_some_and(|n| !(1..=100).contains(&n)) {
            return Err(ApiError::bad_input("filter.nearest", "use 1 to 100"));
        }
        let near = match (self.near, self.nearest) {
            (Some(n), _)
                if !(-90.0..=90.0).contains(&n.latitude)
                    || !(-180.0..=180.0).contains(&n.longitude) =>
            {
                return Err(ApiError::bad_input(
                    "filter.near",
                    "latitude -90 to 90, longitude -180 to 180",
                ));
            }
            (Some(n), None) => match n.radius_km {
                Some(r) if r > 0.0 && r <= 500.0 => Some((n.latitude, n.longitude, r)),
                _ => {
                    return Err(ApiError::bad_input(
                        "filter.near.radiusKm",
                        "use more than 0 and up to 500 km (or give `nearest` instead)",
                    ));
                }
            },
            (Some(n), Some(_)) => Some((n.latitude, n.longitude, f64::INFINITY)),
            (None, Some(_)) => {
                return Err(ApiError::bad_input(
                    "filter.nearest",
                    "give the point in `near`",
                ));
            }
            (None, None) => None,
        };
        let starts_between = match self.starts_between {
            Some(r) if r.to <= r.from || (r.to - r.from).num_days() > 35 => {
                return Err(ApiError::bad_input(
                    "filter.startsBetween",
                    "give `to` after `from`, at most 35 days later",
                ));
            }
            Some(r) => Some((r.from, r.to)),
            None => None,
        };
        let local_time = self
            .local_time
            .map(|w| {
                Ok::<_, ApiError>((
                    parse_time("filter.localTime.from", &w.from)?,
                    parse_time("filter.localTime.to", &w.to)?,
                ))
            })
            .transpose()?;
        let types = self.types;
        Ok(search::MeetingSearch {
            near,
            weekdays: self
                .weekdays
                .unwrap_or_default()
                .into_iter()
                .map(DayOfWeek::weekday)
                .collect(),
            local_time,
            starts_between,
            modes: self.attendance_modes.unwrap_or_default(),
            program: self.program.map(|p| p.trim().to_ascii_lowercase()),
            include_types: types
                .as_ref()
                .and_then(|t| t.include.clone())
                .filter(|i| !i.is_empty())
                .map(|include| {
                    let mode = match types.as_ref().and_then(|t| t.match_mode) {
                        Some(TypeMatchMode::All) => search::TypeMatch::All,
                        _ => search::TypeMatch::Any,
                    };
                    (include, mode)
                }),
            exclude_types: types.and_then(|t| t.exclude).unwrap_or_default(),
            languages: validate::languages(
                "filter.languages",
                &self.languages.unwrap_or_default(),
            )?,
            audiences: self.audiences.unwrap_or_default(),
            pathways: self.pathways.unwrap_or_default(),
            focus: self.focus.unwrap_or_default(),
            text: self.text,
            group_ids: self
                .group_ids
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, id)| decode_id_of(NodeKind::Group, id, &format!("filter.groupIds.{i}")))
                .collect::<ApiResult<_>>()?,
        })
    }
}

/// `meetings(filter, orderBy, first, after)`.
#[derive(Default)]
pub struct MeetingSearchQuery;

#[Object]
impl MeetingSearchQuery {
    /// Finds meetings you may see: public ones of every organization, plus your own. Each edge
    /// carries `distanceKm` (with `near`) and `nextOccurrence`; `startsBetween`, `weekdays` and
    /// `localTime` are answered in each meeting's own time zone.
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for.")] filter: Option<MeetingFilter>,
        #[graphql(desc = "Order (default NEXT_OCCURRENCE).")] order_by: Option<MeetingOrder>,
        #[graphql(desc = "How many (0 to 100, default 20).", default = 20)] first: Option<i32>,
        #[graphql(desc = "Continue after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<Option<MeetingConnection>> {
        let mut page = crate::relay::Page::<(String, Id)>::new(ctx, first, after)?;
        let filter = filter.unwrap_or_default();
        let nearest = filter.nearest;
        let search = filter.into_search()?;
        let order = match nearest {
            Some(_) => MeetingOrder::Distance,
            None => order_by.unwrap_or(MeetingOrder::NextOccurrence),
        };
        if order == MeetingOrder::Distance && search.near.is_none() {
            return Err(ApiError::bad_input("orderBy", "DISTANCE needs filter.near").into());
        }
        let scope = crate::groups::model::GroupScope {
            organization_id: match viewer(ctx) {
                Viewer::ApiKey {
                    organization_id, ..
                } => Some(*organization_id),
                _ => None,
            },
            member_id: viewer(ctx).member_id(),
        };
        if let Some(n) = nearest {
            page.first = page.first.min(n as usize);
        }
        let request = search::PageRequest {
            order,
            nearest: nearest.map(|n| n as usize),
            after: page.after.clone(),
            limit: page.limit() as usize,
        };
        let clock = search::Clock {
            now: Utc::now(),
            horizon: ctx
                .data::<horizon::KnownHorizon>()
                .ok()
                .and_then(horizon::KnownHorizon::until),
        };
        let wants_groups = ctx
            .look_ahead()
            .field("edges")
            .field("node")
            .field("group")
            .exists();
        let (search::SearchPage { total, rows }, groups) = db(ctx)?
            .run(move |conn| {
                let found = search::page(conn, scope, &search, &request, clock)?;
                let groups = if wants_groups {
                    search::groups_of(conn, &found)?
                } else {
                    Vec::new()
                };
                Ok((found, groups))
            })
            .await?;
        if let Ok(primed) = ctx.data::<crate::loaders::Primed<GroupRow>>() {
            primed.fill(groups);
        }
        let total = total as i64;
        let has_next = rows.len() > page.first;
        let mut connection = MeetingConnection::with_additional_fields(
            page.after.is_some(),
            has_next,
            crate::relay::ConnectionFields { total_count: total },
        );
        connection
            .edges
            .extend(rows.into_iter().take(page.first).map(|(k, f)| {
                let distance_km = f.distance_km_shown();
                let next_occurrence = f.next.map(|o| Occurrence::of(&f.row, o));
                async_graphql::connection::Edge::with_additional_fields(
                    crate::relay::Cursor(k),
                    Meeting(f.row),
                    MeetingSearchEdge {
                        distance_km,
                        next_occurrence,
                    },
                )
            }));
        Ok(Some(connection))
    }
}
