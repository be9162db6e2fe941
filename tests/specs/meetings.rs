//! Meetings (in progress): the meeting type catalog, keyed by program and translated.

use kinship_tests::serde_json::{Value, json};
use kinship_tests::{code, spec};

spec!(meeting_types_are_keyed_by_program_and_translated, |app| {
    let programs = app.query(None, "{ meetingPrograms { key name } }", json!({}));
    let programs = programs["meetingPrograms"].as_array().expect("programs");
    assert_eq!(programs.len(), 27);
    assert!(programs.contains(&json!({ "key": "aa", "name": "Alcoholics Anonymous" })));

    let types = "query($p: String!, $l: String) { meetingTypes(program: $p, language: $l) { program code name official } }";
    let aa = app.query(None, types, json!({ "p": "aa", "l": "es-MX" }));
    let open = aa["meetingTypes"]
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["code"] == "O")
        .cloned();
    assert_eq!(
        open,
        Some(json!({ "program": "aa", "code": "O", "name": "Abierta", "official": true }))
    );
    let codes = |data: &Value| -> Vec<String> {
        data["meetingTypes"]
            .as_array()
            .expect("types")
            .iter()
            .map(|t| t["code"].as_str().expect("code").to_owned())
            .collect()
    };
    assert!(
        !codes(&aa).contains(&"ES".to_owned()),
        "languages are not meeting types"
    );

    let aca = app.query(None, types, json!({ "p": "aca", "l": null }));
    let age = aca["meetingTypes"]
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["code"] == "A")
        .cloned();
    assert_eq!(
        age,
        Some(
            json!({ "program": "aca", "code": "A", "name": "Age Restricted 18+", "official": false })
        )
    );

    let error = app.query_error(None, types, json!({ "p": "nope", "l": null }));
    assert_eq!(code(&error), "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], "program");
});
