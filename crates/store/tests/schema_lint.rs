#![allow(clippy::unwrap_used)]
//! R15: every column of the schema has a data category, and the special-category (AVG art. 9)
//! columns are classified `bijzonder`. The categories are the trailing `-- [category]` comments in
//! the migrations; the live schema (after all migrations ran) is checked against them, so a column
//! added without a category fails here.

use std::collections::BTreeMap;
use std::path::Path;

const CATEGORIES: [&str; 6] = ["org", "id", "pupil", "bijzonder", "meta", "account"];
const NOT_COLUMNS: [&str; 5] = ["UNIQUE", "PRIMARY", "CHECK", "FOREIGN", "CONSTRAINT"];

type Declared = BTreeMap<(String, String), String>;

fn finish(
    out: &mut Declared,
    problems: &mut Vec<String>,
    file: &str,
    table: &str,
    column: String,
    line: usize,
    category: Option<String>,
) {
    match category {
        Some(c) => {
            out.insert((table.to_string(), column), c);
        }
        None => problems.push(format!("{file}:{line}: column {table}.{column} without category")),
    }
}

/// (table, column) → category, from every migration file.
fn declared() -> (Declared, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    assert!(!files.is_empty());
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for f in files.iter().filter(|f| f.extension().is_some_and(|x| x == "sql")) {
        let text = std::fs::read_to_string(f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let mut table: Option<String> = None;
        let mut pending: Option<(String, usize, Option<String>)> = None;
        // Open parentheses of the pending definition: a comma inside CHECK (...) does not end it.
        let mut depth = 0i32;
        for (i, line) in text.lines().enumerate() {
            let code = line.split("--").next().unwrap_or("").trim();
            let comment = line.split_once("--").map(|(_, c)| c.trim()).unwrap_or("");
            let category =
                comment.strip_prefix('[').and_then(|c| c.split_once(']')).map(|(c, _)| c.to_string());
            let upper = code.to_ascii_uppercase();
            if let Some(rest) = upper.strip_prefix("CREATE TABLE ") {
                let t = rest.trim_start_matches("IF NOT EXISTS ").split([' ', '(']).next().unwrap();
                table = Some(t.to_ascii_lowercase());
                continue;
            }
            if let Some(rest) = upper.strip_prefix("ALTER TABLE ") {
                // ALTER TABLE t ADD COLUMN c ...  -- [category]
                let words: Vec<&str> = rest.split_whitespace().collect();
                if words.len() >= 4 && words[1] == "ADD" && words[2] == "COLUMN" {
                    let key = (words[0].to_ascii_lowercase(), words[3].to_ascii_lowercase());
                    match category {
                        Some(c) => {
                            out.insert(key, c);
                        }
                        None => problems.push(format!("{name}:{}: column without category", i + 1)),
                    }
                }
                continue;
            }
            let Some(t) = &table else { continue };
            if code.starts_with(')') {
                if let Some((col, at, cat)) = pending.take() {
                    finish(&mut out, &mut problems, &name, t, col, at, cat);
                }
                table = None;
                continue;
            }
            // A column definition may span lines; its category may stand on any of them.
            if let Some((_, _, cat)) = pending.as_mut() {
                if cat.is_none() {
                    *cat = category;
                }
            } else {
                let Some(first) = code.split_whitespace().next() else { continue };
                if NOT_COLUMNS.contains(&first.to_ascii_uppercase().as_str()) {
                    continue;
                }
                pending = Some((first.to_ascii_lowercase(), i + 1, category));
                depth = 0;
            }
            depth += code.matches('(').count() as i32 - code.matches(')').count() as i32;
            if code.ends_with(',')
                && depth <= 0
                && let Some((col, at, cat)) = pending.take()
            {
                finish(&mut out, &mut problems, &name, t, col, at, cat);
            }
        }
    }
    (out, problems)
}

#[test]
fn r15_every_migration_column_has_a_known_category() {
    let (cols, problems) = declared();
    assert!(problems.is_empty(), "{problems:#?}");
    for ((t, c), cat) in &cols {
        assert!(CATEGORIES.contains(&cat.as_str()), "{t}.{c}: unknown category [{cat}]");
    }
    // The special categories of personal data (AVG art. 9: OPP, risk and care flags).
    for (t, c) in [("pupils", "opp"), ("pupils", "risk_flags")] {
        assert_eq!(
            cols.get(&(t.to_string(), c.to_string())).map(String::as_str),
            Some("bijzonder"),
            "{t}.{c}"
        );
    }
}

#[test]
fn r15_every_column_of_the_live_schema_is_classified() {
    let (cols, _) = declared();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lint.db");
    drop(schoolscan_store::SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables.retain(|t| t != "schema_migrations" && t != "_migrations");
    assert!(tables.len() >= 5, "{tables:?}");
    let mut missing = Vec::new();
    let mut n = 0;
    for t in &tables {
        let mut st = conn.prepare(&format!("PRAGMA table_info({t})")).unwrap();
        let names: Vec<String> = st.query_map([], |r| r.get(1)).unwrap().map(Result::unwrap).collect();
        for c in names {
            n += 1;
            if !cols.contains_key(&(t.to_ascii_lowercase(), c.to_ascii_lowercase())) {
                missing.push(format!("{t}.{c}"));
            }
        }
    }
    assert!(missing.is_empty(), "columns without a data category (R15): {missing:?}");
    assert!(n > 50, "only {n} columns seen");
}
