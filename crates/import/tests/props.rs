//! Property tests: the CSV reader round-trips any table and reports physical line numbers; the
//! parsers never panic on arbitrary or damaged input.

mod common;

use std::borrow::Cow;

use common::{cp1252, school, scores_export};
use csv::StringRecord;
use proptest::prelude::*;
use schoolscan_import::source::{csv_rows, is_blank};
use schoolscan_import::{ImportOptions, parse_pupils, parse_scores, parse_seo};

/// Writes a table the way Excel does: quote a field when it holds the delimiter, a quote or a
/// newline; CRLF line ends.
fn write_table(rows: &[Vec<String>], d: char) -> (String, Vec<u64>) {
    let mut out = String::new();
    let mut lines = Vec::new();
    let mut line = 1u64;
    for r in rows {
        lines.push(line);
        let cells: Vec<String> = r
            .iter()
            .map(|c| {
                if c.contains(d) || c.contains('"') || c.contains('\n') || c.contains('\r') {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            })
            .collect();
        let row = cells.join(&d.to_string());
        line += 1 + row.matches('\n').count() as u64;
        out.push_str(&row);
        out.push_str("\r\n");
    }
    (out, lines)
}

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ëéï'.-]{0,12}",
        "[a-z;,\t\"\n ]{1,10}",
        Just("van 't Hof".to_owned()),
        Just("\"\"".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn csv_round_trip_with_line_numbers(
        rows in prop::collection::vec(prop::collection::vec(cell(), 3), 1..12),
        d in prop::sample::select(vec![';', ',', '\t']),
    ) {
        // A row whose fields are all empty or blank is a blank line: the reader skips it.
        let rows: Vec<Vec<String>> = rows.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect();
        let (text, lines) = write_table(&rows, d);
        let mut src = csv_rows(Cow::Borrowed(&text), d as u8);
        let mut rec = StringRecord::new();
        let mut got = Vec::new();
        while let Some(line) = src.read(&mut rec).unwrap() {
            if !is_blank(&rec) {
                got.push((line, rec.iter().map(str::to_owned).collect::<Vec<_>>()));
            }
        }
        let want: Vec<(u64, Vec<String>)> = lines.into_iter().zip(rows).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let o = ImportOptions::default();
        let _ = parse_scores(&bytes, "x.csv", &school(), &o);
        let _ = parse_pupils(&bytes, "x.xlsx", &school(), &o);
        let _ = parse_seo(&bytes, "x.ods", &school(), &o);
    }

    #[test]
    fn parsers_never_panic_on_damaged_exports(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20),
        cut in any::<prop::sample::Index>(),
    ) {
        let fx = scores_export(4);
        let mut bytes = cp1252(&fx.text);
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let end = cut.index(bytes.len() + 1);
        bytes.truncate(end.max(1));
        let o = ImportOptions::default();
        if let Ok(b) = parse_scores(&bytes, "x.csv", &school(), &o) {
            // The report is complete: every data row is a score, a duplicate, skipped or rejected.
            prop_assert_eq!(
                b.read,
                b.scores.len() as u64 + b.duplicates + b.skipped.len() as u64 + b.rejected.len() as u64
            );
        }
    }
}
