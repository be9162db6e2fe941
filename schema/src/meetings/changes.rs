//! Creating and changing meetings and their occurrences: the inputs, how an input becomes a
//! row, and the `meeting` query with the mutations (`createMeeting`, `updateMeeting`,
//! `cancelOccurrence`, `rescheduleOccurrence`).

use super::*;

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

pub(crate) fn actor(ctx: &Context<'_>) -> String {
    match viewer(ctx) {
        Viewer::ApiKey { key_id, .. } => format!("key {key_id}"),
        Viewer::Member { member_id, .. } => format!("member {member_id}"),
        Viewer::Anonymous => "anonymous".into(),
    }
}

pub(crate) fn optional_text(
    field: &str,
    value: Option<String>,
    max: usize,
) -> ApiResult<Option<String>> {
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
pub(crate) fn type_codes(codes: &[String]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for code in codes.iter().map(|c| c.trim()) {
        if !unique.contains(&code) {
            unique.push(code);
        }
    }
    encode_list(unique)
}

pub(crate) fn apply_schedule(row: &mut MeetingRow, schedule: ScheduleInput) {
    row.rrule = schedule
        .rrule
        .as_deref()
        .and_then(super::recurrence::rule_text);
    row.start_time = schedule.start_time.trim().to_owned();
    row.duration_minutes = schedule.duration_minutes;
    row.starts_on = schedule.starts_on;
    row.ends_on = schedule.ends_on;
}

pub(crate) fn apply_location(
    row: &mut MeetingRow,
    location: Option<LocationInput>,
) -> ApiResult<()> {
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

pub(crate) fn apply_online(row: &mut MeetingRow, online: Option<OnlineInput>) -> ApiResult<()> {
    let o = online.unwrap_or_default();
    row.online_url = optional_text("input.online.url", o.url, 500)?;
    row.online_phone = optional_text("input.online.phone", o.phone, 40)?;
    row.online_notes = optional_text("input.online.notes", o.notes, 500)?;
    Ok(())
}

/// Applies the fields `updateMeeting` was given to the meeting as it now stands.
pub(crate) fn apply_update(row: &mut MeetingRow, input: UpdateMeetingInput) -> ApiResult<()> {
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

/// A meeting of the caller's organization, if the caller may do `action` with its group:
/// `Organize` to change the meeting, `Facilitate` for one occurrence.
pub(crate) async fn managed_meeting(
    ctx: &Context<'_>,
    id: &ID,
    field: &str,
    action: GroupAction,
) -> ApiResult<(MeetingRow, GroupRow)> {
    let id = decode_id_of(NodeKind::Meeting, id, field)?;
    let meeting = crate::policy::own(
        viewer(ctx),
        Meeting::load_visible(ctx, id).await?.map(|m| m.0),
    )?;
    let group = load_by_id::<GroupRow>(ctx, meeting.group_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such meeting".into()))?;
    crate::groups::allowed(ctx, &group, action).await?;
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
        let group = crate::policy::own(
            viewer(ctx),
            Group::load_visible(ctx, group_id).await?.map(|g| g.0),
        )?;
        crate::groups::allowed(ctx, &group, GroupAction::Organize).await?;
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
        let (before, _) =
            managed_meeting(ctx, &input.id, "input.id", GroupAction::Organize).await?;
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
        let (meeting, _) = managed_meeting(
            ctx,
            &input.meeting_id,
            "input.meetingId",
            GroupAction::Facilitate,
        )
        .await?;
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
        let (meeting, _) = managed_meeting(
            ctx,
            &input.meeting_id,
            "input.meetingId",
            GroupAction::Facilitate,
        )
        .await?;
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
pub(crate) async fn occurrence_now(
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
