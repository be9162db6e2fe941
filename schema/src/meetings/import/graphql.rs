//! `importMeetingGuideFeed`: the staff mutation behind `kinship import meeting-guide`.

use super::{DEFAULT_SOURCE, Defaults, ImportOptions, ImportReport};
use crate::auth::{Scope, viewer};
use crate::loaders::db;
use async_graphql::{Context, InputObject, Object};

/// Input of `importMeetingGuideFeed`.
#[derive(InputObject)]
pub struct ImportMeetingGuideFeedInput {
    /// The feed: the text of a Meeting Guide JSON file (an array of meetings). Rejections name
    /// lines of this text. Feeds over the request size limit (`KINSHIP_MAX_BODY_BYTES`) go
    /// through `kinship import meeting-guide` instead.
    pub feed: String,
    /// A label for the feed (default `meeting-guide`): each label is synced on its own, so a
    /// meeting is removed only when the feed it came from no longer lists it.
    pub source: Option<String>,
    /// Time zone (IANA) of entries without `timezone`.
    pub timezone: Option<String>,
    /// Program of entries whose type codes come without `program` (e.g. `aa`); without it,
    /// such codes are left out with a warning.
    pub program: Option<String>,
    /// Report what would change, and change nothing.
    #[graphql(default)]
    pub dry_run: bool,
}

/// The import mutation.
#[derive(Default)]
pub struct MeetingImportMutation;

#[Object]
impl MeetingImportMutation {
    /// Syncs the organization's meetings with a Meeting Guide feed (an API key with `WRITE`):
    /// adds new meetings, updates changed ones, leaves unchanged ones alone and sets meetings
    /// gone from the feed inactive. Entries split by weekday (slugs `{slug}-{day}`) merge back
    /// into one meeting, and Kinship's schedule sentences ("Last Friday of the month.") become
    /// monthly rules again, so an organization's own feed imports as the same meetings. Entries
    /// are grouped into groups by their `group` name (created when missing). Malformed entries
    /// are rejected by line; the rest are written in one transaction. Running it twice changes
    /// nothing the second time.
    async fn import_meeting_guide_feed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do: see `ImportMeetingGuideFeedInput`.")]
        input: ImportMeetingGuideFeedInput,
    ) -> async_graphql::Result<ImportReport> {
        let organization_id = crate::policy::staff(viewer(ctx), Scope::Write)?;
        let actor = crate::meetings::actor(ctx);
        let options = ImportOptions {
            source: input.source.unwrap_or_else(|| DEFAULT_SOURCE.to_owned()),
            defaults: Defaults {
                timezone: input.timezone,
                program: input.program,
            },
            dry_run: input.dry_run,
        };
        let feed = input.feed;
        Ok(db(ctx)?
            .run(move |conn| {
                super::meeting_guide(
                    conn,
                    organization_id,
                    &feed,
                    &options,
                    &actor,
                    &mut |_, _| {},
                )
            })
            .await?)
    }
}
