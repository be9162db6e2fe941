//! The policy as tables: every kind of caller × every action × the expected answer. A rule
//! changed by accident changes a cell, and the test names it.

use super::groups::{self, GroupAction, GroupFacts, ListedStates, Standing};
use super::members::{self, MemberSight};
use super::{Caller, staff};
use crate::auth::{Scope, Viewer};
use crate::db::Id;
use crate::error::{ApiError, ApiResult};
use crate::groups::model::GroupVisibility;
use crate::members::tokens::Session;
use crate::memberships::model::{MembershipRole, MembershipRow, MembershipState};

/// An answer, as a letter: `Y` allowed, `N` NOT_FOUND, `F` FORBIDDEN, `U` UNAUTHENTICATED,
/// `B` BAD_USER_INPUT.
fn letter(answer: ApiResult<()>) -> char {
    match answer {
        Ok(()) => 'Y',
        Err(ApiError::NotFound(_)) => 'N',
        Err(ApiError::Forbidden(_)) => 'F',
        Err(ApiError::Unauthenticated(_)) => 'U',
        Err(ApiError::BadUserInput { .. }) => 'B',
        Err(other) => panic!("a policy answered {other:?}"),
    }
}

const READ: &[Scope] = &[Scope::Read];
const WRITE: &[Scope] = &[Scope::Write];
const ADMIN: &[Scope] = &[Scope::Admin];

fn id(n: u128) -> Id {
    Id(uuid::Uuid::from_u128(n))
}

fn me() -> Id {
    id(7)
}

fn membership(state: MembershipState, role: MembershipRole) -> MembershipRow {
    let now = crate::db::Ts(chrono::Utc::now());
    MembershipRow {
        id: id(20),
        organization_id: id(1),
        group_id: id(21),
        member_id: me(),
        role,
        state,
        created_at: now,
        updated_at: now,
    }
}

/// Every kind of caller a group meets, by name.
fn group_callers() -> Vec<(&'static str, Caller<'static>, Standing)> {
    vec![
        ("anonymous", Caller::Anonymous, Standing::None),
        (
            "another organization's key",
            Caller::OtherKey,
            Standing::None,
        ),
        (
            "another organization's member",
            Caller::OtherMember,
            Standing::None,
        ),
        ("key with READ", Caller::Staff(READ), Standing::None),
        ("key with WRITE", Caller::Staff(WRITE), Standing::None),
        ("key with ADMIN", Caller::Staff(ADMIN), Standing::None),
        (
            "member, not in the group",
            Caller::Member(me()),
            Standing::None,
        ),
        (
            "member, invited or asking",
            Caller::Member(me()),
            Standing::Pending,
        ),
        (
            "member of the group",
            Caller::Member(me()),
            Standing::Member,
        ),
        ("facilitator", Caller::Member(me()), Standing::Facilitator),
        ("organizer", Caller::Member(me()), Standing::Organizer),
    ]
}

