//! The isolation matrix: for every query and mutation of members, groups, memberships and
//! support links, another organization's key, another organization's member, a member of
//! another group and an anonymous caller are refused or see nothing, and nothing changes.

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{TestApp, code, spec};

struct Fixture {
    private_group: String,
    public_group: String,
    member: String,
    professional: String,
    membership: String,
    link: String,
    credential: String,
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
    Fixture {
        private_group,
        public_group,
        member: sam,
        professional,
        membership,
        link,
        credential,
    }
}

fn member_token(app: &TestApp, key: &str, external_ref: &str, group: Option<&str>) -> String {
    let id = id_of(
        &app.query(Some(key), "mutation($input: UpsertMemberInput!) { upsertMember(input: $input) { id } }", json!({ "input": { "externalRef": external_ref, "displayName": external_ref, "role": "PERSON_IN_RECOVERY" } })),
        "upsertMember",
    );
    if let Some(group) = group {
        app.query(
            Some(key),
            "mutation($g: ID!, $m: ID!) { joinGroup(input: { groupId: $g, memberId: $m }) { id } }",
            json!({ "g": group, "m": id }),
        );
    }
    app.query(
        Some(key),
        "mutation($m: ID!) { issueMemberToken(input: { memberId: $m }) { token } }",
        json!({ "m": id }),
    )["issueMemberToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// What a case expects from an outsider.
enum Outsider {
    /// The field at this key is null (whether or not an error says why).
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
    ];
    for (who, token) in &callers {
        for (query, variables, expected) in &cases {
            let (_, body) = app.post(token.as_deref(), query, variables.clone());
            match expected {
                Outsider::SeesNull(field) => {
                    assert_eq!(body["data"][field], Value::Null, "{who}: {query}: {body}");
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
