use super::*;

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
