//! The `Meeting` type: its schedule, location, online access, occurrences (expanded on the
//! blocking pool, see [`super::planned`]) and change log, and the loaders that fetch them.

use super::*;

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
pub(crate) async fn exceptions_of(
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
pub(crate) const MAX_WINDOW_DAYS: i64 = 366;

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
    /// included with their status, in start order: `occurrences(first: 5)` is the next five
    /// within a year.
    async fn occurrences(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Window start (inclusive; default now).")] from: Option<DateTime<Utc>>,
        #[graphql(
            desc = "Window end (exclusive), at most a year after `from` (default: a year after it)."
        )]
        to: Option<DateTime<Utc>>,
        #[graphql(desc = "Most occurrences (1 to 500).", default = 100)] first: Option<i32>,
    ) -> async_graphql::Result<Vec<Occurrence>> {
        let from = from.unwrap_or_else(Utc::now);
        let to = to.unwrap_or(from + chrono::Duration::days(MAX_WINDOW_DAYS));
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
        if !crate::policy::sees_meeting_changes(Caller::of(viewer(ctx), self.0.organization_id)) {
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
