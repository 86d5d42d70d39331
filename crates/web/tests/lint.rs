#![allow(clippy::unwrap_used)]
//! R5 (SQLite): all queries go through the scoped store. This lint fails on SQL statements in
//! string literals anywhere outside `crates/store`.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            if !matches!(p.file_name().and_then(|n| n.to_str()), Some("target" | "fuzz" | ".git")) {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Does a line hold a string literal that starts like an SQL statement?
fn sql_in_literal(line: &str) -> bool {
    const STARTS: [&str; 8] = [
        "SELECT ",
        "INSERT INTO",
        "UPDATE ",
        "DELETE FROM",
        "CREATE TABLE",
        "DROP ",
        "PRAGMA ",
        "ALTER TABLE",
    ];
    line.split('"').skip(1).step_by(2).any(|lit| {
        // SQL keywords are written in capitals in this code base; prose is not.
        let t = lit.trim_start();
        STARTS.iter().any(|s| t.starts_with(s))
    })
}

#[test]
fn no_raw_sql_outside_the_store() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    rust_files(crates, &mut files);
    let this = Path::new(file!()).file_name().unwrap();
    let mut hits = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(crates).unwrap();
        if rel.starts_with("store") || f.file_name() == Some(this) {
            continue;
        }
        for (i, line) in std::fs::read_to_string(f).unwrap().lines().enumerate() {
            if sql_in_literal(line) {
                hits.push(format!("{}:{}", rel.display(), i + 1));
            }
        }
    }
    println!("scanned {} Rust files outside crates/store", files.len());
    assert!(files.len() > 20);
    assert!(hits.is_empty(), "raw SQL outside the store crate:\n{}", hits.join("\n"));
}

#[test]
fn the_lint_catches_sql() {
    assert!(sql_in_literal(r#"conn.execute("DELETE FROM pupils", [])"#));
    assert!(sql_in_literal(r#"let q = " SELECT * FROM notes";"#));
    assert!(!sql_in_literal(r#"println!("Select a school");"#));
}
