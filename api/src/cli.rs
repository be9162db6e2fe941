//! The `kinship` command line. Every command takes `--json` for machine-readable output on
//! stdout; messages for people go to stderr; a failure exits non-zero with one readable line.

use crate::config::Config;
use crate::{server, telemetry};
use clap::{Parser, Subcommand};
use kinship_schema::api_keys::model as keys;
use kinship_schema::auth::Scope;
use kinship_schema::db::{Db, Id, migrations};
use kinship_schema::meetings::import as meeting_import;
use kinship_schema::organizations::model as organizations;
use kinship_schema::relay::{NodeKind, decode_id_of, global_id};
use serde_json::{Value, json};
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Kinship: the GraphQL backend for recovery support groups.
#[derive(Debug, Parser)]
#[command(name = "kinship", version, about)]
pub struct Cli {
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates the database first).
    Serve {
        /// Address to listen on (overrides KINSHIP_BIND).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Load demo data into an empty database and print a demo API key.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage organizations.
    Org {
        /// The organization command.
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Manage API keys.
    Key {
        /// The key command.
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Import data into an organization.
    Import {
        /// What to import.
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Fill the database with realistic data for load tests: N meetings with their
    /// organizations (`seed-1`, ...), groups, members and attendance. The same N gives the same
    /// data. Prints an admin key of `seed-1`.
    Seed {
        /// How many meetings.
        #[arg(long)]
        scale: usize,
    },
    /// Print the GraphQL schema (SDL; with --json, `{"sdl": "..."}`).
    Schema,
}

/// Import commands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Sync an organization's meetings with a Meeting Guide JSON feed: adds new meetings,
    /// updates changed ones, sets those gone from the feed inactive, and reports malformed
    /// entries by line. Running it again with the same feed changes nothing.
    MeetingGuide {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// The feed file (`-` reads standard input).
        file: PathBuf,
        /// A label for the feed: each label is synced on its own.
        #[arg(long, default_value = meeting_import::DEFAULT_SOURCE)]
        source: String,
        /// Time zone (IANA) of entries without `timezone`.
        #[arg(long)]
        timezone: Option<String>,
        /// Program of entries whose type codes come without `program` (e.g. `aa`).
        #[arg(long)]
        program: Option<String>,
        /// Report what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Organization commands.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization and print its first admin API key (shown once).
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// Unique handle: lowercase letters, digits and hyphens.
        #[arg(long)]
        slug: String,
    },
}

/// API key commands.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key for an organization and print it (shown once).
    Create {
        /// The organization's slug.
        #[arg(long)]
        org: String,
        /// Comma-separated scopes: admin, read, write.
        #[arg(long, required = true, value_delimiter = ',', value_parser = Scope::parse)]
        scopes: Vec<Scope>,
        /// A label for the key.
        #[arg(long, default_value = "created with the CLI")]
        name: String,
    },
    /// Revoke an API key by id (its UUID, or its GraphQL id).
    Revoke {
        /// The key's id.
        id: String,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("kinship: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Serve { bind, demo } => serve(config, bind, demo, cli.json),
        _ => run(cli, &config).map(|out| print!("{out}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kinship: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Parses `args` (starting with the program name) and runs the command, returning its stdout.
/// `serve` is not available here.
pub fn run_args<I, T>(args: I, config: &Config) -> Result<String, String>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(args).map_err(|e| e.to_string())?;
    run(cli, config)
}

/// Runs every command but `serve`, returning what it prints on stdout.
pub fn run(cli: Cli, config: &Config) -> Result<String, String> {
    let json = cli.json;
    let (value, text) = match cli.command {
        Command::Serve { .. } => return Err("serve runs only from the binary".into()),
        Command::Schema => {
            let sdl = kinship_schema::sdl();
            return Ok(if json {
                format!("{}\n", json!({ "sdl": sdl }))
            } else {
                sdl
            });
        }
        Command::Migrate => {
            let applied = migrate(config)?.1;
            let text = if applied.is_empty() {
                "The database is up to date.".to_owned()
            } else {
                format!(
                    "Applied {} migration(s): {}",
                    applied.len(),
                    applied.join(", ")
                )
            };
            (json!({ "applied": applied }), text)
        }
        Command::Org {
            command: OrgCommand::Create { name, slug },
        } => {
            let (db, _) = migrate(config)?;
            let mut conn = db.conn().map_err(|e| e.message())?;
            let (org, key) = organizations::create_with_admin_key(&mut conn, &name, &slug)
                .map_err(|e| e.message())?;
            (
                json!({
                    "organization": {
                        "id": org.id,
                        "nodeId": global_id(NodeKind::Organization, org.id),
                        "slug": org.slug,
                        "name": org.name,
                    },
                    "apiKey": key.secret,
                }),
                format!(
                    "Created organization '{}' (slug {}, id {}).\nIts admin API key, shown only now:\n  {}",
                    org.name, org.slug, org.id, key.secret
                ),
            )
        }
        Command::Key {
            command: KeyCommand::Create { org, scopes, name },
        } => {
            let (db, _) = migrate(config)?;
            let mut conn = db.conn().map_err(|e| e.message())?;
            let organization = organizations::find_by_slug(&mut conn, &org)
                .map_err(|e| e.message())?
                .ok_or_else(|| format!("no organization with slug '{org}'"))?;
            let key = keys::create(&mut conn, organization.id, &name, &scopes)
                .map_err(|e| e.message())?;
            (
                json!({
                    "key": {
                        "id": key.row.id,
                        "nodeId": global_id(NodeKind::ApiKey, key.row.id),
                        "organization": organization.slug,
                        "scopes": key.row.scopes.split(',').collect::<Vec<_>>(),
                    },
                    "apiKey": key.secret,
                }),
                format!(
                    "Created API key {} for '{}' with scopes {}.\nThe key, shown only now:\n  {}",
                    key.row.id, organization.slug, key.row.scopes, key.secret
                ),
            )
        }
        Command::Import {
            command:
                ImportCommand::MeetingGuide {
                    org,
                    file,
                    source,
                    timezone,
                    program,
                    dry_run,
                },
        } => {
            let feed = read_input(&file)?;
            let (db, _) = migrate(config)?;
            let mut conn = db.conn().map_err(|e| e.message())?;
            let organization = organizations::find_by_slug(&mut conn, &org)
                .map_err(|e| e.message())?
                .ok_or_else(|| format!("no organization with slug '{org}'"))?;
            let options = meeting_import::ImportOptions {
                source,
                defaults: meeting_import::Defaults { timezone, program },
                dry_run,
            };
            let bar = progress_bar(json, "meetings");
            let report = meeting_import::meeting_guide(
                &mut conn,
                organization.id,
                &feed,
                &options,
                "cli import",
                &mut |done, total| {
                    bar.set_length(total as u64);
                    bar.set_position(done as u64);
                },
            )
            .map_err(|e| e.message())?;
            bar.finish_and_clear();
            let value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
            (value, import_text(&report, &file, &organization.slug))
        }
        Command::Seed { scale } => {
            let (db, _) = migrate(config)?;
            let mut conn = db.conn().map_err(|e| e.message())?;
            let bar = progress_bar(json, "meetings");
            let started = std::time::Instant::now();
            let report = kinship_schema::seed::seed(&mut conn, scale, &mut |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })
            .map_err(|e| e.message())?;
            bar.finish_and_clear();
            let seconds = started.elapsed().as_secs_f64();
            let mut value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
            value["seconds"] = json!((seconds * 10.0).round() / 10.0);
            let text = format!(
                "Seeded {} meetings, {} groups, {} members, {} memberships and {} attendance records \
                 in {} organizations (seed-1 ...) in {seconds:.1} s.\n\
                 An admin API key of seed-1, shown only now:\n  {}",
                report.meetings,
                report.groups,
                report.members,
                report.memberships,
                report.attendance,
                report.organizations,
                report.admin_key,
            );
            (value, text)
        }
        Command::Key {
            command: KeyCommand::Revoke { id },
        } => {
            let key_id = parse_key_id(&id)?;
            let (db, _) = migrate(config)?;
            let mut conn = db.conn().map_err(|e| e.message())?;
            let row = keys::revoke_any(&mut conn, key_id).map_err(|e| e.message())?;
            (
                json!({ "key": { "id": row.id, "revokedAt": row.revoked_at.map(|t| t.0) } }),
                format!("Revoked API key {}.", row.id),
            )
        }
    };
    Ok(render(json, &value, &text))
}

fn render(json: bool, value: &Value, text: &str) -> String {
    if json {
        format!("{value}\n")
    } else {
        format!("{text}\n")
    }
}

/// A progress bar on standard error, drawn only on a terminal and never with `--json`.
fn progress_bar(json: bool, unit: &str) -> indicatif::ProgressBar {
    if json {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{bar:40}} {{pos}}/{{len}} {unit} ({{eta}} left)"
    )) {
        bar.set_style(style);
    }
    bar
}

/// The text of a file, or of standard input for `-`.
fn read_input(path: &Path) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The import report for people: counts, then each rejected entry and warning on its line.
fn import_text(report: &meeting_import::ImportReport, file: &Path, org: &str) -> String {
    let mut text = format!(
        "{} {} entries ({} meetings) from {} into '{org}' (source {}):\n  \
         added {}, updated {}, unchanged {}, removed {}",
        if report.dry_run {
            "Dry run, nothing written:"
        } else {
            "Imported"
        },
        report.entries,
        report.meetings,
        file.display(),
        report.source,
        report.added,
        report.updated,
        report.unchanged,
        report.removed,
    );
    for (title, problems) in [
        ("Rejected", &report.rejected),
        ("Imported with warnings", &report.warnings),
    ] {
        if problems.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{title} ({}):", problems.len()));
        for problem in problems {
            let slug = problem
                .slug
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            text.push_str(&format!(
                "\n  line {}{slug}: {}",
                problem.line, problem.message
            ));
        }
    }
    text
}

fn parse_key_id(id: &str) -> Result<Id, String> {
    if let Ok(uuid) = uuid::Uuid::parse_str(id) {
        return Ok(Id(uuid));
    }
    decode_id_of(NodeKind::ApiKey, &async_graphql::ID(id.to_owned()), "id")
        .map_err(|_| format!("'{id}' is neither an API key's UUID nor its GraphQL id"))
}

/// Hides the password of a database URL for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..scheme], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Connects to the database and applies pending migrations.
pub fn migrate(config: &Config) -> Result<(Db, Vec<String>), String> {
    let db = Db::connect(&config.db_settings()).map_err(|e| {
        format!(
            "cannot connect to the database at {}: {e}",
            redact(&config.database_url)
        )
    })?;
    let mut conn = db.conn().map_err(|e| e.message())?;
    let applied = migrations::run_pending(&mut conn)
        .map_err(|e| format!("cannot migrate the database: {e}"))?;
    Db::check_writes(&mut conn).map_err(|e| {
        format!(
            "the database at {} does not take writes (a full disk, files that cannot be written, or a read-only server?): {}",
            redact(&config.database_url),
            match e {
                kinship_schema::error::ApiError::Unavailable(detail)
                | kinship_schema::error::ApiError::Internal(detail) => detail,
                other => other.message(),
            }
        )
    })?;
    kinship_schema::meetings::horizon::extend(&mut conn, chrono::Utc::now())
        .map_err(|e| format!("cannot write upcoming meeting times: {}", e.message()))?;
    drop(conn);
    Ok((db, applied))
}

fn serve(
    mut config: Config,
    bind: Option<SocketAddr>,
    demo: bool,
    json: bool,
) -> Result<(), String> {
    if let Some(bind) = bind {
        config.bind = bind;
    }
    let telemetry = telemetry::init(&config)?;
    // The port first: a start that cannot listen leaves the database as it was.
    let listener = std::net::TcpListener::bind(config.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let (db, applied) = migrate(&config)?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "database migrated");
    }
    let demo = if demo {
        let mut conn = db.conn().map_err(|e| e.message())?;
        Some(
            kinship_schema::demo::load(&mut conn, config.demo_key.as_deref())
                .map_err(|e| e.message())?,
        )
    } else {
        None
    };
    let result = actix_web::rt::System::new().block_on(async move {
        let (server, addrs) = server::start(&config, db, listener)
            .map_err(|e| format!("cannot serve on {}: {e}", config.bind))?;
        let base = addrs
            .first()
            .map(|a| format!("http://{a}"))
            .unwrap_or_default();
        let mut value = json!({ "url": format!("{base}/graphql"), "graphiql": format!("{base}/graphiql") });
        let database = shown_database(&config.database_url);
        value["database"] = json!(database);
        let mut text = format!("Kinship is listening on {base}\n  GraphQL:  {base}/graphql\n  GraphiQL: {base}/graphiql\n  Database: {database}");
        if let Some(demo) = &demo {
            value["demo"] = json!({
                "organization": { "id": demo.organization.id, "slug": demo.organization.slug },
                "apiKey": demo.key.secret,
            });
            text.push_str(&format!(
                "\nDemo organization '{}' {}. Its admin API key ({}):\n  {}\n\
                 In GraphiQL, open Headers and paste {{\"Authorization\": \"Bearer {}\"}}",
                demo.organization.slug,
                if demo.loaded { "loaded" } else { "already present" },
                match config.demo_key {
                    Some(_) => "KINSHIP_DEMO_KEY's, the same at every start",
                    None => "a new one at every start; set KINSHIP_DEMO_KEY to keep one",
                },
                demo.key.secret,
                demo.key.secret,
            ));
        }
        print!("{}", render(json, &value, &text));
        server.await.map_err(|e| format!("server error: {e}"))
    });
    tracing::info!("server stopped");
    telemetry.shutdown();
    result
}

/// The database as the banner shows it: a SQLite file by its absolute path, a server's URL
/// without its password.
fn shown_database(url: &str) -> String {
    match kinship_schema::db::BackendKind::from_url(url) {
        kinship_schema::db::BackendKind::Postgres => redact(url),
        kinship_schema::db::BackendKind::Sqlite => {
            let path = kinship_schema::db::sqlite_path(url);
            std::path::absolute(path)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| path.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://kin:s3cret@db:5432/kinship"),
            "postgres://kin:***@db:5432/kinship"
        );
        assert_eq!(redact("kinship.db"), "kinship.db");
    }
}
