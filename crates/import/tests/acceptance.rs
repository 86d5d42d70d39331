//! The acceptance criterion of issue 3: a realistic Dutch export (Windows-1252, `;`, decimal comma,
//! `dd-mm-yyyy`, names like Daniëlle and van 't Hof) of a few thousand rows with a duplicate, an
//! `n.v.t.`, an impossible date, an empty pupil number and a non-numeric score.

mod common;

use common::{cp1252, school, scores_export};
use schoolscan_import::{Decimal, ImportOptions, Layout, TextEncoding, parse_scores};

#[test]
fn realistic_windows_1252_export() {
    let fx = scores_export(250);
    assert!(fx.data_rows > 3000, "a few thousand rows");
    let bytes = cp1252(&fx.text);
    let b = parse_scores(&bytes, "toetsresultaten.csv", &school(), &ImportOptions::default()).unwrap();

    assert_eq!(b.info.encoding, TextEncoding::Windows1252);
    assert_eq!(b.info.delimiter.as_deref(), Some(";"));
    assert_eq!(b.info.decimal, Decimal::Comma);
    assert_eq!(b.info.layout, Some(Layout::Long));
    assert_eq!(b.info.header_line, 1);
    assert_eq!(b.info.unrecognised, vec!["Opmerking".to_owned()]);

    assert_eq!(b.read, fx.data_rows);
    assert_eq!(b.scores.len() as u64, fx.valid_scores);
    assert_eq!(b.duplicates, fx.duplicate_lines.len() as u64);
    assert_eq!(b.pupils.len() as u64, fx.pupils);
    assert_eq!(b.enrolments.len() as u64, 2 * fx.pupils);
    assert_eq!(b.tests.len(), 3);

    let skipped: Vec<u64> = b.skipped.iter().map(|p| p.line).collect();
    assert_eq!(skipped, fx.skipped_lines);
    assert_eq!(b.skipped[0].value, "n.v.t.");
    assert!(b.skipped[0].reason.contains("geen uitslag"), "{}", b.skipped[0].reason);

    let rejected: Vec<(u64, &str)> = b.rejected.iter().map(|p| (p.line, p.column.as_str())).collect();
    assert_eq!(rejected, fx.rejected);
    assert!(b.rejected[0].reason.contains("onmogelijke datum"), "{}", b.rejected[0].reason);
    assert_eq!(b.rejected[0].value, "31-02-2021");
    assert!(b.rejected[1].reason.contains("geen leerlingnummer"), "{}", b.rejected[1].reason);
    assert!(b.rejected[2].reason.contains("geen getal"), "{}", b.rejected[2].reason);
    assert_eq!(b.rejected[2].value, "12o,5");
    // Every row is accounted for exactly once.
    assert_eq!(
        b.read,
        b.scores.len() as u64 + b.duplicates + b.skipped.len() as u64 + b.rejected.len() as u64
    );

    // Names arrive intact.
    let p = b.pupils.iter().find(|p| p.number.as_str() == "001000").unwrap();
    assert_eq!(p.first_name.as_deref(), Some("Daniëlle"));
    let hof = b.pupils.iter().find(|p| p.prefix.as_deref() == Some("van 't")).unwrap();
    assert!(hof.display_name().contains("van 't"));
    assert!(b.pupils.iter().any(|p| p.last_name.as_deref() == Some("Müller")));
    assert!(b.pupils.iter().any(|p| p.last_name.as_deref() == Some("Çelik")));

    // Scores: decimal comma read, moment and date kept, Cito 3.0 scale.
    let s = &b.scores[0];
    assert_eq!(s.test_key, "cito:rekenen-wiskunde:3.0");
    assert_eq!(s.moment.map(|m| m.to_string()).as_deref(), Some("M3"));
    assert_eq!(s.date.to_string(), "2020-01-20");
    let cell = fx.text.lines().nth(1).unwrap().split(';').nth(9).unwrap();
    assert!(cell.contains(','), "{cell}");
    assert_eq!(s.ability, Some(cell.replace(',', ".").parse::<f64>().unwrap()));
    assert_eq!(s.level.as_deref(), fx.text.lines().nth(1).unwrap().split(';').nth(10));
    assert_eq!(s.pupil.as_str(), "001000");
}

