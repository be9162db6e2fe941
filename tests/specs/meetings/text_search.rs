use super::*;

const SEARCH: &str = "query($text: String, $order: MeetingOrder, $first: Int, $after: String) { meetings(filter: { text: $text }, orderBy: $order, first: $first, after: $after) { totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }";

/// The names a text search finds, in its order.
fn found(app: &kinship_tests::TestApp, text: &str, order: Value) -> Vec<String> {
    let data = app.query(
        None,
        SEARCH,
        json!({ "text": text, "order": order, "first": 50 }),
    );
    meeting_names(&data["meetings"])
}

/// Every name a text search finds, one page of `first` at a time, following the cursors.
fn paged(app: &kinship_tests::TestApp, text: &str, first: i64) -> Vec<String> {
    let mut names = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.query(
            None,
            SEARCH,
            json!({ "text": text, "first": first, "after": after }),
        );
        let connection = &data["meetings"];
        names.extend(meeting_names(connection));
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            return names;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
}

spec!(
    text_search_finds_words_in_any_order_in_every_field_best_match_first,
    |app| {
        let (key, group) = clinic_with_group(&app, "PUBLIC");
        for (name, description, location) in [
            ("Step Study Serenity", "Big Book", Value::Null),
            (
                "Tuesday night",
                "A step by step study of the traditions",
                Value::Null,
            ),
            (
                "Café Nueva",
                "Open discussion",
                json!({ "venue": "St. Mary's", "city": "Brooklyn", "latitude": 40.67, "longitude": -73.94 }),
            ),
            ("Other", "Nothing here", Value::Null),
        ] {
            let mut input =
                weekly_meeting(&group, json!({ "name": name, "description": description }));
            if !location.is_null() {
                input["attendanceMode"] = json!("HYBRID");
                input["location"] = location;
            }
            meeting(&app, &key, input);
        }

        let step_study = vec!["Step Study Serenity", "Tuesday night"];
        assert_eq!(
            found(&app, "study step", Value::Null),
            step_study,
            "words in any order; a match in the name ranks above one in the description"
        );
        assert_eq!(found(&app, "STU st", Value::Null), step_study, "prefixes");
        assert_eq!(found(&app, "brooklyn", Value::Null), vec!["Café Nueva"]);
        assert_eq!(found(&app, "mary", Value::Null), vec!["Café Nueva"]);
        assert_eq!(
            found(&app, "cafe", Value::Null),
            vec!["Café Nueva"],
            "accents are folded"
        );
        assert_eq!(found(&app, "CAFÉ", Value::Null), vec!["Café Nueva"]);
        assert_eq!(
            found(&app, "step brooklyn", Value::Null),
            Vec::<String>::new()
        );
        assert_eq!(
            found(&app, "evening", Value::Null).len(),
            4,
            "the group's name"
        );
        assert_eq!(
            found(&app, "study step", json!("NAME")),
            vec!["Step Study Serenity", "Tuesday night"]
        );
        let by_name = found(&app, "evening", json!("NAME"));
        assert_eq!(
            by_name,
            vec![
                "Café Nueva",
                "Other",
                "Step Study Serenity",
                "Tuesday night"
            ]
        );

        let all = found(&app, "evening", Value::Null);
        assert_eq!(
            paged(&app, "evening", 1),
            all,
            "cursors page through the ranking"
        );
        assert_eq!(paged(&app, "evening", 3), all);

        let group_name = app.query(
            Some(&key),
            "mutation($id: ID!) { updateGroup(input: { id: $id, name: \"Harbor lights\" }) { name } }",
            json!({ "id": group }),
        );
        assert_eq!(group_name["updateGroup"]["name"], "Harbor lights");
        assert_eq!(
            found(&app, "harbor", Value::Null).len(),
            4,
            "a renamed group's meetings"
        );
        assert!(found(&app, "evening", Value::Null).is_empty());
        let other = app.query(
            None,
            "{ meetings(filter: { text: \"other\" }) { nodes { id } } }",
            json!({}),
        )["meetings"]["nodes"][0]["id"]
            .clone();
        app.query(
            Some(&key),
            "mutation($id: ID!) { updateMeeting(input: { id: $id, name: \"Morning step\" }) { name } }",
            json!({ "id": other }),
        );
        assert_eq!(found(&app, "morning", Value::Null), vec!["Morning step"]);
        assert!(
            found(&app, "other", Value::Null).is_empty(),
            "the old name is gone"
        );
        assert_eq!(found(&app, "study step", Value::Null), step_study);

        let cafe = app.query(
            None,
            "{ meetings(filter: { text: \"brooklyn\" }) { nodes { id } } }",
            json!({}),
        )["meetings"]["nodes"][0]["id"]
            .clone();
        let online = app.query(
            Some(&key),
            "mutation($id: ID!) { updateMeeting(input: { id: $id, attendanceMode: ONLINE, online: { url: \"https://meet.example.org/c\" } }) { attendanceMode location { city } } }",
            json!({ "id": cafe }),
        );
        assert_eq!(online["updateMeeting"]["location"], Value::Null);
        assert!(
            found(&app, "brooklyn", Value::Null).is_empty(),
            "the place of an online meeting, which the API does not show, is not searched"
        );
        assert_eq!(found(&app, "cafe", Value::Null), vec!["Café Nueva"]);
    }
);

spec!(a_text_search_refuses_what_it_cannot_answer, |app| {
    let relevance = app.query_error(
        None,
        "{ meetings(orderBy: RELEVANCE) { nodes { name } } }",
        json!({}),
    );
    assert_eq!(code(&relevance), "BAD_USER_INPUT");
    assert_eq!(relevance["extensions"]["field"], "orderBy");
    let many = vec!["word"; 13].join(" ");
    let words = app.query_error(None, SEARCH, json!({ "text": many }));
    assert_eq!(code(&words), "BAD_USER_INPUT");
    assert_eq!(words["extensions"]["field"], "filter.text");
    let blank = app.query(None, SEARCH, json!({ "text": " -- \" * ' " }));
    assert_eq!(
        blank["meetings"]["totalCount"], 0,
        "punctuation alone is no search (and no meeting exists)"
    );
});
