//! Kinship's end-to-end specifications: each file is one capability, each `spec!` runs on
//! SQLite and PostgreSQL against the real server over HTTP.

mod api_keys;
mod cli;
mod community;
mod database;
mod examples;
mod graphiql_browser;
mod graphql_http;
mod hardening_limits;
mod hardening_races;
mod isolation;
mod load_harness;
mod meeting_import;
mod meetings;
mod query_limits;
mod schema_sdl;
mod seed;
mod upcoming;