#[test]
fn the_line_after_an_embedded_newline_is_counted() {
    // Pupil 3 has a remark spanning two physical lines; every later line number shifts by one.
    let fx = scores_export(10);
    let b = parse_scores(fx.text.as_bytes(), "x.csv", &school(), &ImportOptions::default()).unwrap();
    assert_eq!(b.read, fx.data_rows);
    let rejected: Vec<(u64, &str)> = b.rejected.iter().map(|p| (p.line, p.column.as_str())).collect();
    assert_eq!(rejected, fx.rejected);
}

#[test]
fn same_file_as_utf8_bom_comma_and_point_gives_the_same_scores() {
    let fx = scores_export(40);
    let a = parse_scores(&cp1252(&fx.text), "a.csv", &school(), &ImportOptions::default()).unwrap();

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(fx.text.as_bytes());
    let b = parse_scores(&bom, "b.csv", &school(), &ImportOptions::default()).unwrap();
    assert_eq!(b.info.encoding, TextEncoding::Utf8Bom);
    assert_eq!(a.scores, b.scores);
    assert_eq!(a.pupils, b.pupils);

    // The "technical" dialect: tab-separated, decimal point, ISO dates.
    let tsv: String = fx
        .text
        .lines()
        .map(|l| {
            let cells: Vec<String> = l
                .split(';')
                .map(|c| {
                    let c = c.replace(',', ".");
                    match c.split('-').collect::<Vec<_>>().as_slice() {
                        [d, m, y] if d.len() == 2 && m.len() == 2 && y.len() == 4 => format!("{y}-{m}-{d}"),
                        _ => c,
                    }
                })
                .collect();
            cells.join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let c = parse_scores(tsv.as_bytes(), "c.tsv", &school(), &ImportOptions::default()).unwrap();
    assert_eq!(c.info.delimiter.as_deref(), Some("tab"));
    assert_eq!(c.info.decimal, Decimal::Point);
    // The embedded-newline remark is split by `lines()` here, so compare the scores only.
    assert_eq!(a.scores.len(), c.scores.len());
    assert_eq!(
        a.scores.iter().map(|s| s.ability).collect::<Vec<_>>(),
        c.scores.iter().map(|s| s.ability).collect::<Vec<_>>()
    );
}

#[test]
fn streaming_hands_on_every_score_once_in_order() {
    use schoolscan_import::parse_scores_streaming;
    let fx = scores_export(60);
    let bytes = cp1252(&fx.text);
    let whole = parse_scores(&bytes, "a.csv", &school(), &ImportOptions::default()).unwrap();
    for chunk in [1, 7, 100, 1_000_000] {
        let mut scores = Vec::new();
        let mut tests = Vec::new();
        let b = parse_scores_streaming(
            &bytes,
            "a.csv",
            &school(),
            &ImportOptions::default(),
            &mut |_, _| {},
            chunk,
            &mut |t, s| {
                // A test arrives no later than its first score.
                for sc in &s {
                    assert!(
                        tests.iter().chain(t.iter()).any(|x: &schoolscan_domain::Test| x.key == sc.test_key),
                        "score before its test"
                    );
                }
                tests.extend(t);
                scores.extend(s);
            },
        )
        .unwrap();
        assert_eq!(scores, whole.scores, "chunk {chunk}");
        assert_eq!(tests, whole.tests, "chunk {chunk}");
        assert!(b.scores.is_empty());
        assert_eq!((b.read, b.duplicates), (whole.read, whole.duplicates));
        assert_eq!(
            (&b.pupils, &b.enrolments, &b.rejected, &b.skipped),
            (&whole.pupils, &whole.enrolments, &whole.rejected, &whole.skipped)
        );
    }
}
