//! The isolation matrix: for every query and mutation of members, groups, memberships and
//! support links, another organization's key, another organization's member, a member of
//! another group and an anonymous caller are refused or see nothing, and nothing changes.

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{TestApp, code, spec, weekly_meeting};

struct Fixture {
    private_group: String,
    public_group: String,
    member: String,
    professional: String,
    membership: String,
    link: String,
    credential: String,
    meeting: String,
    occurrence: String,
    api_key: String,
}

fn id_of(data: &Value, field: &str) -> String {
    data[field]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{field}: {data}"))
        .to_owned()
}

fn setup(app: &TestApp, key: &str) -> Fixture {
    let upsert = "mutation($input: UpsertMemberInput!) { upsertMember(input: $input) { id } }";
    let member = |r: &str, role: &str| {
        id_of(
            &app.query(
                Some(key),
                upsert,
                json!({ "input": { "externalRef": r, "displayName": r, "role": role } }),
            ),
            "upsertMember",
        )
    };
    let sam = member("sam", "PERSON_IN_RECOVERY");
    let family = member("family", "FAMILY_OR_FRIEND");
    let professional = member("pro", "PROFESSIONAL");
    let create = "mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }";
    let private_group = id_of(
        &app.query(
            Some(key),
            create,
            json!({ "input": { "name": "Private circle", "visibility": "PRIVATE" } }),
        ),
        "createGroup",
    );
    let public_group = id_of(
        &app.query(
            Some(key),
            create,
            json!({ "input": { "name": "Public circle" } }),
        ),
        "createGroup",
    );
    let join =
        "mutation($g: ID!, $m: ID!) { joinGroup(input: { groupId: $g, memberId: $m }) { id } }";
    let membership = id_of(
        &app.query(Some(key), join, json!({ "g": private_group, "m": sam })),
        "joinGroup",
    );
    app.query(Some(key), join, json!({ "g": public_group, "m": sam }));
    let link = id_of(&app.query(Some(key), "mutation($p: ID!, $s: ID!) { requestSupportLink(input: { personId: $p, supporterId: $s }) { id } }", json!({ "p": sam, "s": family })), "requestSupportLink");
    let credential = id_of(&app.query(Some(key), "mutation($m: ID!) { addCredential(input: { memberId: $m, kind: LCSW, issuer: \"Board\" }) { id } }", json!({ "m": professional })), "addCredential");
    let meeting = app
        .create_meeting(
            key,
            weekly_meeting(
                &private_group,
                json!({ "name": "Private Tuesday", "online": { "url": "https://meet.example.org/private" } }),
            ),
        )
        .expect("a meeting");
    let occurrence = app.query(
        Some(key),
        "query($id: ID!) { meeting(id: $id) { nextOccurrence { start } } }",
        json!({ "id": meeting }),
    )["meeting"]["nextOccurrence"]["start"]
        .as_str()
        .expect("an occurrence")
        .to_owned();
    let api_key = app.query(
        Some(key),
        "mutation { createApiKey(input: { name: \"kept\", scopes: [READ] }) { apiKey { id } } }",
        json!({}),
    )["createApiKey"]["apiKey"]["id"]
        .as_str()
        .expect("a key")
        .to_owned();
    Fixture {
        private_group,
        public_group,
        member: sam,
        professional,
        membership,
        link,
        credential,
        meeting,
        occurrence,
        api_key,
    }
}

/// A member token for a new person in recovery of the key's organization, in `group` if given.
fn member_token(app: &TestApp, key: &str, external_ref: &str, group: Option<&str>) -> String {
    let (id, token) = app.member_with_token(key, external_ref, external_ref, "PERSON_IN_RECOVERY");
    if let Some(group) = group {
        app.query(
            Some(key),
            "mutation($g: ID!, $m: ID!) { joinGroup(input: { groupId: $g, memberId: $m }) { id } }",
            json!({ "g": group, "m": id }),
        );
    }
    token
}

