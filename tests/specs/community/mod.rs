//! Members, groups, memberships and support links: a clinic syncing members and creating
//! groups, apps listing public groups, members joining, families linked by consent.

//!
//! - `members`: syncing, tokens, recovery details, credentials, erasure;
//! - `groups`: the directory, joining, capacity, requests, facilitators;
//! - `support`: family and supporter links, by consent.

mod groups;
mod members;
mod support;

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
