//! The test harness: [`TestApp`] starts the real Kinship server (the same routes, schema and
//! database code as `kinship serve`) on an ephemeral port against a fresh database, and
//! [`spec!`] runs one specification on SQLite and, when `KINSHIP_TEST_POSTGRES_URL` is set, on
//! PostgreSQL (a new database per test, dropped afterwards).

use diesel::{Connection, PgConnection, RunQueryDsl};
use kinship_api::config::Config;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use serde_json;

/// The environment variable naming the PostgreSQL server tests may create databases on.
pub const POSTGRES_URL_VAR: &str = "KINSHIP_TEST_POSTGRES_URL";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a fresh temporary directory.
    Sqlite,
    /// A fresh database on the server of `KINSHIP_TEST_POSTGRES_URL`.
    Postgres,
}

/// A database made for one test, removed when dropped.
pub struct TestDatabase {
    /// The `DATABASE_URL` of the test database.
    pub url: String,
    backend: Backend,
    dir: Option<PathBuf>,
    pg_admin_url: Option<String>,
    pg_name: Option<String>,
}

/// The URL of the database `name` on the same server as `url`.
pub fn with_database_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

impl TestDatabase {
    /// A fresh, empty database; `None` for PostgreSQL when `KINSHIP_TEST_POSTGRES_URL` is unset
    /// (outside CI: with `CI=true` that fails instead).
    pub fn create(backend: Backend) -> Option<TestDatabase> {
        let name = format!("kinship_test_{}", uuid::Uuid::new_v4().simple());
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("create a temporary directory");
                Some(TestDatabase {
                    url: dir.join("kinship.db").to_string_lossy().into_owned(),
                    backend,
                    dir: Some(dir),
                    pg_admin_url: None,
                    pg_name: None,
                })
            }
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
                    // In CI a missing PostgreSQL must fail the run, never skip half of it.
                    assert!(
                        std::env::var("CI").as_deref() != Ok("true"),
                        "CI=true but {POSTGRES_URL_VAR} is unset: the PostgreSQL half of the specs cannot run"
                    );
                    return None;
                };
                let mut admin = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}={admin_url}: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create the test database");
                Some(TestDatabase {
                    url: with_database_name(&admin_url, &name),
                    backend,
                    dir: None,
                    pg_admin_url: Some(admin_url),
                    pg_name: Some(name),
                })
            }
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Cuts every connection to a PostgreSQL test database (as a restart or an operator would),
    /// leaving the database in place.
    pub fn terminate_connections(&self) {
        if let (Some(admin_url), Some(name)) = (self.pg_admin_url.as_ref(), self.pg_name.as_ref()) {
            let mut admin = PgConnection::establish(admin_url).expect("admin connection");
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .execute(&mut admin)
            .expect("terminate connections");
        }
    }

    /// Drops a PostgreSQL test database now, cutting its connections (to simulate an outage).
    pub fn drop_now(&mut self) {
        if let (Some(admin_url), Some(name)) = (self.pg_admin_url.as_ref(), self.pg_name.take())
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        self.drop_now();
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A configuration for tests: an ephemeral port, two workers, short timeouts.
pub fn test_config(database_url: &str) -> Config {
    let mut config = Config::from_lookup(|_| None).expect("default configuration");
    config.database_url = database_url.to_owned();
    config.bind = "127.0.0.1:0".parse().expect("address");
    config.workers = 2;
    config.pool_size = 4;
    config.db_timeout = Duration::from_secs(2);
    config.shutdown_timeout = Duration::from_secs(1);
    config.expose_sql_statements = true;
    config
}

/// The real server, running on its own thread against its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The configuration it runs with (CLI commands in tests reuse it).
    pub config: Config,
    /// An HTTP client.
    pub client: reqwest::blocking::Client,
    server: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<()>>,
    /// The database; dropped after the server stops.
    pub database: TestDatabase,
}

impl TestApp {
    /// Starts the server on `backend` with the test configuration changed by `configure`;
    /// `None` for PostgreSQL when `KINSHIP_TEST_POSTGRES_URL` is unset.
    pub fn start(backend: Backend, configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let database = TestDatabase::create(backend)?;
        let mut config = test_config(&database.url);
        configure(&mut config);
        let (db, _) = kinship_api::cli::migrate(&config).expect("connect and migrate");
        let (sender, receiver) = mpsc::channel();
        let server_config = config.clone();
        let thread = std::thread::spawn(move || {
            let result = actix_web::rt::System::new().block_on(async move {
                let (server, addrs) = kinship_api::server::start(
                    &server_config,
                    db,
                    std::net::TcpListener::bind(server_config.bind).expect("bind the server"),
                )
                .expect("start the server");
                sender
                    .send((server.handle(), addrs[0]))
                    .expect("report the address");
                server.await
            });
            result.expect("the server ran");
        });
        let (server, addr) = receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the server started");
        Some(TestApp {
            base_url: format!("http://{addr}"),
            config,
            client: reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            server,
            thread: Some(thread),
            database,
        })
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// POSTs a GraphQL request, with a bearer token when given; returns status and body.
    pub fn post(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().expect("a JSON body"))
    }