/// Root fields no outsider case is needed for, and why.
const NO_OUTSIDER_CASE: &[(&str, &str)] = &[
    ("viewer", "describes the caller itself"),
    (
        "groups",
        "the directory: checked below, the private group is never listed",
    ),
    (
        "meetings",
        "the meeting search: checked below, the private meeting is never listed",
    ),
    ("meetingPrograms", "public reference data"),
    ("meetingTypes", "public reference data"),
    (
        "createGroup",
        "writes only into the caller's own organization: checked below",
    ),
    (
        "upsertMember",
        "writes only into the caller's own organization: checked below",
    ),
    (
        "createApiKey",
        "writes only into the caller's own organization: checked below",
    ),
    (
        "importMeetingGuideFeed",
        "writes only into the caller's own organization: checked below",
    ),
];

/// Fails when a root field of the schema has neither an outsider case nor a reason in
/// [`NO_OUTSIDER_CASE`]: a new query or mutation must say how it keeps tenants apart.
fn assert_every_root_field_has_a_case(cases: &[(&str, Value, Outsider)]) {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let sdl = kinship_schema::sdl();
    let document = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
    let mut uncovered = Vec::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        let (name, TypeKind::Object(object)) = (ty.node.name.node.as_str(), &ty.node.kind) else {
            continue;
        };
        if name != "Query" && name != "Mutation" {
            continue;
        }
        for field in &object.fields {
            let field = field.node.name.node.as_str();
            let called = format!("{field}(");
            let covered = cases.iter().any(|(query, _, _)| query.contains(&called))
                || NO_OUTSIDER_CASE.iter().any(|(f, _)| *f == field);
            if !covered {
                uncovered.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(
        uncovered.is_empty(),
        "root fields without an isolation case (add one to the matrix, or a reason to NO_OUTSIDER_CASE): {uncovered:?}"
    );
}

/// What a case expects from an outsider.
enum Outsider {
    /// The value at this path of `data` (`field`, or `field/0` for a list's first item) is
    /// null (whether or not an error says why).
    SeesNull(&'static str),
    /// The operation fails with a refusal code.
    Refused,
}

spec!(outsiders_are_refused_or_see_nothing, |app| {
    let key = app.admin_key("clinic-a");
    let f = setup(&app, &key);
    let create = "mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }";
    let other_group = id_of(
        &app.query(
            Some(&key),
            create,
            json!({ "input": { "name": "Another circle" } }),
        ),
        "createGroup",
    );
    let other_key = app.admin_key("clinic-b");
    let callers: Vec<(&str, Option<String>)> = vec![
        ("another organization's key", Some(other_key.clone())),
        (
            "another organization's member",
            Some(member_token(&app, &other_key, "b-member", None)),
        ),
        (
            "a member of another group",
            Some(member_token(&app, &key, "neighbour", Some(&other_group))),
        ),
        ("an anonymous caller", None),
    ];
    let cases: Vec<(&str, Value, Outsider)> = vec![
        (
            "query($id: ID!) { group(id: $id) { name } }",
            json!({ "id": f.private_group }),
            Outsider::SeesNull("group"),
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": f.private_group }),
            Outsider::SeesNull("node"),
        ),
        (
            "query($id: ID!) { member(id: $id) { displayName } }",
            json!({ "id": f.member }),
            Outsider::SeesNull("member"),
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": f.member }),
            Outsider::SeesNull("node"),
        ),
        (
            "query($r: String!) { memberByExternalRef(externalRef: $r) { id } }",
            json!({ "r": "sam" }),
            Outsider::SeesNull("memberByExternalRef"),
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": f.membership }),
            Outsider::SeesNull("node"),
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": f.link }),
            Outsider::SeesNull("node"),
        ),
        (
            "query($id: ID!) { group(id: $id) { members { totalCount } } }",
            json!({ "id": f.public_group }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { updateMember(input: { id: $id, profile: { displayName: \"X\" } }) { id } }",
            json!({ "id": f.member }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { eraseMember(input: { id: $id }) { id } }",
            json!({ "id": f.member }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { issueMemberToken(input: { memberId: $id }) { token } }",
            json!({ "id": f.member }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { addCredential(input: { memberId: $id, kind: LPC, issuer: \"X\" }) { id } }",
            json!({ "id": f.professional }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { verifyCredential(input: { id: $id, status: REJECTED }) { id } }",
            json!({ "id": f.credential }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { updateGroup(input: { id: $id, name: \"X\" }) { id } }",
            json!({ "id": f.private_group }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { archiveGroup(input: { id: $id }) { id } }",
            json!({ "id": f.public_group }),
            Outsider::Refused,
        ),
        (
            "mutation($g: ID!, $m: ID!) { joinGroup(input: { groupId: $g, memberId: $m }) { id } }",
            json!({ "g": f.private_group, "m": f.member }),
            Outsider::Refused,
        ),
        (
            "mutation($g: ID!) { joinGroup(input: { groupId: $g }) { id } }",
            json!({ "g": f.private_group }),
            Outsider::Refused,
        ),
        (
            "mutation($g: ID!, $m: ID!) { leaveGroup(input: { groupId: $g, memberId: $m }) { id } }",
            json!({ "g": f.private_group, "m": f.member }),
            Outsider::Refused,
        ),
        (
            "mutation($g: ID!, $m: ID!) { inviteToGroup(input: { groupId: $g, memberId: $m }) { id } }",
            json!({ "g": f.public_group, "m": f.professional }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { approveMembership(input: { id: $id }) { id } }",
            json!({ "id": f.membership }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { removeMembership(input: { id: $id }) { id } }",
            json!({ "id": f.membership }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { setMembershipRole(input: { id: $id, role: ORGANIZER }) { id } }",
            json!({ "id": f.membership }),
            Outsider::Refused,
        ),
        (
            "mutation($p: ID!) { requestSupportLink(input: { personId: $p }) { id } }",
            json!({ "p": f.member }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { respondToSupportLink(input: { id: $id, accept: true }) { id } }",
            json!({ "id": f.link }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { endSupportLink(input: { id: $id }) { id } }",
            json!({ "id": f.link }),
            Outsider::Refused,
        ),
        (
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": f.credential }),
            Outsider::SeesNull("node"),
        ),
        (
            "query($id: ID!) { meeting(id: $id) { name } }",
            json!({ "id": f.meeting }),
            Outsider::SeesNull("meeting"),
        ),
        (
            "query($id: ID!) { nodes(ids: [$id]) { id } }",
            json!({ "id": f.meeting }),
            Outsider::SeesNull("nodes/0"),
        ),
        (
            "mutation($g: ID!) { createMeeting(input: { groupId: $g, name: \"Sneaky\", timezone: \"America/New_York\", attendanceMode: ONLINE, online: { url: \"https://example.org\" }, schedule: { startTime: \"19:00\", durationMinutes: 60, startsOn: \"2027-01-05\" } }) { id } }",
            json!({ "g": f.public_group }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { updateMeeting(input: { id: $id, name: \"X\" }) { id } }",
            json!({ "id": f.meeting }),
            Outsider::Refused,
        ),
        (
            "mutation($m: ID!, $s: DateTime!) { cancelOccurrence(input: { meetingId: $m, occurrenceStart: $s }) { status } }",
            json!({ "m": f.meeting, "s": f.occurrence }),
            Outsider::Refused,
        ),
        (
            "mutation($m: ID!, $s: DateTime!) { rescheduleOccurrence(input: { meetingId: $m, occurrenceStart: $s, newStart: $s }) { status } }",
            json!({ "m": f.meeting, "s": f.occurrence }),
            Outsider::Refused,
        ),
        (
            "mutation($m: ID!, $s: DateTime!) { rsvp(input: { meetingId: $m, occurrenceStart: $s }) { state } }",
            json!({ "m": f.meeting, "s": f.occurrence }),
            Outsider::Refused,
        ),
        (
            "mutation($m: ID!, $s: DateTime!, $who: ID!) { cancelRsvp(input: { meetingId: $m, occurrenceStart: $s, memberId: $who }) { state } }",
            json!({ "m": f.meeting, "s": f.occurrence, "who": f.member }),
            Outsider::Refused,
        ),
        (
            "mutation($m: ID!, $s: DateTime!, $who: ID!) { recordAttendance(input: { meetingId: $m, occurrenceStart: $s, memberIds: [$who] }) { attendeeCount } }",
            json!({ "m": f.meeting, "s": f.occurrence, "who": f.member }),
            Outsider::Refused,
        ),
        (
            "mutation($id: ID!) { revokeApiKey(input: { id: $id }) { id } }",
            json!({ "id": f.api_key }),
            Outsider::Refused,
        ),
    ];
    assert_every_root_field_has_a_case(&cases);
    for (who, token) in &callers {
        for (query, variables, expected) in &cases {
            let (_, body) = app.post(token.as_deref(), query, variables.clone());
            match expected {
                Outsider::SeesNull(path) => {
                    assert_eq!(
                        body["data"]
                            .pointer(&format!("/{path}"))
                            .cloned()
                            .unwrap_or(Value::Null),
                        Value::Null,
                        "{who}: {query}: {body}"
                    );
                    assert!(body["data"].is_object(), "{who}: {query}: {body}");
                }
                Outsider::Refused => {
                    let refusal = code(&body["errors"][0]);
                    assert!(
                        [
                            "FORBIDDEN",
                            "NOT_FOUND",
                            "UNAUTHENTICATED",
                            "BAD_USER_INPUT"
                        ]
                        .contains(&refusal),
                        "{who}: {query}: {body}"
                    );
                }
            }
        }
        if !who.contains("key") {
            for (mutation, input) in [
                (
                    "mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }",
                    json!({ "name": "Sneaky" }),
                ),
                (
                    "mutation($input: UpsertMemberInput!) { upsertMember(input: $input) { id } }",
                    json!({ "externalRef": "sam", "displayName": "Hijacked", "role": "PROFESSIONAL" }),
                ),
                (
                    "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }",
                    json!({ "name": "Sneaky", "scopes": ["ADMIN"] }),
                ),
                (
                    "mutation($input: ImportMeetingGuideFeedInput!) { importMeetingGuideFeed(input: $input) { added } }",
                    json!({ "feed": "[]" }),
                ),
            ] {
                let (_, body) = app.post(token.as_deref(), mutation, json!({ "input": input }));
                assert!(
                    ["FORBIDDEN", "UNAUTHENTICATED"].contains(&code(&body["errors"][0])),
                    "{who}: {mutation}: {body}"
                );
            }
        }
        let directory = app.query(
            token.as_deref(),
            "{ groups(first: 100) { edges { node { name } } } }",
            json!({}),
        );
        assert!(
            !directory.to_string().contains("Private circle"),
            "{who} lists the private group"
        );
        let search = app.query(
            token.as_deref(),
            "{ meetings(first: 100) { nodes { name } } }",
            json!({}),
        );
        assert!(
            !search.to_string().contains("Private Tuesday"),
            "{who} finds the private meeting"
        );
    }

    // Nothing changed.
    let check = app.query(
        Some(&key),
        "query($g: ID!, $m: ID!, $ms: ID!, $l: ID!, $p: ID!) { g: group(id: $g) { name status } m: member(id: $m) { displayName erasedAt } ms: node(id: $ms) { ... on Membership { state role } } l: node(id: $l) { ... on SupportLink { state } } p: member(id: $p) { credentials { verificationStatus } } }",
        json!({ "g": f.private_group, "m": f.member, "ms": f.membership, "l": f.link, "p": f.professional }),
    );
    assert_eq!(
        check,
        json!({
            "g": { "name": "Private circle", "status": "ACTIVE" },
            "m": { "displayName": "sam", "erasedAt": null },
            "ms": { "state": "ACTIVE", "role": "MEMBER" },
            "l": { "state": "PENDING" },
            "p": { "credentials": [{ "verificationStatus": "UNVERIFIED" }] }
        })
    );
});
