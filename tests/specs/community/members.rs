use super::*;

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

spec!(staff_find_a_member_by_their_own_reference, |app| {
    let key = app.admin_key("clinic");
    let (id, token) = app.member_with_token(&key, "patient-4711", "Sam R.", "PERSON_IN_RECOVERY");
    let lookup = "query($r: String!) { memberByExternalRef(externalRef: $r) { id displayName externalRef } }";
    let found = app.query(Some(&key), lookup, json!({ "r": "patient-4711" }));
    assert_eq!(found["memberByExternalRef"]["id"], id.as_str());
    assert_eq!(found["memberByExternalRef"]["externalRef"], "patient-4711");
    let nobody = app.query(Some(&key), lookup, json!({ "r": "patient-0000" }));
    assert_eq!(nobody["memberByExternalRef"], Value::Null);
    let elsewhere = app.admin_key("elsewhere");
    let other = app.query(Some(&elsewhere), lookup, json!({ "r": "patient-4711" }));
    assert_eq!(
        other["memberByExternalRef"],
        Value::Null,
        "another organization's reference is not found"
    );
    let anonymous = app.query_error(None, lookup, json!({ "r": "patient-4711" }));
    assert_eq!(code(&anonymous), "UNAUTHENTICATED");
    let as_member = app.query_error(Some(&token), lookup, json!({ "r": "patient-4711" }));
    assert_eq!(code(&as_member), "FORBIDDEN");
    app.query(
        Some(&token),
        "mutation { eraseMember(input: {}) { id } }",
        json!({}),
    );
    let erased = app.query(Some(&key), lookup, json!({ "r": "patient-4711" }));
    assert_eq!(
        erased["memberByExternalRef"],
        Value::Null,
        "erased members are gone"
    );
});
