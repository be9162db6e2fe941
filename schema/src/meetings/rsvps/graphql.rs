//! RSVPs over GraphQL: the `Rsvp` type and the `rsvp` and `cancelRsvp` mutations over
//! [`super`]'s seats and waitlist.

use crate::meetings::*;

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

pub(crate) async fn rsvp_target(
    ctx: &Context<'_>,
    input: &RsvpInput,
) -> ApiResult<(MeetingRow, Id)> {
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
    crate::policy::members::same_organization(member.organization_id, meeting.organization_id)?;
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
    let allowed = match load_by_id::<GroupRow>(ctx, meeting.group_id).await? {
        Some(group) => crate::groups::allowed(ctx, &group, GroupAction::SeeRsvps)
            .await
            .is_ok(),
        None => false,
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
