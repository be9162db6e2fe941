//! Members, groups, memberships and support links: a clinic syncing members and creating
//! groups, apps listing public groups, members joining, families linked by consent.

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{TestApp, code, spec};

const UPSERT: &str = "mutation($input: UpsertMemberInput!) { upsertMember(input: $input) { id displayName role languages timezone externalRef } }";
const CREATE_GROUP: &str = "mutation($input: CreateGroupInput!) { createGroup(input: $input) { id name visibility joinPolicy capacity } }";
const TOKEN: &str = "mutation($input: IssueMemberTokenInput!) { issueMemberToken(input: $input) { token expiresAt } }";
const JOIN: &str =
    "mutation($groupId: ID!) { joinGroup(input: { groupId: $groupId }) { id state role } }";

/// Creates a group; returns its id.
fn group(app: &TestApp, key: &str, input: Value) -> String {
    let data = app.query(Some(key), CREATE_GROUP, json!({ "input": input }));
    data["createGroup"]["id"].as_str().expect("id").to_owned()
}

fn names(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            e["node"]["name"]
                .as_str()
                .or(e["node"]["displayName"].as_str())
                .expect("name")
                .to_owned()
        })
        .collect()
}

spec!(
    a_clinic_syncs_members_idempotently_and_stores_no_contact_details,
    |app| {
        let key = app.admin_key("clinic");
        let first = app.member(&key, "user-1001", "Sam R.", "PERSON_IN_RECOVERY");
        let again = app.query(
        Some(&key),
        UPSERT,
        json!({ "input": { "externalRef": "user-1001", "displayName": "Sam", "timezone": "America/New_York", "languages": ["EN", "es-mx"] } }),
    )["upsertMember"]
        .clone();
        assert_eq!(
            again["id"], first,
            "the same externalRef is the same member"
        );
        assert_eq!(again["displayName"], "Sam");
        assert_eq!(
            again["role"], "PERSON_IN_RECOVERY",
            "omitted fields stay as they were"
        );
        assert_eq!(again["languages"], json!(["en", "es-MX"]));
        assert_eq!(again["externalRef"], "user-1001");

        for (input, field) in [
            (
                json!({ "externalRef": "u2", "displayName": "sam@example.org", "role": "PERSON_IN_RECOVERY" }),
                "input.displayName",
            ),
            (
                json!({ "externalRef": "u2", "displayName": "Call 555 123 4567", "role": "PERSON_IN_RECOVERY" }),
                "input.displayName",
            ),
            (
                json!({ "externalRef": "sam@example.org", "displayName": "Sam", "role": "PERSON_IN_RECOVERY" }),
                "input.externalRef",
            ),
            (
                json!({ "externalRef": "u2", "displayName": "Sam", "role": "PERSON_IN_RECOVERY", "timezone": "Mars/Base" }),
                "input.timezone",
            ),
            (
                json!({ "externalRef": "u2", "displayName": "Sam", "role": "PERSON_IN_RECOVERY", "languages": ["not a tag"] }),
                "input.languages.0",
            ),
            (json!({ "externalRef": "u2" }), "input.displayName"),
        ] {
            let error = app.query_error(Some(&key), UPSERT, json!({ "input": input }));
            assert_eq!(code(&error), "BAD_USER_INPUT", "{input}");
            assert_eq!(error["extensions"]["field"], field, "{input}");
        }

        let fields = app.query(
            None,
            "{ __type(name: \"Member\") { fields { name } } }",
            json!({}),
        );
        let fields = fields["__type"]["fields"].to_string().to_lowercase();
        for forbidden in [
            "email",
            "phone",
            "address",
            "lastname",
            "legalname",
            "birth",
        ] {
            assert!(
                !fields.contains(forbidden),
                "Member has no {forbidden} field: {fields}"
            );
        }
    }
);

spec!(member_tokens_act_for_one_member_and_expire, |app| {
    let key = app.admin_key("clinic");
    let sam = app.member(&key, "u1", "Sam", "PERSON_IN_RECOVERY");
    let sam_token = app.member_token(&key, &sam);
    let viewer = app.query(
        Some(&sam_token),
        "{ viewer { kind scopes member { id displayName role } organization { slug } } }",
        json!({}),
    );
    assert_eq!(viewer["viewer"]["kind"], "MEMBER");
    assert_eq!(viewer["viewer"]["member"]["id"], sam);
    assert_eq!(viewer["viewer"]["member"]["role"], "PERSON_IN_RECOVERY");
    assert_eq!(viewer["viewer"]["organization"]["slug"], "clinic");

    let refreshed = app.query(
        Some(&sam_token),
        TOKEN,
        json!({ "input": { "ttlMinutes": 5 } }),
    );
    assert!(
        refreshed["issueMemberToken"]["token"]
            .as_str()
            .expect("token")
            .starts_with("kinship_mt.")
    );
    let error = app.query_error(
        Some(&sam_token),
        UPSERT,
        json!({ "input": { "externalRef": "u9", "displayName": "X", "role": "PROFESSIONAL" } }),
    );
    assert_eq!(
        code(&error),
        "FORBIDDEN",
        "member tokens cannot act as the organization"
    );

    let other = app.admin_key("elsewhere");
    let error = app.query_error(Some(&other), TOKEN, json!({ "input": { "memberId": sam } }));
    assert_eq!(
        code(&error),
        "NOT_FOUND",
        "another organization cannot mint tokens for our members"
    );
    let error = app.query_error(
        Some(&key),
        TOKEN,
        json!({ "input": { "memberId": sam, "ttlMinutes": 100000 } }),
    );
    assert_eq!(code(&error), "BAD_USER_INPUT");

    let mut forged = sam_token.clone();
    forged.pop();
    forged.push(if sam_token.ends_with('A') { 'B' } else { 'A' });
    let (status, body) = app.post(Some(&forged), "{ viewer { kind } }", json!({}));
    assert_eq!(status, 401, "{body}");
});

