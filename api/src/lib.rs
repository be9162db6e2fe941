//! The Kinship server: command line, configuration, HTTP routes and telemetry. Wiring only:
//! the domain, the data and the GraphQL schema live in `kinship-schema`.

pub mod cli;
pub mod config;
mod feeds;
mod graphiql;
mod graphql;
mod health;
mod reference;
mod request_context;
pub mod server;
pub mod telemetry;
mod throttle;