#[test]
fn who_may_do_what_with_a_group() {
    // Columns: See, Join, ListMembers, SeeRsvps, Facilitate, Organize.
    #[rustfmt::skip]
    let expected: &[(&str, &str, &str)] = &[
        // caller, public group, private group
        ("anonymous", "YUUUUU", "NNNNNN"),
        ("another organization's key", "YFFFFF", "NNNNNN"),
        ("another organization's member", "YFFFFF", "NNNNNN"),
        ("key with READ", "YYYYFF", "YYYYFF"),
        ("key with WRITE", "YYFFYY", "YYFFYY"),
        ("key with ADMIN", "YYYYYY", "YYYYYY"),
        ("member, not in the group", "YYFFFF", "NNNNNN"),
        ("member, invited or asking", "YYFFFF", "YYFFFF"),
        ("member of the group", "YYYFFF", "YYYFFF"),
        ("facilitator", "YYYYYF", "YYYYYF"),
        ("organizer", "YYYYYY", "YYYYYY"),
    ];
    let callers = group_callers();
    assert_eq!(callers.len(), expected.len(), "one row per kind of caller");
    let mut wrong = Vec::new();
    for ((name, caller, standing), (row_name, public, private)) in callers.iter().zip(expected) {
        assert_eq!(name, row_name);
        for (visibility, row) in [
            (GroupVisibility::Public, public),
            (GroupVisibility::Unlisted, public),
            (GroupVisibility::Private, private),
        ] {
            let facts = GroupFacts {
                organization_id: id(1),
                visibility,
            };
            let got: String = GroupAction::ALL
                .iter()
                .map(|action| letter(groups::group(*caller, *standing, facts, *action)))
                .collect();
            if got != **row {
                wrong.push(format!(
                    "{name}, {visibility:?} group: {got}, expected {row}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn who_lists_which_memberships() {
    #[rustfmt::skip]
    let expected: &[(&str, Option<ListedStates>)] = &[
        ("anonymous", None),
        ("another organization's key", None),
        ("another organization's member", None),
        ("key with READ", Some(ListedStates::Every)),
        ("key with WRITE", None),
        ("key with ADMIN", Some(ListedStates::Every)),
        ("member, not in the group", None),
        ("member, invited or asking", None),
        ("member of the group", Some(ListedStates::Active)),
        ("facilitator", Some(ListedStates::Every)),
        ("organizer", Some(ListedStates::Every)),
    ];
    let facts = GroupFacts {
        organization_id: id(1),
        visibility: GroupVisibility::Public,
    };
    for ((name, caller, standing), (_, listed)) in group_callers().iter().zip(expected) {
        assert_eq!(
            groups::member_list(*caller, *standing, facts).ok(),
            *listed,
            "{name}"
        );
    }
}

#[test]
fn standing_comes_from_the_membership_state_and_role() {
    use MembershipRole as R;
    use MembershipState as S;
    let cases = [
        (S::Invited, R::Organizer, Standing::Pending),
        (S::Requested, R::Member, Standing::Pending),
        (S::Active, R::Member, Standing::Member),
        (S::Active, R::Facilitator, Standing::Facilitator),
        (S::Active, R::Organizer, Standing::Organizer),
        (S::Left, R::Organizer, Standing::None),
        (S::Removed, R::Facilitator, Standing::None),
    ];
    for (state, role, standing) in cases {
        let row = membership(state, role);
        assert_eq!(Standing::of(Some(&row)), standing, "{state:?} {role:?}");
    }
    assert_eq!(Standing::of(None), Standing::None);
}

/// Every kind of caller a member's profile meets, from the member `me()`'s side.
fn member_callers() -> Vec<(&'static str, Caller<'static>)> {
    vec![
        ("anonymous", Caller::Anonymous),
        ("another organization's key", Caller::OtherKey),
        ("another organization's member", Caller::OtherMember),
        ("key with READ", Caller::Staff(READ)),
        ("key with WRITE", Caller::Staff(WRITE)),
        ("the member itself", Caller::Member(me())),
        ("another member", Caller::Member(id(8))),
    ]
}

#[test]
fn who_sees_what_of_a_member() {
    use MemberSight::{Full, Hidden, IfRelated};
    // Columns: profile (live), profile (erased), recovery, external ref, current groups,
    // groups in every state.
    #[rustfmt::skip]
    let expected: &[(&str, MemberSight, MemberSight, bool, bool, char, char)] = &[
        ("anonymous", Hidden, Hidden, false, false, 'F', 'F'),
        ("another organization's key", Hidden, Hidden, false, false, 'F', 'F'),
        ("another organization's member", Hidden, Hidden, false, false, 'F', 'F'),
        ("key with READ", Full, Full, true, true, 'Y', 'Y'),
        ("key with WRITE", Full, Full, false, true, 'F', 'F'),
        ("the member itself", Full, Full, true, false, 'Y', 'F'),
        ("another member", IfRelated, Hidden, false, false, 'F', 'F'),
    ];
    let current = [MembershipState::Active, MembershipState::Invited];
    let every = <MembershipState as crate::stored::StoredEnum>::ALL;
    for ((name, caller), row) in member_callers().iter().zip(expected) {
        let got = (
            *name,
            members::member(*caller, me(), false),
            members::member(*caller, me(), true),
            members::sees_recovery(*caller, me()),
            members::sees_external_ref(*caller),
            letter(members::member_groups(*caller, me(), &current)),
            letter(members::member_groups(*caller, me(), every)),
        );
        assert_eq!(got, *row, "{name}");
    }
}

#[test]
fn who_sees_a_support_link_and_its_sides() {
    let (supporter, person) = (id(10), id(11));
    // Columns: sees the link, answers it, ends it, sees the supporter's side, sees the
    // person's side before and after the person accepts.
    #[rustfmt::skip]
    let callers = [
        ("anonymous", Caller::Anonymous, "NFN", [false, false, false]),
        ("another organization's key", Caller::OtherKey, "NFN", [false, false, false]),
        ("key with READ", Caller::Staff(READ), "YFF", [false, false, false]),
        ("key with WRITE", Caller::Staff(WRITE), "YFY", [false, false, false]),
        ("the supporter", Caller::Member(supporter), "YFY", [false, false, true]),
        ("the person", Caller::Member(person), "YYY", [true, false, false]),
        ("another member", Caller::Member(me()), "NFN", [false, false, false]),
    ];
    for (name, caller, answers, sides) in callers {
        let sees = if members::sees_support_link(caller, supporter, person) {
            'Y'
        } else {
            'N'
        };
        let got: String = [
            sees,
            letter(members::answers_support_link(caller, person)),
            letter(members::ends_support_link(caller, supporter, person)),
        ]
        .into_iter()
        .collect();
        assert_eq!(got, answers, "{name}");
        let got_sides = [
            members::sees_link_side(caller, supporter, supporter, person, false),
            members::sees_link_side(caller, person, supporter, person, false),
            members::sees_link_side(caller, person, supporter, person, true),
        ];
        assert_eq!(got_sides, sides, "{name}");
    }
}

fn key(organization: u128, scopes: &[Scope]) -> Viewer {
    Viewer::ApiKey {
        key_id: id(100 + organization),
        organization_id: id(organization),
        scopes: scopes.to_vec(),
    }
}

fn member_token(organization: u128, member: Id) -> Viewer {
    Viewer::Member {
        member_id: member,
        organization_id: id(organization),
        session: Session::open(id(100 + organization)),
    }
}

#[test]
fn who_acts_for_the_organization_and_for_members() {
    let own = id(1);
    // Columns: staff(READ), staff(WRITE), staff(ADMIN), organization settings of its own
    // organization, of another; acting for itself (no member named), for itself by id, for
    // another member; sees its own key, another key of its organization.
    #[rustfmt::skip]
    let viewers = [
        ("anonymous", Viewer::Anonymous, "UUUUU", "UUU", [false, false]),
        ("key with READ", key(1, READ), "YFFFF", "BYY", [true, false]),
        ("key with WRITE", key(1, WRITE), "FYFFF", "FFF", [true, false]),
        ("key with ADMIN", key(1, ADMIN), "YYYYF", "BYY", [true, true]),
        ("a member token", member_token(1, me()), "FFFFF", "YYF", [false, false]),
    ];
    for (name, viewer, organization, acting, keys) in viewers {
        let got: String = [
            letter(staff(&viewer, Scope::Read).map(|_| ())),
            letter(staff(&viewer, Scope::Write).map(|_| ())),
            letter(staff(&viewer, Scope::Admin).map(|_| ())),
            letter(super::organization_settings(&viewer, own)),
            letter(super::organization_settings(&viewer, id(2))),
        ]
        .into_iter()
        .collect();
        assert_eq!(got, organization, "{name}");
        let got: String = [None, Some(me()), Some(id(9))]
            .into_iter()
            .map(|named| {
                letter(
                    members::acting_for(&viewer, named, "input.memberId", Scope::Read).map(|_| ()),
                )
            })
            .collect();
        assert_eq!(got, acting, "{name}");
        let got = [
            super::sees_api_key(&viewer, id(101), own),
            super::sees_api_key(&viewer, id(555), own),
        ];
        assert_eq!(got, keys, "{name}");
    }
}

#[test]
fn own_finds_only_the_callers_organization() {
    let row = membership(MembershipState::Active, MembershipRole::Member);
    assert!(super::own(&key(1, READ), Some(row.clone())).is_ok());
    assert!(super::own(&member_token(1, me()), Some(row.clone())).is_ok());
    for viewer in [Viewer::Anonymous, key(2, ADMIN), member_token(2, me())] {
        assert_eq!(
            letter(super::own(&viewer, Some(row.clone())).map(|_| ())),
            'N'
        );
    }
    assert_eq!(
        letter(super::own::<MembershipRow>(&key(1, ADMIN), None).map(|_| ())),
        'N'
    );
}