spec!(
    recovery_details_are_seen_by_the_member_and_the_organization_only,
    |app| {
        let key = app.admin_key("clinic");
        let sam = app.member(&key, "u1", "Sam", "PERSON_IN_RECOVERY");
        let alex = app.member(&key, "u2", "Alex", "PERSON_IN_RECOVERY");
        let sam_token = app.member_token(&key, &sam);
        let alex_token = app.member_token(&key, &alex);
        app.query(
        Some(&sam_token),
        "mutation { updateMember(input: { profile: { pronouns: \"they/them\", recovery: { startDate: \"2025-01-15\", focus: [ALCOHOL], pathway: SMART } } }) { id } }",
        json!({}),
    );
        let circle = group(&app, &key, json!({ "name": "Thursday circle" }));
        app.query(Some(&sam_token), JOIN, json!({ "groupId": circle }));
        app.query(Some(&alex_token), JOIN, json!({ "groupId": circle }));

        let read = "query($id: ID!) { member(id: $id) { displayName role pronouns recovery { startDate focus pathway } } }";
        let own = app.query(Some(&sam_token), read, json!({ "id": sam }));
        assert_eq!(
            own["member"]["recovery"],
            json!({ "startDate": "2025-01-15", "focus": ["ALCOHOL"], "pathway": "SMART" })
        );
        let staff = app.query(Some(&key), read, json!({ "id": sam }));
        assert_eq!(staff["member"]["recovery"]["pathway"], "SMART");
        let peer = app.query(Some(&alex_token), read, json!({ "id": sam }));
        assert_eq!(
            peer["member"],
            json!({ "displayName": "Sam", "role": null, "pronouns": null, "recovery": null }),
            "a fellow member sees the display name only"
        );
        let writer = kinship_tests::serde_json::from_str::<Value>(
            &app.cli(&[
                "--json", "key", "create", "--org", "clinic", "--scopes", "write",
            ])
            .expect("key"),
        )
        .expect("json")["apiKey"]
            .as_str()
            .expect("key")
            .to_owned();
        let no_read = app.query(Some(&writer), read, json!({ "id": sam }));
        assert_eq!(
            no_read["member"]["recovery"],
            Value::Null,
            "recovery details need the READ scope"
        );
        let stranger = app.member(&key, "u3", "Jo", "PERSON_IN_RECOVERY");
        let stranger_token = app.member_token(&key, &stranger);
        let unseen = app.query(Some(&stranger_token), read, json!({ "id": sam }));
        assert_eq!(
            unseen["member"],
            Value::Null,
            "members who share nothing see nothing"
        );
        assert_eq!(
            app.query(None, read, json!({ "id": sam }))["member"],
            Value::Null
        );
    }
);

