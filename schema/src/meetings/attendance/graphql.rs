//! Attendance over GraphQL: `recordAttendance` over [`super`]'s records.

use crate::meetings::*;

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
        let meeting = crate::policy::own(
            viewer(ctx),
            Meeting::load_visible(ctx, meeting_id).await?.map(|m| m.0),
        )?;
        let (member_ids, self_check_in) = match (&input.member_ids, viewer(ctx)) {
            (None, Viewer::Member { member_id, .. }) => (vec![*member_id], true),
            (None, _) => {
                return Err(ApiError::bad_input("input.memberIds", "name who attended").into());
            }
            (Some(ids), _) => {
                let group = load_by_id::<GroupRow>(ctx, meeting.group_id)
                    .await?
                    .ok_or_else(|| ApiError::NotFound("no such meeting".into()))?;
                crate::groups::allowed(ctx, &group, GroupAction::Facilitate).await?;
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
                        !crate::policy::members::named_member(m, meeting.organization_id)
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
