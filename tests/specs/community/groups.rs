use super::*;

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

spec!(
    the_directory_ranks_a_word_search_and_follows_renames,
    |app| {
        let key = app.admin_key("clinic");
        group(
            &app,
            &key,
            json!({ "name": "Thursday circle", "description": "We follow SMART Recovery tools" }),
        );
        let smart = group(&app, &key, json!({ "name": "SMART Recovery Brooklyn" }));
        group(
            &app,
            &key,
            json!({ "name": "Recovery dharma", "description": "Meditation" }),
        );
        let directory = "query($text: String, $after: String, $first: Int) { groups(filter: { text: $text }, first: $first, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } }";
        let search = |text: &str, first: i64, after: Value| {
            app.query(
                None,
                directory,
                json!({ "text": text, "first": first, "after": after }),
            )["groups"]
                .clone()
        };
        assert_eq!(
            names(&search("recovery smart", 10, Value::Null)),
            vec!["SMART Recovery Brooklyn", "Thursday circle"],
            "a match in the name ranks above one in the description, words in any order"
        );
        let all = names(&search("recov", 10, Value::Null));
        assert_eq!(all.len(), 3, "prefixes");
        let mut paged = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = search("recov", 1, after);
            paged.extend(names(&page));
            if page["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(paged, all, "cursors page through the ranking");
        app.query(
            Some(&key),
            "mutation($id: ID!) { updateGroup(input: { id: $id, name: \"Harbor SMART\" }) { name } }",
            json!({ "id": smart }),
        );
        assert_eq!(
            names(&search("harbor", 10, Value::Null)),
            vec!["Harbor SMART"]
        );
        assert!(names(&search("brooklyn", 10, Value::Null)).is_empty());
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