spec!(
    the_directory_filters_groups_and_hides_what_is_not_public,
    |app| {
        let key = app.admin_key("clinic");
        group(
            &app,
            &key,
            json!({ "name": "Women's SMART group", "focus": ["ALCOHOL"], "pathway": "SMART", "audience": ["WOMEN"], "languages": ["en"] }),
        );
        group(
            &app,
            &key,
            json!({ "name": "Grupo de apoyo", "focus": ["OPIOIDS"], "pathway": "MAT_FRIENDLY", "languages": ["es"], "facilitation": "PROFESSIONALLY_FACILITATED", "description": "Bienvenidos con medicación" }),
        );
        group(
            &app,
            &key,
            json!({ "name": "Families together", "focus": ["ANY"], "audience": ["FAMILIES_AND_FRIENDS"], "pathway": "TWELVE_STEP" }),
        );
        let unlisted = group(
            &app,
            &key,
            json!({ "name": "Unlisted circle", "visibility": "UNLISTED" }),
        );
        let private = group(
            &app,
            &key,
            json!({ "name": "Private aftercare", "visibility": "PRIVATE" }),
        );
        let archived = group(&app, &key, json!({ "name": "Old group" }));
        app.query(
            Some(&key),
            "mutation($id: ID!) { archiveGroup(input: { id: $id }) { status } }",
            json!({ "id": archived }),
        );

        let directory = "query($filter: GroupFilterInput) { groups(filter: $filter) { totalCount edges { node { name } } } }";
        let all = app.query(None, directory, json!({ "filter": null }));
        assert_eq!(
            names(&all["groups"]),
            vec!["Families together", "Grupo de apoyo", "Women's SMART group"]
        );
        assert_eq!(all["groups"]["totalCount"], 3);
        for (filter, expected) in [
            (json!({ "focus": ["ALCOHOL"] }), vec!["Women's SMART group"]),
            (
                json!({ "focus": ["ALCOHOL", "ANY"] }),
                vec!["Families together", "Women's SMART group"],
            ),
            (
                json!({ "pathways": ["MAT_FRIENDLY"] }),
                vec!["Grupo de apoyo"],
            ),
            (
                json!({ "audiences": ["FAMILIES_AND_FRIENDS"] }),
                vec!["Families together"],
            ),
            (json!({ "languages": ["ES"] }), vec!["Grupo de apoyo"]),
            (
                json!({ "facilitation": "PROFESSIONALLY_FACILITATED" }),
                vec!["Grupo de apoyo"],
            ),
            (json!({ "text": "MEDICACIÓN" }), vec!["Grupo de apoyo"]),
            (json!({ "text": "medicación" }), vec!["Grupo de apoyo"]),
            (json!({ "text": "smart" }), vec!["Women's SMART group"]),
            (json!({ "text": "100%_" }), vec![]),
        ] {
            let found = app.query(None, directory, json!({ "filter": filter }));
            assert_eq!(names(&found["groups"]), expected, "{filter}");
        }
        let staff = app.query(
            Some(&key),
            directory,
            json!({ "filter": { "statuses": ["ACTIVE", "ARCHIVED"] } }),
        );
        assert_eq!(
            staff["groups"]["totalCount"], 6,
            "the organization sees all its groups"
        );

        let by_id = "query($id: ID!) { group(id: $id) { name members { totalCount } } }";
        let seen = app.query_error(None, by_id, json!({ "id": unlisted }));
        assert_eq!(
            code(&seen),
            "UNAUTHENTICATED",
            "anonymous callers never see member lists"
        );
        let (_, body) = app.post(None, by_id, json!({ "id": unlisted }));
        assert_eq!(
            body["data"]["group"]["name"], "Unlisted circle",
            "unlisted groups are found by id"
        );
        assert_eq!(body["data"]["group"]["members"], Value::Null);
        assert_eq!(
            app.query(
                None,
                "query($id: ID!) { group(id: $id) { name } }",
                json!({ "id": private })
            )["group"],
            Value::Null
        );
        let other = app.admin_key("elsewhere");
        assert_eq!(
            app.query(
                Some(&other),
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": private })
            )["node"],
            Value::Null
        );
        let other_directory = app.query(Some(&other), directory, json!({ "filter": null }));
        assert_eq!(
            other_directory["groups"]["totalCount"], 3,
            "another organization sees only public groups"
        );
    }
);

