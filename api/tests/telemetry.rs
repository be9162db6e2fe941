//! The `kinship` binary, run as an operator would: traces reach an OTLP collector, SIGTERM
//! stops the server gracefully and flushes them, and neither logs nor spans carry query
//! variables, query strings or tokens.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MARKER: &str = "Zebra-Marker-7731";

/// The path and body of every request the stand-in collector received.
type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A stand-in OTLP/HTTP collector: records the path and body of every request it receives.
fn fake_collector() -> (String, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let sink = sink.clone();
            std::thread::spawn(move || serve_connection(stream, &sink));
        }
    });
    (url, received)
}

fn serve_connection(stream: TcpStream, sink: &Mutex<Vec<(String, Vec<u8>)>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_owned();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        sink.lock().expect("lock").push((path, body));
        let _ = writer.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n",
        );
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn traces_are_exported_flushed_on_sigterm_and_carry_no_request_content() {
    let (collector, received) = fake_collector();
    let dir = std::env::temp_dir().join(format!("kinship-telemetry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kinship"))
        .args(["--json", "serve", "--demo"])
        .env("DATABASE_URL", dir.join("kinship.db"))
        .env("KINSHIP_BIND", "127.0.0.1:0")
        .env("KINSHIP_LOG", "trace")
        .env("KINSHIP_LOG_FORMAT", "json")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &collector)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kinship");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut banner = String::new();
    stdout.read_line(&mut banner).expect("banner");
    let banner: Value = serde_json::from_str(&banner).expect("the banner is JSON");
    let url = banner["url"].as_str().expect("url").to_owned();
    let key = banner["demo"]["apiKey"]
        .as_str()
        .expect("demo key")
        .to_owned();

    let client = reqwest::blocking::Client::new();
    let created: Value = client
        .post(&url)
        .bearer_auth(&key)
        .json(&json!({
            "query": "mutation($name: String!) { createApiKey(input: { name: $name, scopes: [READ] }) { apiKey { id } } }",
            "variables": { "name": MARKER }
        }))
        .send()
        .expect("answer")
        .json()
        .expect("json");
    assert!(
        created["data"]["createApiKey"]["apiKey"]["id"].is_string(),
        "{created}"
    );
    let status = client
        .get(&url)
        .query(&[
            ("query", "query($x: String) { viewer { kind } }"),
            ("variables", &format!("{{\"x\": \"{MARKER}\"}}")),
        ])
        .send()
        .expect("answer")
        .status();
    assert_eq!(status, 200);

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "kinship did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "kinship exits cleanly on SIGTERM: {exit:?}");

    let mut logs = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut logs)
        .expect("logs");
    assert!(
        logs.contains("request finished"),
        "access logs are written: {logs}"
    );
    assert!(
        !logs.contains(MARKER),
        "logs carry no variables or query strings"
    );
    assert!(!logs.contains(&key), "logs carry no tokens");

    let exports = received.lock().expect("lock");
    assert!(
        exports.iter().any(|(path, _)| path == "/v1/traces"),
        "spans reached the collector before exit: {:?}",
        exports.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    let spans: Vec<u8> = exports.iter().flat_map(|(_, body)| body.clone()).collect();
    assert!(
        contains(&spans, "POST /graphql"),
        "the request span is exported"
    );
    assert!(
        !contains(&spans, MARKER),
        "spans carry no variables or query strings"
    );
    assert!(!contains(&spans, &key), "spans carry no tokens");
    let _ = std::fs::remove_dir_all(&dir);
}
