//! The data layer: both migration folders describe the same tables, every migration goes up,
//! down and up again, and an unreachable database gives readable errors instead of hangs.

use diesel::sql_types::{Integer, Text};
use diesel::{QueryableByName, RunQueryDsl};
use kinship_schema::db::{DbConnection, migrations};
use kinship_tests::serde_json::{Value, json};
use kinship_tests::{Backend, TestApp, TestDatabase, code, test_config};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
}

fn open(db: &TestDatabase) -> DbConnection {
    DbConnection::open(&db.url, Duration::from_secs(5)).expect("connect")
}

/// Whether a column belongs to a text search index, which each database builds its own way:
/// PostgreSQL as a `search_document` column, SQLite as FTS5 tables with their keys.
fn in_text_index(c: &Column) -> bool {
    c.column_name == "search_document"
        || c.table_name.starts_with("meeting_search")
        || c.table_name.starts_with("group_search")
}

/// Every (table, column, NOT NULL) of the application's tables, but the text search indexes.
fn columns(conn: &mut DbConnection) -> BTreeSet<Column> {
    let rows: Vec<Column> = match conn {
        DbConnection::Pg(pg) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
        )
        .load(pg),
        DbConnection::Sqlite(lite) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, p.\"notnull\" AS not_null \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '__diesel_schema_migrations'",
        )
        .load(lite),
    }
    .expect("introspect");
    rows.into_iter().filter(|c| !in_text_index(c)).collect()
}

fn migrated_columns(backend: Backend) -> Option<BTreeSet<Column>> {
    let db = TestDatabase::create(backend)?;
    let mut conn = open(&db);
    migrations::run_pending(&mut conn).expect("migrate");
    Some(columns(&mut conn))
}

#[test]
fn both_migration_folders_yield_the_same_tables_and_columns() {
    let sqlite = migrated_columns(Backend::Sqlite).expect("SQLite always runs");
    assert!(sqlite.iter().any(|c| c.table_name == "organizations"));
    let Some(postgres) = migrated_columns(Backend::Postgres) else {
        eprintln!("skipped: {} is not set", kinship_tests::POSTGRES_URL_VAR);
        return;
    };
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "migrations differ:\n only in SQLite: {only_sqlite:?}\n only in PostgreSQL: {only_postgres:?}"
    );
}

fn up_down_up(backend: Backend) {
    let Some(db) = TestDatabase::create(backend) else {
        eprintln!("skipped: {} is not set", kinship_tests::POSTGRES_URL_VAR);
        return;
    };
    let mut conn = open(&db);
    let applied = migrations::run_pending(&mut conn).expect("up");
    assert!(!applied.is_empty());
    let after_up = columns(&mut conn);
    let reverted = migrations::revert_all(&mut conn).expect("down");
    assert_eq!(reverted.len(), applied.len(), "every migration goes down");
    assert!(columns(&mut conn).is_empty(), "down removes every table");
    migrations::run_pending(&mut conn).expect("up again");
    assert_eq!(columns(&mut conn), after_up);
}

#[test]
fn every_migration_goes_up_down_and_up_on_sqlite() {
    up_down_up(Backend::Sqlite);
}

#[test]
fn every_migration_goes_up_down_and_up_on_postgres() {
    up_down_up(Backend::Postgres);
}

#[test]
fn instances_starting_together_migrate_once() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(db) = TestDatabase::create(backend) else {
            continue;
        };
        let config = test_config(&db.url);
        let applied: Vec<Vec<String>> = std::thread::scope(|scope| {
            let starts: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| kinship_api::cli::migrate(&config).map(|(_, applied)| applied))
                })
                .collect();
            starts
                .into_iter()
                .map(|s| s.join().expect("no panic").expect("every instance starts"))
                .collect()
        });
        let migrated_by = applied.iter().filter(|a| !a.is_empty()).count();
        assert_eq!(
            migrated_by, 1,
            "{backend:?}: exactly one instance applies the migrations"
        );
    }
}

#[test]
fn an_unreachable_database_is_reported_at_start_without_hanging() {
    let config = test_config("postgres://kinship:secret@127.0.0.1:1/kinship");
    let started = Instant::now();
    let error = kinship_api::cli::migrate(&config)
        .err()
        .expect("no database there");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(error.contains("cannot connect to the database"), "{error}");
    assert!(
        error.contains("kinship:***@127.0.0.1:1"),
        "the password is hidden: {error}"
    );
    assert!(!error.contains("secret"), "{error}");
    assert!(
        error.to_lowercase().contains("refused"),
        "the real cause is kept: {error}"
    );
}