spec!(joining_follows_the_join_policy, |app| {
    let key = app.admin_key("clinic");
    let sam = app.member(&key, "u1", "Sam", "PERSON_IN_RECOVERY");
    let lee = app.member(&key, "u2", "Lee", "PROFESSIONAL");
    let sam_token = app.member_token(&key, &sam);
    let lee_token = app.member_token(&key, &lee);
    let open = group(&app, &key, json!({ "name": "Open circle" }));
    let asking = group(
        &app,
        &key,
        json!({ "name": "Ask first", "joinPolicy": "REQUEST" }),
    );
    let invited = group(
        &app,
        &key,
        json!({ "name": "Invite only", "joinPolicy": "INVITATION", "visibility": "PRIVATE" }),
    );

    let joined = app.query(Some(&sam_token), JOIN, json!({ "groupId": open }));
    assert_eq!(joined["joinGroup"]["state"], "ACTIVE");
    let twice = app.query(Some(&sam_token), JOIN, json!({ "groupId": open }));
    assert_eq!(
        twice["joinGroup"]["id"], joined["joinGroup"]["id"],
        "joining twice changes nothing"
    );

    // Lee organizes "Ask first" and approves Sam's request.
    app.query(
        Some(&key),
        "mutation($g: ID!, $m: ID!) { joinGroup(input: { groupId: $g, memberId: $m }) { state } }",
        json!({ "g": asking, "m": lee }),
    );
    let lee_membership = app.query(
        Some(&lee_token),
        "query($id: ID!) { group(id: $id) { viewerMembership { id } } }",
        json!({ "id": asking }),
    )["group"]["viewerMembership"]["id"]
        .clone();
    let promoted = app.query(
        Some(&key),
        "mutation($id: ID!) { setMembershipRole(input: { id: $id, role: ORGANIZER }) { role } }",
        json!({ "id": lee_membership }),
    );
    assert_eq!(promoted["setMembershipRole"]["role"], "ORGANIZER");
    let request = app.query(Some(&sam_token), JOIN, json!({ "groupId": asking }));
    assert_eq!(request["joinGroup"]["state"], "REQUESTED");
    let error = app.query_error(
        Some(&sam_token),
        "mutation($id: ID!) { approveMembership(input: { id: $id }) { state } }",
        json!({ "id": request["joinGroup"]["id"] }),
    );
    assert_eq!(
        code(&error),
        "FORBIDDEN",
        "members cannot approve themselves"
    );
    let approved = app.query(
        Some(&lee_token),
        "mutation($id: ID!) { approveMembership(input: { id: $id }) { state } }",
        json!({ "id": request["joinGroup"]["id"] }),
    );
    assert_eq!(approved["approveMembership"]["state"], "ACTIVE");

    // Invitation only: refused until invited; the invitee sees the private group and accepts.
    let error = app.query_error(Some(&sam_token), JOIN, json!({ "groupId": invited }));
    assert_eq!(
        code(&error),
        "NOT_FOUND",
        "a private group is not even visible before an invitation"
    );
    app.query(Some(&key), "mutation($g: ID!, $m: ID!) { inviteToGroup(input: { groupId: $g, memberId: $m }) { state } }", json!({ "g": invited, "m": sam }));
    let seen = app.query(
        Some(&sam_token),
        "query($id: ID!) { group(id: $id) { name viewerMembership { state } } }",
        json!({ "id": invited }),
    );
    assert_eq!(seen["group"]["viewerMembership"]["state"], "INVITED");
    let accepted = app.query(Some(&sam_token), JOIN, json!({ "groupId": invited }));
    assert_eq!(accepted["joinGroup"]["state"], "ACTIVE");

    // Leaving, removal, and no way back without the organizers.
    let left = app.query(
        Some(&sam_token),
        "mutation($g: ID!) { leaveGroup(input: { groupId: $g }) { state } }",
        json!({ "g": open }),
    );
    assert_eq!(left["leaveGroup"]["state"], "LEFT");
    let removed = app.query(
        Some(&lee_token),
        "mutation($id: ID!) { removeMembership(input: { id: $id }) { state } }",
        json!({ "id": request["joinGroup"]["id"] }),
    );
    assert_eq!(removed["removeMembership"]["state"], "REMOVED");
    let error = app.query_error(Some(&sam_token), JOIN, json!({ "groupId": asking }));
    assert_eq!(code(&error), "FORBIDDEN");

    let error = app.query_error(
        Some(&sam_token),
        "{ viewer { member { groups(states: [REMOVED]) { totalCount } } } }",
        json!({}),
    );
    assert_eq!(
        code(&error),
        "FORBIDDEN",
        "a removed member no longer sees the group"
    );
    let history = app.query(Some(&key), "query($id: ID!) { member(id: $id) { groups(states: [ACTIVE, LEFT, REMOVED]) { totalCount edges { state node { name } } } } }", json!({ "id": sam }));
    let groups = &history["member"]["groups"];
    assert_eq!(groups["totalCount"], 3);
    let states: Vec<(String, String)> = groups["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            (
                e["node"]["name"].as_str().expect("name").to_owned(),
                e["state"].as_str().expect("state").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            ("Open circle".to_owned(), "LEFT".to_owned()),
            ("Ask first".to_owned(), "REMOVED".to_owned()),
            ("Invite only".to_owned(), "ACTIVE".to_owned()),
        ]
    );
});

spec!(capacity_holds_under_concurrent_joins, |app| {
    let key = app.admin_key("clinic");
    let circle = group(&app, &key, json!({ "name": "Small circle", "capacity": 5 }));
    let tokens: Vec<String> = (0..20)
        .map(|i| {
            let id = app.member(
                &key,
                &format!("u{i}"),
                &format!("Member {i}"),
                "PERSON_IN_RECOVERY",
            );
            app.member_token(&key, &id)
        })
        .collect();
    let outcomes: Vec<Value> = std::thread::scope(|scope| {
        let joins: Vec<_> = tokens
            .iter()
            .map(|t| scope.spawn(|| app.post(Some(t), JOIN, json!({ "groupId": circle })).1))
            .collect();
        joins
            .into_iter()
            .map(|j| j.join().expect("no panic"))
            .collect()
    });
    let active = outcomes
        .iter()
        .filter(|b| b["data"]["joinGroup"]["state"] == "ACTIVE")
        .count();
    let full = outcomes
        .iter()
        .filter(|b| code(&b["errors"][0]) == "CONFLICT")
        .count();
    assert_eq!((active, full), (5, 15), "{outcomes:?}");
    let count = app.query(
        Some(&key),
        "query($id: ID!) { group(id: $id) { members { totalCount } } }",
        json!({ "id": circle }),
    );
    assert_eq!(count["group"]["members"]["totalCount"], 5);
});

