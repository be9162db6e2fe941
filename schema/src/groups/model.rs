//! Support group rows, the directory filter, and who may see which group.

use crate::db::full_text::{Indexed, Words, score_key};
use crate::db::tables::support_groups;
use crate::db::{
    DbConnection, Id, MultiBackend, Ts, expect_unchanged, find_for_update, write_transaction,
};
use crate::error::{ApiError, ApiResult};
use crate::recovery::{Audience, Pathway, RecoveryFocus};
use crate::stored::{encode_enums, encode_list, filter_like_any, language_patterns, stored_enum};
use diesel::prelude::*;

stored_enum! {
    /// Where a group can be found.
    pub enum GroupVisibility {
        /// Listed in the public directory; anyone can see it.
        Public = "PUBLIC",
        /// Not listed; anyone with its id can see it.
        Unlisted = "UNLISTED",
        /// Only its members and its organization can see it.
        Private = "PRIVATE",
    }
}

stored_enum! {
    /// How people join a group.
    pub enum JoinPolicy {
        /// Anyone who can see the group may join, while there is room.
        Open = "OPEN",
        /// People ask; an organizer, a facilitator or the organization approves.
        Request = "REQUEST",
        /// Only people invited by an organizer, a facilitator or the organization.
        Invitation = "INVITATION",
    }
}

stored_enum! {
    /// Who leads a group.
    pub enum Facilitation {
        /// Led by peers.
        PeerLed = "PEER_LED",
        /// Facilitated by professionals (counselors, peer recovery specialists).
        ProfessionallyFacilitated = "PROFESSIONALLY_FACILITATED",
    }
}

stored_enum! {
    /// Whether a group is running.
    pub enum GroupStatus {
        /// Meeting and open to its members.
        Active = "ACTIVE",
        /// No longer meeting; kept for history.
        Archived = "ARCHIVED",
    }
}

/// A support group.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = support_groups)]
pub struct GroupRow {
    /// Row id.
    pub id: Id,
    /// The organization that runs it.
    pub organization_id: Id,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Recovery focus, stored as a list.
    pub focus: String,
    /// Pathway.
    pub pathway: Pathway,
    /// Audience, stored as a list.
    pub audience: String,
    /// BCP 47 languages, stored as a list.
    pub languages: String,
    /// Where it can be found.
    pub visibility: GroupVisibility,
    /// How people join.
    pub join_policy: JoinPolicy,
    /// Who leads it.
    pub facilitation: Facilitation,
    /// Most active members; `None` is unlimited.
    pub capacity: Option<i32>,
    /// Whether it runs.
    pub status: GroupStatus,
    /// When it was created.
    pub created_at: Ts,
    /// When it last changed.
    pub updated_at: Ts,
}

crate::db::change::typed_change! {
    /// A change to a group, validated: the columns a change may touch.
    pub struct GroupChange for GroupRow in support_groups {
        name: String,
        description: String,
        focus: String,
        pathway: Pathway,
        audience: String,
        languages: String,
        visibility: GroupVisibility,
        join_policy: JoinPolicy,
        facilitation: Facilitation,
        capacity: Option<i32>,
        status: GroupStatus,
    }
}

