//! Starting the `kinship` binary as an operator would: the port is bound before anything is
//! migrated or written, so a start that cannot listen leaves no database behind, and the
//! banner names the database by its absolute path.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kinship-start-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn a_start_that_cannot_listen_writes_nothing() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = scratch("taken");
    let output = Command::new(env!("CARGO_BIN_EXE_kinship"))
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .current_dir(&dir)
        .env("DATABASE_URL", "kinship.db")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .output()
        .expect("run kinship");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("cannot listen on"), "{said}");
    assert!(
        !dir.join("kinship.db").exists(),
        "no database was created: {:?}",
        std::fs::read_dir(&dir).map(|d| d.count())
    );
}

#[test]
fn the_banner_names_the_database_by_its_absolute_path() {
    let dir = scratch("banner");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kinship"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(&dir)
        .env("DATABASE_URL", "kinship.db")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run kinship");
    let stdout = child.stdout.take().expect("stdout");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut banner = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        banner.push_str(&line);
        banner.push('\n');
        if line.contains("Database:") || Instant::now() > deadline {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let expected = std::path::absolute(dir.join("kinship.db")).expect("absolute");
    assert!(
        banner.contains(&format!("Database: {}", expected.display())),
        "{banner}"
    );
}