spec!(families_are_linked_only_with_consent, |app| {
    let key = app.admin_key("clinic");
    let sam = app.member(&key, "u1", "Sam", "PERSON_IN_RECOVERY");
    let mum = app.member(&key, "u2", "Sam's mum", "FAMILY_OR_FRIEND");
    let sam_token = app.member_token(&key, &sam);
    let mum_token = app.member_token(&key, &mum);
    let see_sam = "query($id: ID!) { member(id: $id) { displayName } }";
    assert_eq!(
        app.query(Some(&mum_token), see_sam, json!({ "id": sam }))["member"],
        Value::Null
    );

    let asked = app.query(
        Some(&mum_token),
        "mutation($p: ID!) { requestSupportLink(input: { personId: $p }) { id state } }",
        json!({ "p": sam }),
    );
    let link = asked["requestSupportLink"]["id"].clone();
    assert_eq!(asked["requestSupportLink"]["state"], "PENDING");
    let respond = "mutation($id: ID!, $accept: Boolean!) { respondToSupportLink(input: { id: $id, accept: $accept }) { state } }";
    let error = app.query_error(Some(&key), respond, json!({ "id": link, "accept": true }));
    assert_eq!(
        code(&error),
        "FORBIDDEN",
        "consent is the person's to give, not the organization's"
    );
    let error = app.query_error(
        Some(&mum_token),
        respond,
        json!({ "id": link, "accept": true }),
    );
    assert_eq!(code(&error), "FORBIDDEN");
    let accepted = app.query(
        Some(&sam_token),
        respond,
        json!({ "id": link, "accept": true }),
    );
    assert_eq!(accepted["respondToSupportLink"]["state"], "ACTIVE");
    assert_eq!(
        app.query(Some(&mum_token), see_sam, json!({ "id": sam }))["member"]["displayName"],
        "Sam"
    );
    let links = app.query(
        Some(&sam_token),
        "{ viewer { member { supportLinks { nodes { state supporter { displayName } } } } } }",
        json!({}),
    );
    assert_eq!(
        links["viewer"]["member"]["supportLinks"]["nodes"],
        json!([{ "state": "ACTIVE", "supporter": { "displayName": "Sam's mum" } }])
    );

    let ended = app.query(
        Some(&sam_token),
        "mutation($id: ID!) { endSupportLink(input: { id: $id }) { state } }",
        json!({ "id": link }),
    );
    assert_eq!(ended["endSupportLink"]["state"], "ENDED");
    assert_eq!(
        app.query(Some(&mum_token), see_sam, json!({ "id": sam }))["member"],
        Value::Null
    );
    let error = app.query_error(
        Some(&sam_token),
        "mutation($p: ID!) { requestSupportLink(input: { personId: $p }) { id } }",
        json!({ "p": mum }),
    );
    assert_eq!(
        code(&error),
        "BAD_USER_INPUT",
        "only family or friends ask to support"
    );
});

spec!(
    professionals_carry_credentials_the_organization_verifies,
    |app| {
        let key = app.admin_key("clinic");
        let lee = app.member(&key, "u1", "Lee", "PROFESSIONAL");
        let sam = app.member(&key, "u2", "Sam", "PERSON_IN_RECOVERY");
        let lee_token = app.member_token(&key, &lee);
        let sam_token = app.member_token(&key, &sam);
        let added = app.query(Some(&lee_token), "mutation { addCredential(input: { kind: LCSW, issuer: \"NY State Board\" }) { id verificationStatus } }", json!({}));
        assert_eq!(added["addCredential"]["verificationStatus"], "UNVERIFIED");
        let credential = added["addCredential"]["id"].clone();
        let verify = "mutation($id: ID!) { verifyCredential(input: { id: $id, status: VERIFIED }) { verificationStatus verifiedAt } }";
        assert_eq!(
            code(&app.query_error(Some(&lee_token), verify, json!({ "id": credential }))),
            "FORBIDDEN"
        );
        let verified = app.query(Some(&key), verify, json!({ "id": credential }));
        assert_eq!(
            verified["verifyCredential"]["verificationStatus"],
            "VERIFIED"
        );
        let error = app.query_error(
            Some(&sam_token),
            "mutation { addCredential(input: { kind: CADC, issuer: \"Board\" }) { id } }",
            json!({}),
        );
        assert_eq!(
            code(&error),
            "BAD_USER_INPUT",
            "only professionals carry credentials"
        );

        let circle = group(
            &app,
            &key,
            json!({ "name": "Facilitated circle", "facilitation": "PROFESSIONALLY_FACILITATED" }),
        );
        let lee_join = app.query(Some(&lee_token), JOIN, json!({ "groupId": circle }));
        app.query(Some(&key), "mutation($id: ID!) { setMembershipRole(input: { id: $id, role: FACILITATOR }) { role } }", json!({ "id": lee_join["joinGroup"]["id"] }));
        let public = app.query(None, "query($id: ID!) { group(id: $id) { facilitators { displayName role credentials { kind verificationStatus } } } }", json!({ "id": circle }));
        assert_eq!(
            public["group"]["facilitators"],
            json!([{ "displayName": "Lee", "role": null, "credentials": [{ "kind": "LCSW", "verificationStatus": "VERIFIED" }] }])
        );
    }
);