    /// POSTs a JSON body (one operation or a batch) with an optional bearer token; returns the
    /// status, the `Retry-After` header and the body.
    pub fn post_body(&self, token: Option<&str>, body: &Value) -> (u16, Option<String>, Value) {
        let mut request = self.client.post(self.url("/graphql")).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().expect("the server answers");
        let status = response.status().as_u16();
        let retry = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap_or("").to_owned());
        (status, retry, response.json().expect("a JSON body"))
    }

    /// Runs a GraphQL operation that must succeed; returns its `data`.
    pub fn query(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(token, query, variables);
        assert_eq!(status, 200, "unexpected status; body: {body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Runs a GraphQL operation that must fail; returns its first error.
    pub fn query_error(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let (_, body) = self.post(token, query, variables);
        body["errors"][0].clone()
    }

    /// Runs a CLI command (`["org", "create", ...]`) against this app's database; with `--json`
    /// its output is parsed.
    pub fn cli(&self, args: &[&str]) -> Result<String, String> {
        let argv = std::iter::once("kinship").chain(args.iter().copied());
        kinship_api::cli::run_args(argv, &self.config)
    }

    /// Creates an organization with the CLI; returns its JSON (`organization`, `apiKey`).
    pub fn create_org(&self, slug: &str) -> Value {
        let out = self
            .cli(&[
                "--json",
                "org",
                "create",
                "--name",
                &format!("Org {slug}"),
                "--slug",
                slug,
            ])
            .expect("org create");
        serde_json::from_str(&out).expect("org create prints JSON")
    }

    /// Loads the demo data (as `kinship serve --demo` does); returns the demo admin key.
    pub fn load_demo(&self) -> String {
        let (db, _) = kinship_api::cli::migrate(&self.config).expect("connect");
        let mut conn = db.conn().expect("a connection");
        kinship_schema::demo::load(&mut conn, None)
            .expect("demo data")
            .key
            .secret
    }

    /// Creates (or updates) a member of the key's organization with `upsertMember`, speaking
    /// English; returns its id.
    pub fn member(&self, key: &str, external_ref: &str, name: &str, role: &str) -> String {
        let data = self.query(
            Some(key),
            "mutation($input: UpsertMemberInput!) { upsertMember(input: $input) { id } }",
            json!({ "input": { "externalRef": external_ref, "displayName": name, "role": role, "languages": ["en"] } }),
        );
        data["upsertMember"]["id"].as_str().expect("id").to_owned()
    }

    /// A member token for a member, minted with the organization's key.
    pub fn member_token(&self, key: &str, member_id: &str) -> String {
        let data = self.query(
            Some(key),
            "mutation($m: ID!) { issueMemberToken(input: { memberId: $m }) { token } }",
            json!({ "m": member_id }),
        );
        data["issueMemberToken"]["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Creates a member (as [`TestApp::member`] does) and a member token for it: `(id, token)`.
    pub fn member_with_token(
        &self,
        key: &str,
        external_ref: &str,
        name: &str,
        role: &str,
    ) -> (String, String) {
        let id = self.member(key, external_ref, name, role);
        let token = self.member_token(key, &id);
        (id, token)
    }

    /// Creates a public group of the key's organization; its global id.
    pub fn public_group(&self, key: &str, name: &str) -> String {
        self.query(
            Some(key),
            "mutation($n: String!) { createGroup(input: { name: $n, visibility: PUBLIC }) { id } }",
            json!({ "n": name }),
        )["createGroup"]["id"]
            .as_str()
            .expect("a group id")
            .to_owned()
    }

    /// Creates a meeting from `input` (a `CreateMeetingInput`, such as [`weekly_meeting`]'s
    /// with changes); its id, or the first error.
    pub fn create_meeting(&self, key: &str, input: Value) -> Result<String, Value> {
        let (_, body) = self.post(
            Some(key),
            "mutation($input: CreateMeetingInput!) { createMeeting(input: $input) { id } }",
            json!({ "input": input }),
        );
        match body["data"]["createMeeting"]["id"].as_str() {
            Some(id) => Ok(id.to_owned()),
            None => Err(body["errors"][0].clone()),
        }
    }

    /// Creates an organization and returns its admin key.
    pub fn admin_key(&self, slug: &str) -> String {
        self.create_org(slug)["apiKey"]
            .as_str()
            .expect("an API key")
            .to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let stop = self.server.stop(false);
        actix_web::rt::System::new().block_on(stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A `CreateMeetingInput` for `group`: online, in New York time, every Tuesday at 19:00 from
/// 2026-01-06, each of `changes`' keys replacing the default's.
pub fn weekly_meeting(group: &str, changes: Value) -> Value {
    let input = json!({
        "groupId": group,
        "name": "Tuesday night",
        "timezone": "America/New_York",
        "attendanceMode": "ONLINE",
        "online": { "url": "https://meet.example.org/t" },
        "schedule": { "rrule": "FREQ=WEEKLY;BYDAY=TU", "startTime": "19:00", "durationMinutes": 60, "startsOn": "2026-01-06" },
    });
    merged(input, changes)
}

/// `base` with each of `changes`' keys replacing its own (both JSON objects).
pub fn merged(mut base: Value, changes: Value) -> Value {
    if let (Some(base), Value::Object(changes)) = (base.as_object_mut(), changes) {
        base.extend(changes);
    }
    base
}

/// The error code of a GraphQL error.
pub fn code(error: &Value) -> &str {
    error["extensions"]["code"].as_str().unwrap_or("")
}

/// Declares a specification that runs on SQLite and on PostgreSQL:
/// `spec!(name, |app| { ... })`, or with a configuration change:
/// `spec!(name, config = |c| c.limits.max_depth = 5, |app| { ... })`.
#[macro_export]
macro_rules! spec {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::spec!($name, config = |_| {}, |$app| $body);
    };
    ($name:ident, config = $configure:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let $app = $crate::TestApp::start($crate::Backend::Sqlite, $configure)
                    .expect("SQLite always runs");
                $body
            }

            #[test]
            fn postgres() {
                let Some($app) = $crate::TestApp::start($crate::Backend::Postgres, $configure)
                else {
                    eprintln!("skipped: {} is not set", $crate::POSTGRES_URL_VAR);
                    return;
                };
                $body
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            with_database_name("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database_name("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(with_database_name("postgres://h", "t3"), "postgres://h/t3");
    }
}
