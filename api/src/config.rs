//! Configuration from environment variables. Every setting has a default; a wrong value stops
//! the start with a message naming the variable and what it expects. The README lists them.

use kinship_schema::db::DbSettings;
use kinship_schema::limits::QueryLimits;
use std::net::SocketAddr;
use std::time::Duration;

/// A configuration value that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{var}: expected {expected}, got '{value}'")]
pub struct ConfigError {
    /// The environment variable.
    pub var: &'static str,
    /// What it should contain.
    pub expected: String,
    /// What it contained.
    pub value: String,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The whole configuration of a Kinship process.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `postgres://...` or a SQLite file path.
    pub database_url: String,
    /// `KINSHIP_BIND`: address the server listens on.
    pub bind: SocketAddr,
    /// `KINSHIP_WORKERS`: HTTP worker threads.
    pub workers: usize,
    /// `KINSHIP_DB_POOL_SIZE`: most database connections.
    pub pool_size: u32,
    /// `KINSHIP_DB_TIMEOUT_SECS`: wait for a connection before answering `UNAVAILABLE`.
    pub db_timeout: Duration,
    /// `KINSHIP_MAX_BODY_BYTES`: largest request body.
    pub max_body_bytes: usize,
    /// `KINSHIP_MAX_DEPTH`, `KINSHIP_MAX_COMPLEXITY`, `KINSHIP_MAX_INTROSPECTION`,
    /// `KINSHIP_MAX_RESPONSE_BYTES`, `KINSHIP_MAX_CONCURRENT_COST`, `KINSHIP_MAX_ALIASES`,
    /// `KINSHIP_MAX_DOCUMENT_BYTES`, `KINSHIP_MAX_BATCH`, `KINSHIP_INTROSPECTION`.
    pub limits: QueryLimits,
    /// `KINSHIP_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `KINSHIP_LOG`: log filter directives (`info`, `kinship=debug,warn`).
    pub log_filter: String,
    /// `KINSHIP_SHUTDOWN_TIMEOUT_SECS`: how long requests in flight may finish after SIGTERM.
    pub shutdown_timeout: Duration,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`): export traces
    /// over OTLP/HTTP when set.
    pub otlp_endpoint: Option<String>,
    /// `OTEL_SERVICE_NAME`: the service name on exported traces.
    pub service_name: String,
    /// `KINSHIP_TOKEN_SECRET`: the secret member tokens are signed with (at least 32
    /// characters); unset, one is generated and kept in the database.
    pub token_secret: Option<String>,
    /// `KINSHIP_EXPOSE_SQL_STATEMENTS`: report each response's SQL statement count in
    /// `extensions.sqlStatements` (for tests and benchmarks).
    pub expose_sql_statements: bool,
    /// `KINSHIP_CORS_ORIGINS`: browser origins allowed to call the API (comma-separated, or
    /// `*`); unset, no cross-origin calls.
    pub cors_origins: Vec<String>,
    /// `KINSHIP_AUTH_FAILURES_PER_MINUTE`: wrong keys or tokens one client may send in a
    /// minute before it is answered `RATE_LIMITED` for the rest of it.
    pub auth_failures_per_minute: u32,
    /// `KINSHIP_DEMO_KEY`: the demo organization's admin key for `serve --demo` (`kinship_` and
    /// at least 32 more characters), kept across restarts; unset, each start issues a new one.
    pub demo_key: Option<String>,
    /// `KINSHIP_GRAPHIQL`: serve the GraphiQL IDE at `/graphiql` (default true).
    pub graphiql: bool,
    /// `KINSHIP_TRUST_FORWARDED_FOR`: behind a reverse proxy, tell clients apart by the last
    /// address of `X-Forwarded-For` (the one the proxy added) instead of the connection's.
    pub trust_forwarded_for: bool,
    /// `KINSHIP_BENCH_REFERENCE`: serve the load test's reference handler at
    /// `/reference/meetings-soon` (see BENCHMARKS.md); off by default.
    pub bench_reference: bool,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let env = Env(&lookup);
        let default_workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let defaults = QueryLimits::default();
        Ok(Config {
            database_url: {
                let url = env
                    .get("DATABASE_URL")
                    .unwrap_or_else(|| "kinship.db".to_owned());
                let scheme = url.split_once("://").map(|(scheme, _)| scheme);
                if scheme.is_some_and(|s| !matches!(s, "postgres" | "postgresql" | "sqlite")) {
                    return Err(env.error(
                        "DATABASE_URL",
                        "postgres://user:password@host/database, or a SQLite file path",
                        &url,
                    ));
                }
                url
            },
            bind: env.parse(
                "KINSHIP_BIND",
                "127.0.0.1:8080",
                "an address such as 127.0.0.1:8080",
            )?,
            workers: env.number("KINSHIP_WORKERS", default_workers, 1, 256)?,
            pool_size: env.number("KINSHIP_DB_POOL_SIZE", 10, 1, 1000)?,
            db_timeout: Duration::from_secs(env.number("KINSHIP_DB_TIMEOUT_SECS", 5, 1, 300)?),
            max_body_bytes: env.number("KINSHIP_MAX_BODY_BYTES", 256 * 1024, 1024, 64 << 20)?,
            limits: QueryLimits {
                max_depth: env.number("KINSHIP_MAX_DEPTH", defaults.max_depth, 1, 100)?,
                max_complexity: env.number(
                    "KINSHIP_MAX_COMPLEXITY",
                    defaults.max_complexity,
                    1,
                    1_000_000,
                )?,
                max_introspection: env.number(
                    "KINSHIP_MAX_INTROSPECTION",
                    defaults.max_introspection,
                    1,
                    10_000_000,
                )?,
                max_response_bytes: env.number(
                    "KINSHIP_MAX_RESPONSE_BYTES",
                    defaults.max_response_bytes,
                    1024,
                    1 << 30,
                )?,
                max_concurrent_cost: env.number(
                    "KINSHIP_MAX_CONCURRENT_COST",
                    defaults.max_concurrent_cost,
                    1,
                    100_000_000,
                )?,
                max_aliases: env.number("KINSHIP_MAX_ALIASES", defaults.max_aliases, 0, 1000)?,
                max_document_bytes: env.number(
                    "KINSHIP_MAX_DOCUMENT_BYTES",
                    defaults.max_document_bytes,
                    64,
                    1 << 20,
                )?,
                max_batch: env.number("KINSHIP_MAX_BATCH", defaults.max_batch, 1, 100)?,
                introspection: env.boolean("KINSHIP_INTROSPECTION", defaults.introspection)?,
            },
            log_format: match env.get("KINSHIP_LOG_FORMAT").as_deref() {
                None | Some("text") => LogFormat::Text,
                Some("json") => LogFormat::Json,
                Some(other) => return Err(env.error("KINSHIP_LOG_FORMAT", "text or json", other)),
            },
            log_filter: {
                let filter = env.get("KINSHIP_LOG").unwrap_or_else(|| "info".to_owned());
                tracing_subscriber::EnvFilter::try_new(&filter).map_err(|_| {
                    env.error(
                        "KINSHIP_LOG",
                        "log directives such as 'info' or 'kinship=debug,warn'",
                        &filter,
                    )
                })?;
                filter
            },
            shutdown_timeout: Duration::from_secs(env.number(
                "KINSHIP_SHUTDOWN_TIMEOUT_SECS",
                30,
                0,
                3600,
            )?),
            otlp_endpoint: {
                let endpoint = env
                    .get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                    .or_else(|| env.get("OTEL_EXPORTER_OTLP_ENDPOINT"));
                match endpoint {
                    Some(url) if !url.starts_with("http://") && !url.starts_with("https://") => {
                        return Err(env.error(
                            "OTEL_EXPORTER_OTLP_ENDPOINT",
                            "an http:// or https:// URL of an OTLP/HTTP collector",
                            &url,
                        ));
                    }
                    other => other,
                }
            },
            service_name: env
                .get("OTEL_SERVICE_NAME")
                .unwrap_or_else(|| "kinship".to_owned()),
            token_secret: match env.get("KINSHIP_TOKEN_SECRET") {
                Some(secret) if secret.chars().count() < 32 => {
                    return Err(env.error(
                        "KINSHIP_TOKEN_SECRET",
                        "a random secret of at least 32 characters",
                        "(hidden)",
                    ));
                }
                other => other,
            },
            expose_sql_statements: env.boolean("KINSHIP_EXPOSE_SQL_STATEMENTS", false)?,
            bench_reference: env.boolean("KINSHIP_BENCH_REFERENCE", false)?,
            auth_failures_per_minute: env.number(
                "KINSHIP_AUTH_FAILURES_PER_MINUTE",
                30,
                1,
                100_000,
            )?,
            trust_forwarded_for: env.boolean("KINSHIP_TRUST_FORWARDED_FOR", false)?,
            graphiql: env.boolean("KINSHIP_GRAPHIQL", true)?,
            demo_key: match env.get("KINSHIP_DEMO_KEY") {
                Some(key) if !kinship_schema::api_keys::model::is_chosen_secret(&key) => {
                    return Err(env.error(
                        "KINSHIP_DEMO_KEY",
                        "kinship_ and at least 32 more characters, no spaces",
                        "(hidden)",
                    ));
                }
                other => other,
            },
            cors_origins: match env.get("KINSHIP_CORS_ORIGINS") {
                None => Vec::new(),
                Some(list) => {
                    let origins: Vec<String> = list
                        .split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_owned())
                        .filter(|o| !o.is_empty())
                        .collect();
                    let valid = origins
                        .iter()
                        .all(|o| o == "*" || o.starts_with("http://") || o.starts_with("https://"));
                    if !valid {
                        return Err(env.error(
                            "KINSHIP_CORS_ORIGINS",
                            "comma-separated origins such as https://portal.example.org, or *",
                            &list,
                        ));
                    }
                    origins
                }
            },
        })
    }

    /// The database settings for the pool.
    pub fn db_settings(&self) -> DbSettings {
        DbSettings {
            url: self.database_url.clone(),
            pool_size: self.pool_size,
            timeout: self.db_timeout,
        }
    }
}

/// Typed access to configuration variables.
struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    fn get(&self, var: &str) -> Option<String> {
        (self.0)(var).filter(|v| !v.trim().is_empty())
    }

    fn error(&self, var: &'static str, expected: &str, value: &str) -> ConfigError {
        ConfigError {
            var,
            expected: expected.to_owned(),
            value: value.to_owned(),
        }
    }

    fn parse<T: std::str::FromStr>(
        &self,
        var: &'static str,
        default: &str,
        expected: &str,
    ) -> Result<T, ConfigError> {
        let value = self.get(var).unwrap_or_else(|| default.to_owned());
        value
            .trim()
            .parse()
            .map_err(|_| self.error(var, expected, &value))
    }

    fn number<T>(&self, var: &'static str, default: T, min: T, max: T) -> Result<T, ConfigError>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let Some(value) = self.get(var) else {
            return Ok(default);
        };
        value
            .trim()
            .parse::<T>()
            .ok()
            .filter(|n| *n >= min && *n <= max)
            .ok_or_else(|| self.error(var, &format!("a whole number from {min} to {max}"), &value))
    }

    fn boolean(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self
            .get(var)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None => Ok(default),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some("false" | "0" | "no" | "off") => Ok(false),
            Some(other) => Err(self.error(var, "true or false", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_need_no_variables() {
        let c = config(&[]).expect("defaults are valid");
        assert_eq!(c.database_url, "kinship.db");
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.limits.max_depth, 12);
        assert!(c.otlp_endpoint.is_none());
    }

    #[test]
    fn a_wrong_value_names_the_variable_and_the_expectation() {
        let e = config(&[("KINSHIP_MAX_DEPTH", "deep")]).expect_err("rejected");
        assert_eq!(
            e.to_string(),
            "KINSHIP_MAX_DEPTH: expected a whole number from 1 to 100, got 'deep'"
        );
        let e = config(&[("KINSHIP_BIND", "localhost")]).expect_err("rejected");
        assert!(
            e.to_string()
                .starts_with("KINSHIP_BIND: expected an address")
        );
        let e = config(&[("KINSHIP_LOG_FORMAT", "xml")]).expect_err("rejected");
        assert_eq!(e.var, "KINSHIP_LOG_FORMAT");
        let e = config(&[("DATABASE_URL", "mysql://db/kinship")]).expect_err("rejected");
        assert_eq!(e.var, "DATABASE_URL");
        let e = config(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]).expect_err("rejected");
        assert_eq!(e.var, "OTEL_EXPORTER_OTLP_ENDPOINT");
        let e = config(&[("KINSHIP_DEMO_KEY", "kinship_short")]).expect_err("rejected");
        assert_eq!(e.var, "KINSHIP_DEMO_KEY");
        assert!(
            !e.to_string().contains("short"),
            "the key is not echoed: {e}"
        );
    }
}