spec!(
    erasure_removes_personal_data_and_keeps_counts_anonymous,
    |app| {
        let key = app.admin_key("clinic");
        let sam = app.member(&key, "user-1001", "Sam", "PERSON_IN_RECOVERY");
        let sam_token = app.member_token(&key, &sam);
        let circle = group(&app, &key, json!({ "name": "Circle" }));
        app.query(Some(&sam_token), JOIN, json!({ "groupId": circle }));
        let erased = app.query(
            Some(&sam_token),
            "mutation { eraseMember(input: {}) { id displayName } }",
            json!({}),
        );
        assert_eq!(erased["eraseMember"]["displayName"], "Former member");
        let (status, _) = app.post(Some(&sam_token), "{ viewer { kind } }", json!({}));
        assert_eq!(status, 401, "an erased member's token stops working");
        let staff = app.query(Some(&key), "query($id: ID!) { member(id: $id) { displayName externalRef languages erasedAt groups { totalCount } } }", json!({ "id": sam }));
        assert_eq!(staff["member"]["displayName"], "Former member");
        assert!(
            staff["member"]["externalRef"]
                .as_str()
                .expect("ref")
                .starts_with("erased:")
        );
        assert_eq!(staff["member"]["languages"], json!([]));
        assert!(staff["member"]["erasedAt"].is_string());
        assert_eq!(staff["member"]["groups"]["totalCount"], 0);
        let again = app.member(&key, "user-1001", "Sam again", "PERSON_IN_RECOVERY");
        assert_ne!(again, sam, "the external reference is released");
    }
);

spec!(statement_count_does_not_grow_with_page_size, |app| {
    let key = app.admin_key("clinic");
    let lee = app.member(&key, "lee", "Lee", "PROFESSIONAL");
    for g in 0..100 {
        let id = group(&app, &key, json!({ "name": format!("Group {g:03}") }));
        let joined = app.query(
            Some(&key),
            "mutation($g: ID!, $m: ID!) { joinGroup(input: { groupId: $g, memberId: $m }) { id } }",
            json!({ "g": id, "m": lee }),
        );
        if g % 2 == 0 {
            app.query(Some(&key), "mutation($id: ID!) { setMembershipRole(input: { id: $id, role: FACILITATOR }) { role } }", json!({ "id": joined["joinGroup"]["id"] }));
        }
    }
    let listing = "query($first: Int) { groups(first: $first) { totalCount edges { node { name members(first: 3) { totalCount edges { role node { displayName credentials { kind } } } } facilitators { displayName } organization { slug } } } } }";
    let statements = |first: i64| -> u64 {
        let (status, body) = app.post(Some(&key), listing, json!({ "first": first }));
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(
            body["data"]["groups"]["edges"]
                .as_array()
                .expect("edges")
                .len() as i64,
            first
        );
        body["extensions"]["sqlStatements"]
            .as_u64()
            .expect("count reported")
    };
    let two = statements(2);
    let hundred = statements(100);
    assert_eq!(
        two, hundred,
        "listing 100 groups with members and facilitators costs what listing 2 does"
    );
    assert!(hundred <= 12, "a handful of statements: {hundred}");
});

spec!(tokens_and_scopes_cannot_be_stretched, |app| {
    let key = app.admin_key("clinic");
    let sam = app.member(&key, "u1", "Sam", "PERSON_IN_RECOVERY");
    let writer = kinship_tests::serde_json::from_str::<Value>(
        &app.cli(&[
            "--json", "key", "create", "--org", "clinic", "--scopes", "write",
        ])
        .expect("key"),
    )
    .expect("json");
    let writer_key = writer["apiKey"].as_str().expect("key").to_owned();
    let error = app.query_error(
        Some(&writer_key),
        TOKEN,
        json!({ "input": { "memberId": sam } }),
    );
    assert_eq!(
        code(&error),
        "FORBIDDEN",
        "minting tokens (acting as members) needs READ too"
    );
    let error = app.query_error(
        Some(&writer_key),
        "query($id: ID!) { member(id: $id) { groups { totalCount } } }",
        json!({ "id": sam }),
    );
    assert_eq!(code(&error), "FORBIDDEN", "a member's groups need READ");

    let minting = kinship_tests::serde_json::from_str::<Value>(
        &app.cli(&[
            "--json",
            "key",
            "create",
            "--org",
            "clinic",
            "--scopes",
            "read,write",
        ])
        .expect("key"),
    )
    .expect("json");
    let minting_key = minting["apiKey"].as_str().expect("key").to_owned();
    let short = app.query(
        Some(&minting_key),
        TOKEN,
        json!({ "input": { "memberId": sam, "ttlMinutes": 1 } }),
    )["issueMemberToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let refreshed = app.query(
        Some(&short),
        TOKEN,
        json!({ "input": { "ttlMinutes": 1440 } }),
    );
    let refreshed_token = refreshed["issueMemberToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(
        app.query(Some(&refreshed_token), "{ viewer { kind } }", json!({}))["viewer"]["kind"],
        "MEMBER"
    );
    app.cli(&["key", "revoke", minting["key"]["id"].as_str().expect("id")])
        .expect("revoke");
    for token in [&short, &refreshed_token] {
        let (status, body) = app.post(Some(token), "{ viewer { kind } }", json!({}));
        assert_eq!(
            status, 401,
            "revoking the key ends its member tokens: {body}"
        );
    }
});

