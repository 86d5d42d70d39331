//! Excel (.xlsx) and OpenDocument (.ods) files, built in the test.

mod common;
#[path = "common/sheets.rs"]
mod sheets;

use common::school;
use schoolscan_import::{Format, ImportError, ImportOptions, Layout, parse_pupils, parse_scores};
use sheets::{C, ods, xlsx};

fn long_rows() -> Vec<Vec<C>> {
    vec![
        vec![C::S("Toetsresultaten groep 5 — export 2021")], // a title row above the header
        vec![],
        vec![
            C::S("Leerlingnummer"),
            C::S("Roepnaam"),
            C::S("Tussenvoegsel"),
            C::S("Achternaam"),
            C::S("Toets"),
            C::S("Afnamedatum"),
            C::S("Vaardigheidsscore"),
            C::S("Niveau"),
        ],
        vec![
            C::S("004512"),
            C::S("Daniëlle"),
            C::S("van 't"),
            C::S("Hof"),
            C::S("Rekenen-Wiskunde 3.0"),
            C::D(2021, 1, 27),
            C::N(187.5),
            C::S("III"),
        ],
        vec![
            C::N(4513.0),
            C::S("Zoë"),
            C::E,
            C::S("Jansen"),
            C::S("Spelling 3.0"),
            C::N(44223.0),
            C::N(150.0),
            C::S("I"),
        ],
        vec![
            C::S("004514"),
            C::S("Sem"),
            C::E,
            C::S("Bakker"),
            C::S("Spelling 3.0"),
            C::S("27-01-2021"),
            C::S("n.v.t."),
            C::E,
        ],
        vec![
            C::S("004515"),
            C::S("Fenna"),
            C::E,
            C::S("Smit"),
            C::S("Spelling 3.0"),
            C::S("27-01-2021"),
            C::N(9999.0),
            C::E,
        ],
    ]
}

#[test]
fn xlsx_long_with_title_rows_and_date_cells() {
    let bytes = xlsx(&[("Resultaten", long_rows())]);
    let b = parse_scores(&bytes, "export.xlsx", &school(), &ImportOptions::default()).unwrap();
    assert_eq!(b.info.format, Format::Xlsx);
    assert_eq!(b.info.sheet.as_deref(), Some("Resultaten"));
    assert_eq!(b.info.header_line, 3);
    assert_eq!(b.read, 4);
    assert_eq!(b.scores.len(), 2);
    assert_eq!(b.scores[0].date.to_string(), "2021-01-27");
    assert_eq!(b.scores[0].ability, Some(187.5));
    assert_eq!(b.scores[0].pupil.as_str(), "004512");
    // A number cell holding a pupil number loses no digits; an Excel serial in a date column is a date.
    assert_eq!(b.scores[1].pupil.as_str(), "4513");
    assert_eq!(b.scores[1].date.to_string(), "2021-01-27");
    assert_eq!(b.skipped.iter().map(|p| p.line).collect::<Vec<_>>(), vec![6]);
    assert_eq!(b.rejected.len(), 1);
    assert_eq!(b.rejected[0].line, 7);
    assert!(b.rejected[0].reason.contains("buiten de schaal"), "{}", b.rejected[0].reason);
    assert_eq!(b.pupils[0].first_name.as_deref(), Some("Daniëlle"));
}

#[test]
fn named_sheet_and_missing_sheet() {
    let bytes = xlsx(&[("Voorblad", vec![vec![C::S("Niets hier")]]), ("Resultaten", long_rows())]);
    let opts = ImportOptions { sheet: Some("resultaten".into()), ..Default::default() };
    let b = parse_scores(&bytes, "export.xlsx", &school(), &opts).unwrap();
    assert_eq!(b.scores.len(), 2);
    let opts = ImportOptions { sheet: Some("Blad9".into()), ..Default::default() };
    let e = parse_scores(&bytes, "export.xlsx", &school(), &opts).unwrap_err();
    assert!(matches!(e, ImportError::SheetNotFound { .. }));
    assert!(e.to_string().contains("Voorblad, Resultaten"), "{e}");
    // The first sheet has no header: a Dutch error, not a panic.
    let e = parse_scores(&bytes, "export.xlsx", &school(), &ImportOptions::default()).unwrap_err();
    assert!(e.to_string().contains("niet (volledig) herkend"), "{e}");
}

