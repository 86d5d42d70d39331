//! The committed fuzz seed corpus stays valid: every seed is a readable file whose report accounts
//! for each row (so the fuzzer starts from inputs that reach row validation).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use schoolscan_import::{ImportOptions, parse_pupils, parse_scores, parse_seo};

fn seeds(dir: &str) -> Vec<(String, Vec<u8>)> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(dir);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&d)
        .unwrap_or_else(|e| panic!("seed corpus {} missing: {e}", d.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("seed-"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn csv_seeds_parse() {
    let s = seeds("csv");
    assert_eq!(s.len(), 5);
    let o = ImportOptions::default();
    let school = common::school();
    for (name, bytes) in s {
        // The first byte is the fuzz target's file-kind selector.
        let kind = bytes[0];
        let bytes = &bytes[1..];
        assert_eq!(
            kind,
            if name.contains("pupils") {
                1
            } else if name.contains("seo") {
                2
            } else {
                0
            },
            "{name}"
        );
        let read = if name.contains("pupils") {
            parse_pupils(bytes, &name, &school, &o).map(|b| b.read)
        } else if name.contains("seo") {
            parse_seo(bytes, &name, &school, &o).map(|b| b.read)
        } else {
            parse_scores(bytes, &name, &school, &o).map(|b| b.read)
        };
        let read = read.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(read >= 2, "{name}: {read} rows");
    }
}

#[test]
fn excel_seeds_parse() {
    let s = seeds("excel");
    assert_eq!(s.len(), 3);
    let school = common::school();
    for (name, bytes) in s {
        let b = parse_scores(&bytes, &name, &school, &ImportOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!b.scores.is_empty(), "{name}");
    }
    let (_, wb) = seeds("excel").into_iter().find(|(n, _)| n.contains("pupils")).unwrap();
    let o = ImportOptions { sheet: Some("Leerlingen".into()), ..ImportOptions::default() };
    assert_eq!(parse_pupils(&wb, "x.xlsx", &school, &o).unwrap().pupils.len(), 1);
}