spec!(requests_are_handled_through_the_member_list, |app| {
    let key = app.admin_key("clinic");
    let lee = app.member(&key, "u1", "Lee", "PROFESSIONAL");
    let sam = app.member(&key, "u2", "Sam", "PERSON_IN_RECOVERY");
    let lee_token = app.member_token(&key, &lee);
    let sam_token = app.member_token(&key, &sam);
    let asking = group(
        &app,
        &key,
        json!({ "name": "Ask first", "joinPolicy": "REQUEST" }),
    );
    let lee_join = app.query(
        Some(&key),
        "mutation($g: ID!, $m: ID!) { joinGroup(input: { groupId: $g, memberId: $m }) { id } }",
        json!({ "g": asking, "m": lee }),
    );
    app.query(
        Some(&key),
        "mutation($id: ID!) { setMembershipRole(input: { id: $id, role: FACILITATOR }) { role } }",
        json!({ "id": lee_join["joinGroup"]["id"] }),
    );
    app.query(Some(&sam_token), JOIN, json!({ "groupId": asking }));
    let requests = app.query(Some(&lee_token), "query($id: ID!) { group(id: $id) { members(states: [REQUESTED]) { edges { membershipId state node { displayName } } } } }", json!({ "id": asking }));
    let edge = &requests["group"]["members"]["edges"][0];
    assert_eq!(edge["node"]["displayName"], "Sam");
    let approved = app.query(
        Some(&lee_token),
        "mutation($id: ID!) { approveMembership(input: { id: $id }) { state } }",
        json!({ "id": edge["membershipId"] }),
    );
    assert_eq!(approved["approveMembership"]["state"], "ACTIVE");
    let error = app.query_error(
        Some(&sam_token),
        "query($id: ID!) { group(id: $id) { members(states: [REQUESTED]) { totalCount } } }",
        json!({ "id": asking }),
    );
    assert_eq!(
        code(&error),
        "FORBIDDEN",
        "plain members see active memberships only"
    );

    let other = app.admin_key("elsewhere");
    let bea = app.member(&other, "b1", "Bea", "PERSON_IN_RECOVERY");
    let bea_token = app.member_token(&other, &bea);
    let open = group(&app, &key, json!({ "name": "Open to all" }));
    let error = app.query_error(Some(&bea_token), JOIN, json!({ "groupId": open }));
    assert_eq!(code(&error), "FORBIDDEN");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("another organization")
    );
});

spec!(
    peer_facilitators_stay_private_and_refusals_do_not_blank_objects,
    |app| {
        let key = app.admin_key("clinic");
        let sam = app.member(&key, "u1", "Sam", "PERSON_IN_RECOVERY");
        let lee = app.member(&key, "u2", "Lee", "PROFESSIONAL");
        let circle = group(&app, &key, json!({ "name": "Circle" }));
        for m in [&sam, &lee] {
            let joined = app.query(Some(&key), "mutation($g: ID!, $m: ID!) { joinGroup(input: { groupId: $g, memberId: $m }) { id } }", json!({ "g": circle, "m": m }));
            app.query(Some(&key), "mutation($id: ID!) { setMembershipRole(input: { id: $id, role: FACILITATOR }) { role } }", json!({ "id": joined["joinGroup"]["id"] }));
        }
        let facilitators = "query($id: ID!) { group(id: $id) { facilitators { displayName } } }";
        let public = app.query(None, facilitators, json!({ "id": circle }));
        assert_eq!(
            public["group"]["facilitators"],
            json!([{ "displayName": "Lee" }]),
            "peer facilitators are not public"
        );
        let staff = app.query(Some(&key), facilitators, json!({ "id": circle }));
        assert_eq!(
            staff["group"]["facilitators"]
                .as_array()
                .expect("list")
                .len(),
            2
        );

        let (_, body) = app.post(
            None,
            "query($id: ID!) { group(id: $id) { members { totalCount } } }",
            json!({ "id": circle }),
        );
        assert_eq!(
            body["data"],
            json!({ "group": { "members": null } }),
            "the group is there, its member list refused: {body}"
        );
        assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED");
    }
);

