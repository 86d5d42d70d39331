#![allow(clippy::unwrap_used)]
//! The `schoolscan` command end to end: demo, status, serve.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};

fn schoolscan(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schoolscan"));
    c.arg("--db").arg(db);
    c
}

fn status_json(db: &Path) -> serde_json::Value {
    let out = schoolscan(db).args(["status", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn demo_fills_the_board_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = schoolscan(&db).arg("demo").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Voorbeeldbestuur aangemaakt"));
    let first = status_json(&db);
    for key in ["boards", "schools", "groups", "pupils", "scores", "observations", "notes"] {
        assert!(first.get(key).and_then(serde_json::Value::as_u64).is_some(), "missing {key}");
    }
    assert!(first["schools"].as_u64().unwrap() >= 3);
    assert!(first["pupils"].as_u64().unwrap() >= 500);
    assert!(first["scores"].as_u64().unwrap() >= 20_000);
    assert!(first["observations"].as_u64().unwrap() > 0);
    assert!(first["notes"].as_u64().unwrap() > 0);
    let out = schoolscan(&db).arg("demo").output().unwrap();
    assert!(out.status.success());
    assert_eq!(status_json(&db), first, "running demo twice must give the same counts");
}

#[test]
fn status_text_is_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    let out = schoolscan(&db).arg("status").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("leerlingen:"));
    assert!(text.contains("toetsscores:"));
}

#[test]
fn refuses_to_start_when_the_required_pragmas_cannot_be_set() {
    // An in-memory database cannot be put in WAL mode: every command, `serve` included, refuses
    // before doing anything, and says which setting is wrong and what to do.
    for args in [&["status"][..], &["serve", "--addr", "127.0.0.1:0"][..]] {
        let out = schoolscan(Path::new(":memory:")).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("journal_mode is 'memory', vereist is 'wal'"), "{err}");
        assert!(err.contains("Gebruik een gewoon bestand op een lokale schijf"), "{err}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing may be printed before the refusal");
    }
}

#[test]
fn refuses_a_database_it_cannot_make_durable() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the database file should be: SQLite cannot open it.
    let out = schoolscan(dir.path()).arg("status").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("fout:"), "{err}");
}

#[test]
fn serve_answers_with_the_dutch_home_page() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    assert!(schoolscan(&db).arg("demo").output().unwrap().status.success());
    let mut child = schoolscan(&db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line.split("http://").nth(1).unwrap().split('/').next().unwrap().to_owned();
    // Without a session, `/` sends the visitor to the login page, which names the schools of this
    // installation (public information: names and BRIN, no counts).
    let mut resp = http_get(&addr, "/");
    if resp.starts_with("HTTP/1.1 303") {
        let location = resp.lines().find_map(|l| l.strip_prefix("location: ")).unwrap().trim().to_owned();
        resp = http_get(&addr, &location);
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("lang=\"nl\""));
    for school in ["De Regenboog", "Het Kompas", "Klimrek"] {
        assert!(resp.contains(school), "the demo school {school} is listed: {resp}");
    }
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp
}
