#![allow(clippy::unwrap_used)]
//! `schoolscan user …` and `schoolscan retention …` on a temporary database.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(db: &Path, args: &[&str], password: Option<&str>, stdin: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schoolscan"));
    c.arg("--db").arg(db).args(args).env_remove("SCHOOLSCAN_PASSWORD");
    if let Some(p) = password {
        c.env("SCHOOLSCAN_PASSWORD", p);
    }
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn user_lifecycle() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let add =
        ["user", "add", "--username", "juf.anna", "--role", "teacher", "--board", "b1", "--school", "12AB"];
    let out = run(&db, &add, Some("password"), None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("veelgebruikte"), "{}", text(&out.stderr));
    let out = run(&db, &add, None, Some("een heel lang wachtwoord\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = run(&db, &["user", "list", "--format", "json"], None, None);
    let users: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(users[0]["username"], "juf.anna");
    assert_eq!(users[0]["role"], "teacher");
    assert!(users[0].get("password_hash").is_none(), "hashes are never printed");
    assert!(!text(&list.stdout).contains("argon2"));
    assert!(run(&db, &["user", "disable", "juf.anna"], None, None).status.success());
    assert!(run(&db, &["user", "reset-mfa", "juf.anna"], None, None).status.success());
    let list = run(&db, &["user", "list", "--format", "json"], None, None);
    let users: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(users[0]["disabled"], true);
    let h = text(&run(&db, &["user", "hashes"], None, None).stdout);
    assert!(h.contains("argon2id m=19456 t=2 p=1"), "{h}");
    assert!(h.contains("1 hashes, 0 onder het minimum"), "{h}");
    assert!(!run(&db, &["user", "disable", "niemand"], None, None).status.success());
    assert!(run(&db, &["retention", "set", "--board", "b1", "--months", "36"], None, None).status.success());
    let p = text(&run(&db, &["retention", "purge", "--board", "b1"], None, None).stdout);
    assert!(p.contains("0 leerlingen verwijderd (bewaartermijn 36 maanden)"), "{p}");
}

#[test]
fn demo_creates_one_account_per_role() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let out = run(&db, &["demo"], None, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("alleen voor lokaal gebruik"), "{stdout}");
    for name in
        ["beheerder", "kwaliteit", "directeur", "ib", "leerkracht", "mr", "ouder", "zorgpartner", "gemeente"]
    {
        assert!(stdout.contains(name), "{name} missing in {stdout}");
    }
    // Running it again keeps one account per role.
    assert!(run(&db, &["demo"], None, None).status.success());
    let list = run(&db, &["user", "list", "--format", "json"], None, None);
    let users: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let roles: std::collections::BTreeSet<String> =
        users.as_array().unwrap().iter().map(|u| u["role"].as_str().unwrap().to_owned()).collect();
    assert_eq!(users.as_array().unwrap().len(), 9);
    assert_eq!(roles.len(), 9);
}