spec!(consent_is_never_worn_down, |app| {
    let key = app.admin_key("clinic");
    let alex = app.member(&key, "u1", "Alex", "PERSON_IN_RECOVERY");
    let pat = app.member(&key, "u2", "Pat", "FAMILY_OR_FRIEND");
    let lee = app.member(&key, "u3", "Lee", "PROFESSIONAL");
    let alex_token = app.member_token(&key, &alex);
    let pat_token = app.member_token(&key, &pat);
    let request = "mutation($p: ID!) { requestSupportLink(input: { personId: $p }) { id state person { displayName } } }";
    let asked = app.query(Some(&pat_token), request, json!({ "p": alex }));
    assert_eq!(
        asked["requestSupportLink"]["person"],
        Value::Null,
        "asking reveals nothing about the person"
    );
    assert_eq!(
        app.query(
            Some(&pat_token),
            "query($id: ID!) { member(id: $id) { displayName } }",
            json!({ "id": alex })
        )["member"],
        Value::Null
    );
    let declined = app.query(Some(&alex_token), "mutation($id: ID!) { respondToSupportLink(input: { id: $id, accept: false }) { state supporter { displayName } } }", json!({ "id": asked["requestSupportLink"]["id"] }));
    assert_eq!(
        declined["respondToSupportLink"],
        json!({ "state": "DECLINED", "supporter": { "displayName": "Pat" } })
    );
    let error = app.query_error(Some(&pat_token), request, json!({ "p": alex }));
    assert_eq!(
        code(&error),
        "CONFLICT",
        "a declined request cannot be repeated by the supporter"
    );
    let to_lee = app.query(Some(&pat_token), request, json!({ "p": lee }));
    assert_eq!(
        (
            &to_lee["requestSupportLink"]["state"],
            &to_lee["requestSupportLink"]["person"]
        ),
        (&json!("PENDING"), &Value::Null),
        "asking anyone answers alike, so the answer does not reveal who is in recovery"
    );
    let lee_token = app.member_token(&key, &lee);
    let error = app.query_error(
        Some(&lee_token),
        "mutation($id: ID!) { respondToSupportLink(input: { id: $id, accept: true }) { state } }",
        json!({ "id": to_lee["requestSupportLink"]["id"] }),
    );
    assert_eq!(
        code(&error),
        "FORBIDDEN",
        "only a person in recovery accepts support"
    );
    let error = app.query_error(
        Some(&pat_token),
        request,
        json!({ "p": "TWVtYmVyOjAxOTAwMDAwLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMA" }),
    );
    assert_eq!(
        (code(&error), &error["message"]),
        ("NOT_FOUND", &json!("no such member"))
    );
    let reopened = app.query(Some(&key), "mutation($p: ID!, $s: ID!) { requestSupportLink(input: { personId: $p, supporterId: $s }) { state } }", json!({ "p": alex, "s": pat }));
    assert_eq!(
        reopened["requestSupportLink"]["state"], "PENDING",
        "the organization can ask again"
    );
});

spec!(member_input_is_checked_where_it_is_given, |app| {
    let key = app.admin_key("clinic");
    let sam = app.member(&key, "u1", "Sam", "PERSON_IN_RECOVERY");
    let sam_token = app.member_token(&key, &sam);
    let update = "mutation($profile: ProfileInput!) { updateMember(input: { profile: $profile }) { displayName } }";
    let error = app.query_error(
        Some(&sam_token),
        update,
        json!({ "profile": { "displayName": null } }),
    );
    assert_eq!(error["extensions"]["field"], "input.profile.displayName");
    let error = app.query_error(
        Some(&sam_token),
        update,
        json!({ "profile": { "displayName": "Robin \u{202e}x" } }),
    );
    assert_eq!(error["extensions"]["field"], "input.profile.displayName");
    let ok = app.query(
        Some(&sam_token),
        update,
        json!({ "profile": { "displayName": "Clean since 2019-03-14" } }),
    );
    assert_eq!(ok["updateMember"]["displayName"], "Clean since 2019-03-14");
    let error = app.query_error(Some(&key), UPSERT, json!({ "input": { "externalRef": "erased:123", "displayName": "Zombie", "role": "PERSON_IN_RECOVERY" } }));
    assert_eq!(error["extensions"]["field"], "input.externalRef");
    let numeric = app.member(&key, "5551234567", "Numeric id", "PERSON_IN_RECOVERY");
    assert!(!numeric.is_empty(), "numeric platform ids are fine");

    group(
        &app,
        &key,
        json!({ "name": "English circle", "languages": ["en-GB"] }),
    );
    let found = app.query(
        None,
        "{ groups(filter: { languages: [\"en-US\"] }) { totalCount } }",
        json!({}),
    );
    assert_eq!(
        found["groups"]["totalCount"], 1,
        "languages match by primary language"
    );
});

spec!(credentials_have_global_ids_like_every_object, |app| {
    let key = app.admin_key("clinic");
    let pro = app.member(&key, "u1", "Dr. Lee", "PROFESSIONAL");
    let added = app.query(
        Some(&key),
        "mutation($m: ID!) { addCredential(input: { memberId: $m, kind: LCSW, issuer: \"State board\" }) { id } }",
        json!({ "m": pro }),
    );
    let id = added["addCredential"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let found = app.query(
        Some(&key),
        "query($id: ID!) { node(id: $id) { id ... on Credential { kind issuer } } }",
        json!({ "id": id }),
    );
    assert_eq!(
        found["node"],
        json!({ "id": id, "kind": "LCSW", "issuer": "State board" })
    );
    let verified = app.query(
        Some(&key),
        "mutation($id: ID!) { verifyCredential(input: { id: $id, status: VERIFIED }) { verificationStatus } }",
        json!({ "id": id }),
    );
    assert_eq!(
        verified["verifyCredential"]["verificationStatus"],
        "VERIFIED"
    );
    let error = app.query_error(
        Some(&key),
        "mutation($id: ID!) { verifyCredential(input: { id: $id, status: VERIFIED }) { id } }",
        json!({ "id": "01900000-0000-7000-8000-000000000000" }),
    );
    assert_eq!(
        code(&error),
        "BAD_USER_INPUT",
        "a bare UUID is not a credential's id"
    );
});
