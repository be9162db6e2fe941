//! The meeting search over GraphQL: the filter and order inputs, and the `meetings` query,
//! over [`super`]'s ways of searching.

use crate::db::full_text::Words;
use crate::meetings::*;

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
    /// Words, in any order, each the start of a word in the meeting's name, its group's name,
    /// its place (venue, address, city, region) or its description; the results are ranked by
    /// how well they match (a name counts most) unless `orderBy` says otherwise. At most 12
    /// words and 200 characters.
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
    /// Best match for `filter.text` first (needs `text`; the default with it).
    Relevance,
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

pub(crate) fn parse_time(field: &str, text: &str) -> ApiResult<chrono::NaiveTime> {
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
            text: match &self.text {
                Some(text) => Words::parse("filter.text", text)?,
                None => None,
            },
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
        #[graphql(desc = "Order (default RELEVANCE with `filter.text`, else NEXT_OCCURRENCE).")]
        order_by: Option<MeetingOrder>,
        #[graphql(desc = "How many (0 to 100, default 20).", default = 20)] first: Option<i32>,
        #[graphql(desc = "Continue after this cursor.")] after: Option<String>,
    ) -> async_graphql::Result<Option<MeetingConnection>> {
        let mut page = crate::relay::Page::<(String, Id)>::new(ctx, first, after)?;
        let filter = filter.unwrap_or_default();
        let nearest = filter.nearest;
        let search = filter.into_search()?;
        let order = match (nearest, &search.text) {
            (Some(_), _) => MeetingOrder::Distance,
            (None, None) => order_by.unwrap_or(MeetingOrder::NextOccurrence),
            (None, Some(_)) => order_by.unwrap_or(MeetingOrder::Relevance),
        };
        if order == MeetingOrder::Distance && search.near.is_none() {
            return Err(ApiError::bad_input("orderBy", "DISTANCE needs filter.near").into());
        }
        if order == MeetingOrder::Relevance && search.text.is_none() {
            return Err(ApiError::bad_input("orderBy", "RELEVANCE needs filter.text").into());
        }
        let scope = crate::policy::groups::directory_scope(viewer(ctx));
        if let Some(n) = nearest {
            page.first = page.first.min(n as usize);
        }
        let request = search::PageRequest {
            order,
            nearest: nearest.map(|n| n as usize),
            after: page.after.clone(),
            limit: page.limit() as usize,
            count_total: page.count_total,
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
        let _turn = match search::expands(&search, clock) {
            true => Some(search::Turn::take().await?),
            false => None,
        };
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