#[test]
fn a_database_lost_at_request_time_answers_unavailable() {
    let Some(mut app) = TestApp::start(Backend::Postgres, |_| {}) else {
        eprintln!("skipped: {} is not set", kinship_tests::POSTGRES_URL_VAR);
        return;
    };
    let key = app.admin_key("clinic");
    app.query(Some(&key), "{ viewer { kind } }", json!({}));
    app.database.drop_now();

    let started = Instant::now();
    let ready = app.client.get(app.url("/readyz")).send().expect("answer");
    assert_eq!(ready.status(), 503);
    let (status, body): (u16, Value) = app.post(Some(&key), "{ viewer { kind } }", json!({}));
    assert_eq!(status, 503, "{body}");
    assert_eq!(code(&body["errors"][0]), "UNAVAILABLE");
    assert!(
        !body.to_string().contains("kinship_test_"),
        "no internals leak: {body}"
    );
    assert!(started.elapsed() < Duration::from_secs(15), "no hang");
    let anonymous = app.query(None, "{ viewer { kind } }", json!({}));
    assert_eq!(
        anonymous["viewer"]["kind"], "ANONYMOUS",
        "public answers need no database"
    );
}

#[test]
fn the_pool_recovers_when_connections_are_cut() {
    let Some(app) = TestApp::start(Backend::Postgres, |_| {}) else {
        eprintln!("skipped: {} is not set", kinship_tests::POSTGRES_URL_VAR);
        return;
    };
    let key = app.admin_key("clinic");
    // Fill the pool with connections, then cut them all.
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| app.query(Some(&key), "{ viewer { kind } }", json!({})));
        }
    });
    app.database.terminate_connections();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (status, body) = app.post(
            Some(&key),
            "{ viewer { organization { slug } } }",
            json!({}),
        );
        if status != 200 {
            assert_eq!(
                status, 503,
                "a lost connection is UNAVAILABLE, never INTERNAL: {body}"
            );
            assert_eq!(code(&body["errors"][0]), "UNAVAILABLE");
        }
        statuses.push(status);
    }
    assert!(
        statuses.iter().filter(|s| **s != 200).count() <= 1,
        "one failure retires every connection opened before the cut: {statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&200));
    let ready = app.client.get(app.url("/readyz")).send().expect("answer");
    assert_eq!(ready.status(), 200);
}

#[test]
fn ids_and_timestamps_round_trip_on_both_backends() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(db) = TestDatabase::create(backend) else {
            continue;
        };
        let mut conn = open(&db);
        migrations::run_pending(&mut conn).expect("migrate");
        let (org, key) = kinship_schema::organizations::model::create_with_admin_key(
            &mut conn,
            "Round Trip",
            "round-trip",
        )
        .expect("create");
        let found = kinship_schema::organizations::model::find_by_slug(&mut conn, "round-trip")
            .expect("query")
            .expect("found");
        assert_eq!(found.id, org.id, "{backend:?}");
        assert_eq!(found.created_at, org.created_at, "{backend:?}");
        let keys =
            kinship_schema::api_keys::model::find_many(&mut conn, &[key.row.id]).expect("keys");
        assert_eq!(keys[0].created_at, key.row.created_at, "{backend:?}");
    }
}

/// The window of the demo's next occurrence of a meeting: a minute either side of its start.
fn next_occurrence_window(app: &TestApp) -> (String, String) {
    let data = app.query(
        None,
        "{ meetings(first: 1) { edges { nextOccurrence { start } } } }",
        json!({}),
    );
    let start: chrono::DateTime<chrono::Utc> =
        data["meetings"]["edges"][0]["nextOccurrence"]["start"]
            .as_str()
            .expect("a next occurrence")
            .parse()
            .expect("an instant");
    let minute = chrono::Duration::minutes(1);
    ((start - minute).to_rfc3339(), (start + minute).to_rfc3339())
}

#[test]
fn a_horizon_never_filled_is_filled_at_start() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = TestApp::start(backend, |_| {}) else {
            continue;
        };
        app.load_demo();
        let (from, to) = next_occurrence_window(&app);
        let search = "query($from: DateTime!, $to: DateTime!) { meetings(filter: { startsBetween: { from: $from, to: $to } }) { totalCount } }";
        let window = json!({ "from": from, "to": to });
        assert_eq!(
            app.query(None, search, window.clone())["meetings"]["totalCount"],
            1,
            "{backend:?}"
        );
        let mut conn = open(&app.database);
        diesel::sql_query("DELETE FROM meeting_occurrences")
            .execute(&mut conn)
            .expect("forget the occurrences");
        diesel::sql_query("UPDATE occurrence_horizon SET until_micros = 0")
            .execute(&mut conn)
            .expect("as if never filled");
        assert_eq!(
            app.query(None, search, window.clone())["meetings"]["totalCount"],
            0,
            "{backend:?}: the search reads the stored occurrences"
        );
        kinship_api::cli::migrate(&app.config).expect("start again");
        assert_eq!(
            app.query(None, search, window)["meetings"]["totalCount"],
            1,
            "{backend:?}: the occurrence is stored again"
        );
    }
}