#[test]
fn xlsx_wide_layout() {
    let rows = vec![
        vec![
            C::S("Leerlingnummer"),
            C::S("Achternaam"),
            C::S("Schooljaar"),
            C::S("Jaargroep"),
            C::S("RW M5"),
            C::S("RW E5"),
            C::S("BL E4"),
            C::S("Spelling M6"),
            C::S("TL M3"),
            C::S("Begrijpend lezen E5"),
        ],
        vec![
            C::S("1"),
            C::S("Hof"),
            C::S("2020-2021"),
            C::N(5.0),
            C::N(180.0),
            C::N(190.0),
            C::N(160.0),
            C::E,
            C::N(40.0),
            C::S("-"),
        ],
        vec![
            C::S("2"),
            C::S("Jansen"),
            C::S("2020-2021"),
            C::N(5.0),
            C::S("abc"),
            C::N(191.0),
            C::E,
            C::E,
            C::E,
            C::E,
        ],
    ];
    let b =
        parse_scores(&xlsx(&[("Blad1", rows)]), "breed.xlsx", &school(), &ImportOptions::default()).unwrap();
    assert_eq!(b.info.layout, Some(Layout::Wide));
    assert_eq!(b.read, 2);
    // Pupil 1: RW M5, RW E5, BL E4, TL M3 (the '-' is skipped). Pupil 2: rejected (abc).
    assert_eq!(b.scores.len(), 4);
    assert_eq!(b.skipped.len(), 1);
    assert_eq!(b.skipped[0].column, "Begrijpend lezen E5");
    assert_eq!(b.rejected.len(), 1);
    assert_eq!((b.rejected[0].line, b.rejected[0].column.as_str()), (3, "RW M5"));
    let bl = b.scores.iter().find(|s| s.test_key == "cito:begrijpend-lezen:3.0").unwrap();
    // BL E4 of a pupil in groep 5 in 2020-2021 was taken in 2019-2020.
    assert_eq!(bl.date.to_string(), "2020-06-15");
    assert_eq!(bl.moment.unwrap().to_string(), "E4");
    let tl = b.scores.iter().find(|s| s.test_key == "cito:dmt").unwrap();
    assert_eq!(tl.date.to_string(), "2019-02-01");
    // Enrolments: derived for each school year a moment lies in.
    assert!(b.enrolments.iter().any(|e| e.year.to_string() == "2020-2021" && e.grade.get() == 5));
    assert!(b.enrolments.iter().any(|e| e.year.to_string() == "2019-2020" && e.grade.get() == 4));
}

#[test]
fn ods_long() {
    let bytes = ods("Blad1", &long_rows());
    let b = parse_scores(&bytes, "export.ods", &school(), &ImportOptions::default()).unwrap();
    assert_eq!(b.info.format, Format::Ods);
    assert_eq!(b.scores.len(), 2);
    assert_eq!(b.scores[0].date.to_string(), "2021-01-27");
    assert_eq!(b.scores[0].ability, Some(187.5));
    assert_eq!(b.rejected.len(), 1);
}

#[test]
fn xlsx_pupils_file() {
    let rows = vec![
        vec![
            C::S("Leerling ID"),
            C::S("Voornaam"),
            C::S("Achternaam"),
            C::S("Geboortedatum"),
            C::S("Geslacht"),
            C::S("Leerlinggewicht"),
            C::S("OPP"),
            C::S("Kwetsbaar"),
            C::S("Groep"),
            C::S("Schooljaar"),
        ],
        vec![
            C::S("7"),
            C::S("Daniëlle"),
            C::S("Hof"),
            C::D(2012, 3, 4),
            C::S("V"),
            C::S("0,3"),
            C::S("ja"),
            C::S("x"),
            C::S("5B"),
            C::S("2020-2021"),
        ],
        vec![
            C::S("8"),
            C::S("Noël"),
            C::S("Visser"),
            C::D(2012, 5, 6),
            C::S("M"),
            C::N(0.0),
            C::S("nee"),
            C::E,
            C::S("5/6"),
            C::S("2020-2021"),
        ],
    ];
    let b =
        parse_pupils(&xlsx(&[("Leerlingen", rows)]), "leerlingen.xlsx", &school(), &ImportOptions::default())
            .unwrap();
    assert_eq!(b.read, 2);
    assert_eq!(b.pupils.len(), 2);
    assert!(b.rejected.is_empty(), "{:?}", b.rejected);
    let d = &b.pupils[0];
    assert_eq!(d.birth_date.unwrap().to_string(), "2012-03-04");
    assert!(d.opp);
    assert_eq!(d.risk_flags, vec!["kwetsbaar".to_owned()]);
    assert_eq!(b.enrolments.len(), 1, "a combination group without jaargroep gives no enrolment");
    assert_eq!(b.enrolments[0].group.as_str(), "5B");
}