/// Creates a group; `change.name` is required, the rest default to an open, public,
/// peer-led group for everyone.
pub fn create(
    conn: &mut DbConnection,
    organization_id: Id,
    change: GroupChange,
) -> ApiResult<GroupRow> {
    let now = Ts::now();
    let mut row = GroupRow {
        id: Id::new(),
        organization_id,
        name: String::new(),
        description: String::new(),
        focus: encode_enums(&[RecoveryFocus::Any]),
        pathway: Pathway::Other,
        audience: encode_enums(&[Audience::Everyone]),
        languages: encode_list([]),
        visibility: GroupVisibility::Public,
        join_policy: JoinPolicy::Open,
        facilitation: Facilitation::PeerLed,
        capacity: None,
        status: GroupStatus::Active,
        created_at: now,
        updated_at: now,
    };
    change.apply(&mut row);
    if row.name.is_empty() {
        return Err(ApiError::bad_input("input.name", "a group needs a name"));
    }
    diesel::insert_into(support_groups::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// Every group of an organization as (id, name, status), oldest first.
pub fn names_of(
    conn: &mut DbConnection,
    organization_id: Id,
) -> ApiResult<Vec<(Id, String, GroupStatus)>> {
    Ok(support_groups::table
        .filter(support_groups::organization_id.eq(organization_id))
        .order(support_groups::id.asc())
        .select((
            support_groups::id,
            support_groups::name,
            support_groups::status,
        ))
        .load(conn)?)
}

/// Changes a group of `organization_id`, read under lock so that concurrent changes apply one
/// after the other; with `expected_updated_at`, only if the group has not changed since.
pub fn update(
    conn: &mut DbConnection,
    organization_id: Id,
    id: Id,
    mut change: GroupChange,
    expected_updated_at: Option<chrono::DateTime<chrono::Utc>>,
) -> ApiResult<GroupRow> {
    write_transaction(conn, |conn| {
        if change.name.is_some() {
            crate::meetings::model::lock_of_group(conn, id)?;
        }
        let mut row = find_for_update!(conn, support_groups, id, GroupRow)?
            .filter(|g| g.organization_id == organization_id)
            .ok_or_else(|| ApiError::NotFound("no such group in this organization".into()))?;
        expect_unchanged(expected_updated_at, row.updated_at)?;
        change.updated_at = Some(Ts::changed_after(row.updated_at));
        change.apply(&mut row);
        diesel::update(support_groups::table.find(id))
            .set(&change)
            .execute(conn)?;
        crate::meetings::horizon::set_public(conn, id, row.visibility == GroupVisibility::Public)?;
        Ok(row)
    })
}

/// The groups with these ids.
pub fn find_many(conn: &mut DbConnection, ids: &[Id]) -> ApiResult<Vec<GroupRow>> {
    Ok(support_groups::table
        .filter(support_groups::id.eq_any(ids))
        .select(GroupRow::as_select())
        .load(conn)?)
}

/// Whose eyes a directory query is for.
#[derive(Debug, Clone, Copy, Default)]
pub struct GroupScope {
    /// An API key's organization: all its groups are visible.
    pub organization_id: Option<Id>,
    /// A member token's member: the groups it belongs to (or is invited to) are visible.
    pub member_id: Option<Id>,
}

/// The directory filter, every list meaning "any of these".
#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    /// Groups focusing on any of these.
    pub focus: Vec<RecoveryFocus>,
    /// Groups following any of these pathways.
    pub pathways: Vec<Pathway>,
    /// Groups for any of these audiences.
    pub audiences: Vec<Audience>,
    /// Groups held in any of these languages, matched by primary language.
    pub languages: Vec<String>,
    /// Groups with any of these visibilities.
    pub visibilities: Vec<GroupVisibility>,
    /// Groups led this way.
    pub facilitation: Option<Facilitation>,
    /// Groups in any of these states.
    pub statuses: Vec<GroupStatus>,
    /// Words in the name or description (case and accents ignored).
    pub text: Option<Words>,
    /// Groups of this organization.
    pub organization_id: Option<Id>,
}

type Boxed<'a> = support_groups::BoxedQuery<'a, MultiBackend>;

/// Keeps, in a boxed query over `support_groups` (joined or not), the groups with any of the
/// listed focus, audiences and pathways (an empty list keeps every group): the directory's
/// filters, which a meeting search shares.
macro_rules! filter_by_recovery {
    ($query:ident, $focus:expr, $audiences:expr, $pathways:expr) => {{
        use $crate::db::tables::support_groups;
        use $crate::stored::{StoredEnum as _, filter_like_any, list_pattern};
        let (focus, audiences, pathways): (
            &[$crate::recovery::RecoveryFocus],
            &[$crate::recovery::Audience],
            &[$crate::recovery::Pathway],
        ) = ($focus, $audiences, $pathways);
        let patterns = |values: Vec<&str>| values.into_iter().map(list_pattern).collect();
        filter_like_any!(
            $query,
            support_groups::focus,
            patterns(focus.iter().map(|f| f.as_str()).collect())
        );
        filter_like_any!(
            $query,
            support_groups::audience,
            patterns(audiences.iter().map(|a| a.as_str()).collect())
        );
        if !pathways.is_empty() {
            $query = $query.filter(support_groups::pathway.eq_any(pathways.to_vec()));
        }
    }};
}
pub(crate) use filter_by_recovery;

/// The ids of the groups a member (an `Option<Id>`; none for other callers) belongs to, or has
/// asked or been invited to join, as a subquery: the groups whose non-public meetings they may
/// find.
macro_rules! groups_of_member {
    ($member_id:expr) => {{
        use $crate::db::tables::memberships;
        use $crate::memberships::model::MembershipState;
        let member_id: Option<$crate::db::Id> = $member_id;
        memberships::table
            .filter(memberships::member_id.nullable().eq(member_id))
            .filter(memberships::state.eq_any([
                MembershipState::Invited,
                MembershipState::Requested,
                MembershipState::Active,
            ]))
            .select(memberships::group_id)
    }};
}
pub(crate) use groups_of_member;

/// The condition "`$scope` (a [`GroupScope`]) may find this group": a public group, one of its
/// organization's, or one it belongs to (invited, requested or active). For any query that
/// includes `support_groups`.
macro_rules! findable_by {
    ($scope:expr) => {{
        use $crate::db::tables::support_groups;
        let scope: $crate::groups::model::GroupScope = $scope;
        let member_groups = $crate::groups::model::groups_of_member!(scope.member_id);
        support_groups::visibility
            .eq($crate::groups::model::GroupVisibility::Public)
            .or(support_groups::organization_id
                .nullable()
                .eq(scope.organization_id))
            .or(support_groups::id.eq_any(member_groups))
    }};
}
pub(crate) use findable_by;

/// The groups `scope` may find in the directory that match `filter`: public groups, and the
/// caller's own (its organization's, or those it belongs to). Unlisted groups are found by id.
fn filtered<'a>(scope: GroupScope, filter: &GroupFilter) -> Boxed<'a> {
    let mut query = support_groups::table
        .filter(findable_by!(scope))
        .into_boxed();
    filter_by_recovery!(query, &filter.focus, &filter.audiences, &filter.pathways);
    filter_like_any!(
        query,
        support_groups::languages,
        language_patterns(&filter.languages)
    );
    if !filter.visibilities.is_empty() {
        query = query.filter(support_groups::visibility.eq_any(filter.visibilities.clone()));
    }
    if let Some(facilitation) = filter.facilitation {
        query = query.filter(support_groups::facilitation.eq(facilitation));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(support_groups::status.eq_any(filter.statuses.clone()));
    }
    if let Some(organization_id) = filter.organization_id {
        query = query.filter(support_groups::organization_id.eq(organization_id));
    }
    if let Some(words) = &filter.text {
        query = query.filter(words.matched_in(Indexed::Groups));
    }
    query
}

/// A page of the directory, each group with its cursor key, after the keyset position
/// `after`: in name order (the key is the name), or, with words, best match first (the key is
/// the score, [`score_key`]; ranking costs the matches), ties by id.
pub fn list(
    conn: &mut DbConnection,
    scope: GroupScope,
    filter: &GroupFilter,
    after: Option<(String, Id)>,
    limit: i64,
) -> ApiResult<Vec<((String, Id), GroupRow)>> {
    let mut query = filtered(scope, filter);
    if let Some(words) = &filter.text {
        let scores = words.scores_in(conn, Indexed::Groups)?;
        let ids: Vec<Id> = query.select(support_groups::id).load(conn)?;
        let mut keyed: Vec<(String, Id)> = ids
            .into_iter()
            .filter_map(|id| Some((score_key(*scores.get(&id)?), id)))
            .filter(|key| after.as_ref().is_none_or(|after| key > after))
            .collect();
        keyed.sort();
        keyed.truncate(limit.max(0) as usize);
        let ids: Vec<Id> = keyed.iter().map(|(_, id)| *id).collect();
        let mut rows: std::collections::HashMap<Id, GroupRow> = find_many(conn, &ids)?
            .into_iter()
            .map(|g| (g.id, g))
            .collect();
        return Ok(keyed
            .into_iter()
            .filter_map(|key| Some((key.clone(), rows.remove(&key.1)?)))
            .collect());
    }
    if let Some((name, id)) = after {
        query = query.filter(
            support_groups::name
                .gt(name.clone())
                .or(support_groups::name.eq(name).and(support_groups::id.gt(id))),
        );
    }
    let rows: Vec<GroupRow> = query
        .order((support_groups::name.asc(), support_groups::id.asc()))
        .limit(limit)
        .select(GroupRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|g| ((g.name.clone(), g.id), g))
        .collect())
}

/// How many groups of the directory match.
pub fn count(conn: &mut DbConnection, scope: GroupScope, filter: &GroupFilter) -> ApiResult<i64> {
    Ok(filtered(scope, filter).count().get_result(conn)?)
}