#[derive(QueryableByName, Debug)]
struct Span {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    first: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    last: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    until: i64,
}

#[test]
fn the_horizon_moves_forward_a_day_at_a_time() {
    use kinship_schema::meetings::horizon;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = TestApp::start(backend, |_| {}) else {
            continue;
        };
        app.load_demo();
        let mut conn = open(&app.database);
        let span = |conn: &mut DbConnection| -> Span {
            diesel::sql_query(
                "SELECT MIN(start_micros) AS first, MAX(start_micros) AS last, \
                 (SELECT until_micros FROM occurrence_horizon) AS until FROM meeting_occurrences",
            )
            .get_result(conn)
            .expect("span")
        };
        let now = chrono::Utc::now();
        let before = span(&mut conn);
        let until = horizon::extend(&mut conn, now).expect("extend");
        assert_eq!(
            horizon::micros(until),
            before.until,
            "{backend:?}: extended at start, so nothing to do now"
        );
        let later = now + chrono::Duration::days(20);
        let until = horizon::extend(&mut conn, later).expect("extend");
        assert_eq!(until, later + chrono::Duration::days(horizon::HORIZON_DAYS));
        let after = span(&mut conn);
        assert_eq!(after.until, horizon::micros(until), "{backend:?}");
        assert!(
            after.last >= before.last + chrono::Duration::days(14).num_microseconds().unwrap_or(0),
            "{backend:?}: weekly meetings continue two weeks further (the horizon moved 20 days): {before:?} {after:?}"
        );
        assert!(
            after.first >= horizon::micros(later - horizon::kept_past()),
            "{backend:?}: occurrences that are over are dropped"
        );
    }
}

/// A stored occurrence's start, read back for comparison.
#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct StoredStart {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    start_micros: i64,
}

#[test]
fn a_meeting_changed_while_the_horizon_moves_keeps_every_occurrence_once() {
    use kinship_schema::meetings::horizon;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = TestApp::start(backend, |_| {}) else {
            continue;
        };
        let key = app.load_demo();
        let mut conn = open(&app.database);
        let later = chrono::Utc::now() + chrono::Duration::days(20);
        let target = later + chrono::Duration::days(horizon::HORIZON_DAYS);
        // An extension to `target` has begun (its first step records the target) when the
        // meeting changes.
        diesel::sql_query(format!(
            "UPDATE occurrence_horizon SET extending_to_micros = {}",
            horizon::micros(target)
        ))
        .execute(&mut conn)
        .expect("extension begun");
        let id = app.query(
            Some(&key),
            "{ meetings(first: 1, filter: { text: \"Tuesday\" }) { edges { node { id } } } }",
            json!({}),
        )["meetings"]["edges"][0]["node"]["id"]
            .clone();
        let rename = "mutation($id: ID!, $n: String!) { updateMeeting(input: { id: $id, name: $n }) { id } }";
        app.query(Some(&key), rename, json!({ "id": id, "n": "Renamed" }));
        let meeting_id: String = {
            #[derive(QueryableByName)]
            struct Found {
                #[diesel(sql_type = Text)]
                id: String,
            }
            let cast = match backend {
                Backend::Postgres => "id::text",
                Backend::Sqlite => "lower(hex(id))",
            };
            diesel::sql_query(format!(
                "SELECT {cast} AS id FROM meetings WHERE name = 'Renamed'"
            ))
            .get_result::<Found>(&mut conn)
            .expect("the renamed meeting")
            .id
        };
        let stored = |conn: &mut DbConnection| -> Vec<StoredStart> {
            let matches = match backend {
                Backend::Postgres => format!("meeting_id::text = '{meeting_id}'"),
                Backend::Sqlite => format!("lower(hex(meeting_id)) = '{meeting_id}'"),
            };
            let mut starts: Vec<StoredStart> = diesel::sql_query(format!(
                "SELECT start_micros FROM meeting_occurrences WHERE {matches} AND start_micros >= {}",
                horizon::micros(later - horizon::kept_past())
            ))
            .load(conn)
            .expect("occurrences");
            starts.sort();
            starts
        };
        let written = stored(&mut conn);
        assert!(
            written
                .last()
                .is_some_and(|s| s.start_micros > horizon::micros(later)),
            "{backend:?}: the change wrote up to the extension's target: {written:?}"
        );
        // The extension runs on, reaching the meeting after its change.
        let until = horizon::extend(&mut conn, later).expect("extend");
        assert_eq!(until, target, "{backend:?}");
        let extended = stored(&mut conn);
        assert_eq!(
            written, extended,
            "{backend:?}: nothing lost, nothing twice"
        );
        // A rewrite now gives the same occurrences.
        app.query(
            Some(&key),
            rename,
            json!({ "id": id, "n": "Renamed again" }),
        );
        assert_eq!(stored(&mut conn), extended, "{backend:?}");
    }
}
