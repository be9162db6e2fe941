//! The load test's reference handler: query (a) answered without GraphQL (BENCHMARKS.md).

use kinship_tests::serde_json::{Value, json};
use kinship_tests::spec;

const QUERY_A: &str = include_str!("../../examples/queries/meetings-starting-soon.graphql");

spec!(
    the_reference_handler_answers_query_a_as_graphql_does,
    config = |c| c.bench_reference = true,
    |app| {
        app.load_demo();
        let (from, to) = ("2026-03-10T22:00:00Z", "2026-03-11T00:00:00Z");
        let graphql = app.query(
            None,
            QUERY_A,
            json!({ "filter": {
                "near": { "latitude": 40.7580, "longitude": -73.9855, "radiusKm": 10 },
                "startsBetween": { "from": from, "to": to }
            } }),
        );
        let reference: Value = app
            .client
            .get(app.url(&format!(
                "/reference/meetings-soon?latitude=40.7580&longitude=-73.9855&radiusKm=10&from={from}&to={to}"
            )))
            .send()
            .expect("answer")
            .json()
            .expect("JSON");
        assert_eq!(reference["totalCount"], 1, "{reference}");
        assert_eq!(
            reference, graphql["meetings"],
            "the same meetings, fields and values"
        );
    }
);

spec!(the_reference_handler_is_off_by_default, |app| {
    let response = app
        .client
        .get(app.url("/reference/meetings-soon?latitude=0&longitude=0&radiusKm=1&from=2026-01-01T00:00:00Z&to=2026-01-01T02:00:00Z"))
        .send()
        .expect("answer");
    assert_eq!(response.status(), 404);
});
