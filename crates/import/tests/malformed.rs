//! The malformed-file corpus (privacy-security.md R27): every variant gives a clear Dutch error or a
//! complete row-level report, never a panic.

mod common;
#[path = "common/sheets.rs"]
mod sheets;

use common::{HEADER, cp1252, school, scores_export};
use schoolscan_import::{
    Format, ImportError, ImportOptions, Mapping, TextEncoding, parse_pupils, parse_scores, parse_seo,
};

fn opts() -> ImportOptions {
    ImportOptions::default()
}

fn scores(bytes: &[u8], name: &str) -> Result<schoolscan_import::ScoreBatch, ImportError> {
    parse_scores(bytes, name, &school(), &opts())
}

const H: &str = "Leerlingnummer;Achternaam;Toets;Afnamedatum;Vaardigheidsscore";

#[test]
fn zero_bytes() {
    let e = scores(b"", "leeg.csv").unwrap_err();
    assert_eq!(e, ImportError::Empty);
    assert!(e.to_string().contains("leeg"));
    assert_eq!(parse_pupils(b"", "x.csv", &school(), &opts()).unwrap_err(), ImportError::Empty);
    assert_eq!(parse_seo(b"", "x.csv", &school(), &opts()).unwrap_err(), ImportError::Empty);
}

#[test]
fn binary_data() {
    let mut rng = common::Lcg::new(7);
    let junk: Vec<u8> = (0..4096).map(|_| rng.below(256) as u8).collect();
    let e = scores(&junk, "export.csv").unwrap_err();
    assert!(matches!(e, ImportError::Binary { .. }), "{e:?}");
    assert!(e.to_string().contains("geen CSV- of Excelbestand"), "{e}");
    let e = scores(b"%PDF-1.7\n...", "export.csv").unwrap_err();
    assert!(e.to_string().contains("PDF"), "{e}");
    let e = scores(b"\x89PNG\r\n\x1a\n", "export.xlsx").unwrap_err();
    assert!(e.to_string().contains("PNG"), "{e}");
}

#[test]
fn broken_spreadsheets() {
    // A zip that is no workbook, a truncated xlsx, an OLE header with nothing behind it.
    let xlsx = sheets::xlsx(&[("Blad1", vec![vec![sheets::C::S("Leerlingnummer")]])]);
    for (bytes, name) in [
        (b"PK\x03\x04garbage-garbage-garbage".to_vec(), "export.xlsx"),
        (xlsx[..xlsx.len() / 2].to_vec(), "half.xlsx"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0].to_vec(), "oud.xls"),
    ] {
        let e = scores(&bytes, name).unwrap_err();
        assert!(matches!(e, ImportError::Spreadsheet { .. }), "{name}: {e:?}");
        assert!(e.to_string().starts_with("Het spreadsheet kan niet worden gelezen"), "{e}");
    }
}

#[test]
fn renamed_xlsx_that_is_csv_and_the_reverse() {
    let text = format!("{H}\n1;Hof;Spelling 3.0;27-01-2021;150\n");
    let b = scores(text.as_bytes(), "export.xlsx").unwrap();
    assert_eq!(b.info.format, Format::Csv);
    assert_eq!(b.scores.len(), 1);
    assert!(b.info.notes[0].contains("geen spreadsheet"), "{:?}", b.info.notes);

    let x = sheets::xlsx(&[(
        "Blad1",
        vec![
            H.split(';').map(|h| sheets::C::Str(h.to_owned())).collect(),
            vec![
                sheets::C::S("1"),
                sheets::C::S("Hof"),
                sheets::C::S("Spelling 3.0"),
                sheets::C::S("27-01-2021"),
                sheets::C::N(150.0),
            ],
        ],
    )]);
    let b = scores(&x, "export.csv").unwrap();
    assert_eq!(b.info.format, Format::Xlsx);
    assert_eq!(b.scores.len(), 1);
    assert!(b.info.notes[0].contains("is een spreadsheet"), "{:?}", b.info.notes);
}

#[test]
fn encodings_bom_and_mixed() {
    // UTF-8 with BOM: the BOM is not part of the first header.
    let text = format!("\u{FEFF}{H}\n1;Daniëlle;Spelling 3.0;27-01-2021;150\n");
    let b = scores(text.as_bytes(), "a.csv").unwrap();
    assert_eq!(b.info.encoding, TextEncoding::Utf8Bom);
    assert_eq!(b.scores.len(), 1);

    // UTF-16LE with BOM (Excel "Unicode text": tab-separated).
    let tsv = format!("{}\r\n1\tZoë\tSpelling 3.0\t27-01-2021\t150\r\n", H.replace(';', "\t"));
    let mut le = vec![0xFF, 0xFE];
    le.extend(tsv.encode_utf16().flat_map(u16::to_le_bytes));
    let b = scores(&le, "unicode.txt").unwrap();
    assert_eq!(b.info.encoding, TextEncoding::Utf16le);
    assert_eq!(b.pupils[0].last_name.as_deref(), Some("Zoë"));

    // Mixed: an export in Windows-1252 with rows pasted from a UTF-8 file.
    let mut mixed = cp1252(&format!("{H}\n1;Daniëlle;Spelling 3.0;27-01-2021;150\n"));
    mixed.extend_from_slice("2;Zoë;Spelling 3.0;27-01-2021;151\n".as_bytes());
    let b = scores(&mixed, "mixed.csv").unwrap();
    assert_eq!(b.info.encoding, TextEncoding::Mixed);
    let names: Vec<_> = b.pupils.iter().map(|p| p.last_name.clone().unwrap()).collect();
    assert_eq!(names, ["Daniëlle", "Zoë"]);

    // UTF-16 with an unpaired surrogate: undecodable, a Dutch error.
    let bad = [0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0];
    let e = scores(&bad, "kapot.txt").unwrap_err();
    assert!(matches!(e, ImportError::Undecodable { .. }), "{e:?}");
}

#[test]
fn broken_quoting_reports_the_line() {
    let text = format!(
        "{H}\n1;Hof;Spelling 3.0;27-01-2021;150\n2;\"Jansen;Spelling 3.0;27-01-2021;151\n3;Smit;Spelling 3.0;27-01-2021;152\n"
    );
    let b = scores(text.as_bytes(), "q.csv").unwrap();
    assert_eq!(b.scores.len(), 1);
    assert_eq!(b.rejected.len(), 1);
    assert_eq!(b.rejected[0].line, 3);
    assert!(b.rejected[0].reason.contains("aanhalingsteken"), "{}", b.rejected[0].reason);
    assert_eq!(b.read, 2, "the unclosed quote swallows the rest of the file into line 3");

    // A stray quote inside a field (not at its start) is kept as text.
    let text = format!("{H}\n1;van 't \"Hof;Spelling 3.0;27-01-2021;150\n");
    let b = scores(text.as_bytes(), "q2.csv").unwrap();
    assert_eq!(b.scores.len(), 1);
}

#[test]
fn extra_and_missing_columns() {
    // Extra unknown columns are listed and ignored.
    let text = format!("Klas;{H};Opmerking;Leerkracht\n5A;1;Hof;Spelling 3.0;27-01-2021;150;;Mw. Smit\n");
    let b = scores(text.as_bytes(), "x.csv").unwrap();
    assert_eq!(b.scores.len(), 1);
    assert_eq!(b.info.unrecognised, ["Opmerking", "Leerkracht"]);
    assert!(b.info.recognised.contains(&("Klas".into(), "groep".into())));

    // A row with more fields than the header is rejected; one with fewer reads the missing as empty.
    let text = format!(
        "{H}\n1;Hof;Spelling 3.0;27-01-2021;150;999\n2;Bos;Spelling 3.0;27-01-2021\n3;Vos;Spelling 3.0;27-01-2021;150\n"
    );
    let b = scores(text.as_bytes(), "x.csv").unwrap();
    assert_eq!(b.scores.len(), 1);
    assert_eq!(b.rejected.len(), 1);
    assert_eq!(b.rejected[0].line, 2);
    assert!(b.rejected[0].reason.contains("velden"), "{}", b.rejected[0].reason);
    assert_eq!(b.skipped.len(), 1);
    assert_eq!(b.skipped[0].line, 3);

    // Missing required columns: a Dutch message naming what was recognised and what is missing.
    let e = scores(b"Naam;Toets;Score\nHof;Spelling;150\n", "x.csv").unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("Herkend: Toets → toets; Score → vaardigheidsscore"), "{msg}");
    assert!(msg.contains("Ontbreekt: leerlingnummer"), "{msg}");
    assert!(msg.contains("afnamedatum"), "{msg}");
    assert!(msg.contains("Niet herkend: Naam"), "{msg}");

    // No header at all.
    let e = scores(b"1;2;3\n4;5;6\n", "x.csv").unwrap_err();
    assert!(e.to_string().contains("Geen enkele kolom is herkend"), "{e}");
    // Only a header: no rows, no error.
    let b = scores(format!("{H}\r\n").as_bytes(), "x.csv").unwrap();
    assert_eq!((b.read, b.scores.len()), (0, 0));
}

#[test]
fn out_of_range_and_bad_values() {
    let rows = [
        ("1;Hof;Spelling 3.0;27-01-2021;9999", "buiten de schaal"),
        ("2;Hof;Spelling 3.0;27-01-2021;-5", "buiten de schaal"),
        ("3;Hof;DIA spelling;27-01-2021;95", "40 tot en met 80"),
        ("4;Hof;Spelling 3.0;27-01-2021;1.234,5", "duizendtallen"),
        ("5;Hof;Spelling 3.0;32-01-2021;150", "onmogelijke datum"),
        ("6;Hof;Spelling 3.0;27-01-21;150", "vier cijfers"),
        ("7;Hof;Spelling 3.0;gisteren;150", "geen datum"),
        ("8;Hof;Onbekende toets;27-01-2021;150", "onbekende toets"),
        ("9;Hof;;27-01-2021;150", "geen toetsnaam"),
        ("10;Hof;AVI;27-01-2021;7", "geen AVI-niveau"),
    ];
    let mut text = format!("{H}\n");
    for (r, _) in &rows {
        text.push_str(r);
        text.push('\n');
    }
    let b = scores(text.as_bytes(), "x.csv").unwrap();
    assert_eq!(b.scores.len(), 0);
    assert_eq!(b.rejected.len(), rows.len());
    for (i, ((_, want), got)) in rows.iter().zip(&b.rejected).enumerate() {
        assert_eq!(got.line, i as u64 + 2);
        assert!(got.reason.contains(want), "line {}: {} (want {want})", got.line, got.reason);
    }
}

#[test]
fn unknown_moment_and_moment_without_year() {
    let text = "Leerlingnummer;Toets;Toetsmoment;Schooljaar;Vaardigheidsscore\n1;Spelling 3.0;X5;2020-2021;150\n2;Spelling 3.0;M5;2020-2021;150\n3;Spelling 3.0;M5;2020/2022;150\n";
    let b = scores(text.as_bytes(), "x.csv").unwrap();
    assert_eq!(b.scores.len(), 1);
    assert_eq!(b.scores[0].date.to_string(), "2021-02-01");
    assert_eq!(b.rejected.len(), 2);
    assert!(b.rejected[0].reason.contains("onbekend toetsmoment"), "{}", b.rejected[0].reason);
    assert_eq!(b.rejected[1].column, "Schooljaar");
    // A moment column but no school year anywhere: a file-level Dutch error.
    let e = scores(b"Leerlingnummer;Toets;Toetsmoment;Vaardigheidsscore\n1;Spelling;M5;150\n", "x.csv")
        .unwrap_err();
    assert!(e.to_string().contains("afnamedatum"), "{e}");
    // ...unless the school year is given.
    let o = ImportOptions { school_year: Some("2020-2021".parse().unwrap()), ..opts() };
    let b = parse_scores(
        b"Leerlingnummer;Toets;Toetsmoment;Vaardigheidsscore\n1;Spelling;M5;150\n",
        "x.csv",
        &school(),
        &o,
    )
    .unwrap();
    assert_eq!(b.scores.len(), 1);
}

#[test]
fn duplicates_and_conflicts_in_a_scores_file() {
    let text = "Leerlingnummer;Roepnaam;Achternaam;Toets;Afnamedatum;Vaardigheidsscore\n\
        1;Daniëlle;Hof;Spelling 3.0;27-01-2021;150\n\
        1;Daniëlle;Hof;Spelling 3.0;27-01-2021;150\n\
        1;Daniëlle;Hof;Spelling 3.0;27-01-2021;155\n\
        1;Zoë;Jansen;Rekenen-Wiskunde 3.0;27-01-2021;150\n\
        1;daniëlle;HOF;Rekenen-Wiskunde 3.0;27-01-2021;150\n";
    let b = scores(text.as_bytes(), "x.csv").unwrap();
    assert_eq!(b.scores.len(), 2);
    assert_eq!(b.duplicates, 1);
    assert_eq!(b.rejected.iter().map(|p| p.line).collect::<Vec<_>>(), vec![4, 5]);
    assert!(b.rejected[0].reason.contains("tegenstrijdig met regel 2"), "{}", b.rejected[0].reason);
    assert!(b.rejected[1].reason.contains("andere naam"), "{}", b.rejected[1].reason);
}

#[test]
fn duplicate_pupils_with_conflicting_names() {
    let text = "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Geboortedatum\n\
        7;Daniëlle;van 't;Hof;04-03-2012\n\
        7;Daniëlle;van 't;Hof;04-03-2012\n\
        7;Daniëlle;van der;Hof;04-03-2012\n\
        7;Daniëlle;van 't;Hof;05-03-2012\n\
        8;Noël;;Visser;\n";
    let b = parse_pupils(text.as_bytes(), "leerlingen.csv", &school(), &opts()).unwrap();
    assert_eq!(b.pupils.len(), 2);
    assert_eq!(b.duplicates, 1);
    assert_eq!(b.rejected.iter().map(|p| p.line).collect::<Vec<_>>(), vec![4, 5]);
    assert!(b.rejected[0].reason.contains("andere naam"), "{}", b.rejected[0].reason);
    assert!(b.rejected[1].reason.contains("geboortedatum"), "{}", b.rejected[1].reason);
}

#[test]
fn pupils_file_values() {
    let text = "LAS-nummer;Roepnaam;Achternaam;Geslacht;Gewicht;Opleiding ouders;OPP;Kenmerken;Noodopvang;Jaargroep;Groep;Schooljaar\n\
        001;Daniëlle;Hof;V;0,3;laag;ja;kwetsbaar, langdurig afwezig;x;5;5A;2020-2021\n\
        002;Noël;Visser;Q;0;;nee;;;5;5A;2020-2021\n\
        003;Zoë;Bos;V;0,5;;nee;;;5;5A;2020-2021\n\
        004;Sem;Vos;M;;hoog;misschien;;;5;5A;2020-2021\n\
        005;Liam;Smit;M;;;;;;6;5A;2020-2021\n\
        006;Emma;Mulder;V;;;;;;5;5A;2020\n";
    let b = parse_pupils(text.as_bytes(), "leerlingen.csv", &school(), &opts()).unwrap();
    assert_eq!(b.pupils.len(), 1);
    let p = &b.pupils[0];
    assert_eq!(p.number.as_str(), "001");
    assert!(p.opp);
    assert_eq!(p.risk_flags, ["kwetsbaar", "langdurig afwezig", "noodopvang"]);
    assert_eq!(b.enrolments.len(), 1);
    let cols: Vec<_> = b.rejected.iter().map(|p| (p.line, p.column.as_str())).collect();
    assert_eq!(cols, [(3, "Geslacht"), (4, "Gewicht"), (5, "OPP"), (6, "Jaargroep"), (7, "Schooljaar")]);
}

#[test]
fn seo_file() {
    let text = "Leerlingnummer;Instrument;Dimensie;Informant;Datum;Score;Signaal\n\
        1;ZIEN!;Welbevinden;Leerkracht;15-11-2020;3,4;\n\
        1;ZIEN!;Betrokkenheid;Leerkracht;15-11-2020;2,1;aandacht\n\
        1;ZIEN!;Betrokkenheid;Leerkracht;15-11-2020;2,1;aandacht\n\
        1;ZIEN!;Betrokkenheid;Leerkracht;15-11-2020;2,5;aandacht\n\
        2;KanVAS;Veiligheidsbeleving;Leerling;15-11-2020;n.v.t.;\n\
        3;SCOL;Aardig doen;buurman;15-11-2020;3;\n\
        4;Hart & Ziel;Ervaren veiligheid;Ouder;31-11-2020;3;\n";
    let b = parse_seo(text.as_bytes(), "zien.csv", &school(), &opts()).unwrap();
    assert_eq!(b.read, 7);
    assert_eq!(b.observations.len(), 2);
    assert_eq!(b.duplicates, 1);
    assert_eq!(b.observations[1].signal.as_deref(), Some("aandacht"));
    assert_eq!(b.observations[0].value, 3.4);
    assert_eq!(b.observations[0].dimension, "welbevinden");
    assert_eq!(b.skipped.iter().map(|p| p.line).collect::<Vec<_>>(), vec![6]);
    let lines: Vec<_> = b.rejected.iter().map(|p| (p.line, p.column.as_str())).collect();
    assert_eq!(lines, [(5, "Score"), (7, "Informant"), (8, "Datum")]);
    // Missing SEO columns.
    let e = parse_seo(b"Leerlingnummer;Waarde\n1;3\n", "x.csv", &school(), &opts()).unwrap_err();
    assert!(e.to_string().contains("informant"), "{e}");
}

#[test]
fn mapping_file_names_columns_and_tests() {
    let mapping = Mapping::from_toml(
        r#"
[bestand]
leverancier = "cito"

[kolommen]
"Lln" = "leerlingnummer"
"Wat" = "toets"
"Wanneer" = "afnamedatum"
"Uitslag" = "vaardigheidsscore"
"Naam" = "negeren"

[[toetsen]]
naam = "Rekentuin"
leverancier = "Oefenweb"
vak = "rekenen_wiskunde"
schaal = { code = "rating", soort = "norm_referenced", min = 0, max = 1000 }

[[toetsen]]
naam = "Rek"
als = "Rekenen-Wiskunde 3.0"
"#,
    )
    .unwrap();
    let text = "Lln;Naam;Wat;Wanneer;Uitslag\n1;Hof;Rekentuin;27-01-2021;650\n1;Hof;Rek;27-01-2021;180\n2;Bos;Rekentuin;27-01-2021;1650\n";
    // Without the mapping: a Dutch error listing the unrecognised headers.
    let e = scores(text.as_bytes(), "x.csv").unwrap_err();
    assert!(e.to_string().contains("Niet herkend: Lln; Naam; Wat; Wanneer."), "{e}");
    assert!(e.to_string().contains("Herkend: Uitslag → vaardigheidsscore."), "{e}");
    let o = ImportOptions { mapping: Some(mapping), ..opts() };
    let b = parse_scores(text.as_bytes(), "x.csv", &school(), &o).unwrap();
    assert_eq!(b.scores.len(), 2);
    let rt = b.tests.iter().find(|t| t.name == "Rekentuin").unwrap();
    assert_eq!(rt.key, "oefenweb:rekentuin");
    assert_eq!(rt.scale.code, "oefenweb_rating");
    assert_eq!(b.tests.iter().filter(|t| t.key == "cito:rekenen-wiskunde:3.0").count(), 1);
    assert_eq!(b.rejected.len(), 1);
    assert!(b.rejected[0].reason.contains("0 tot en met 1000"), "{}", b.rejected[0].reason);
}

#[test]
fn hundred_megabyte_file() {
    // ~100 MB: rows with a long remark column, so the test stays fast while the reader, the
    // decoder and the line counter see the full size. One bad line near the end.
    let remark = "x".repeat(480);
    let mut text = String::with_capacity(101 * 1024 * 1024);
    text.push_str("Leerlingnummer;Toets;Afnamedatum;Vaardigheidsscore;Opmerking\r\n");
    let mut n = 0u64;
    while text.len() < 100 * 1024 * 1024 {
        n += 1;
        text.push_str(&format!("{n};Spelling 3.0;27-01-2021;150;{remark}\r\n"));
    }
    text.push_str("bad;Spelling 3.0;27-01-2021;abc;\r\n");
    let b = scores(text.as_bytes(), "groot.csv").unwrap();
    assert!(text.len() >= 100 * 1024 * 1024);
    assert_eq!(b.read, n + 1);
    assert_eq!(b.scores.len() as u64, n);
    assert_eq!(b.rejected.len(), 1);
    assert_eq!(b.rejected[0].line, n + 2);
    // And a size limit gives a Dutch error instead of reading.
    let o = ImportOptions { max_bytes: 1024, ..opts() };
    let e = parse_scores(text.as_bytes(), "groot.csv", &school(), &o).unwrap_err();
    assert!(e.to_string().contains("te groot"), "{e}");
}

#[test]
fn wrong_delimiter_in_mapping_and_header_row() {
    let fx = scores_export(3);
    let m = Mapping::from_toml("[bestand]\nscheidingsteken = \",\"\n").unwrap();
    let o = ImportOptions { mapping: Some(m), ..opts() };
    let e = parse_scores(fx.text.as_bytes(), "x.csv", &school(), &o).unwrap_err();
    assert!(matches!(e, ImportError::Headers { .. }), "{e:?}");
    assert!(e.to_string().contains("niet (volledig) herkend"), "{e}");
    // The header can be anywhere in the first ten rows.
    let text = format!(
        "Export ParnasSys;;;\nDatum: 01-02-2021;;;\n\n{HEADER}\n000001;Daniëlle;;Hof;01-01-2012;5A;Spelling 3.0;M5;27-01-2021;150;I;50;\n"
    );
    let b = scores(text.as_bytes(), "x.csv").unwrap();
    assert_eq!(b.info.header_line, 4);
    assert_eq!(b.scores.len(), 1);
}

#[test]
fn a_far_away_cell_does_not_make_a_huge_grid() {
    // A workbook with A1 and a cell near XFD1048576: read cell by cell, never as a 16k × 1M grid.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in H.split(';').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (c, v) in ["1", "Hof", "Spelling 3.0", "27-01-2021", "150"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    ws.write_string(1_048_575, 0, "2").unwrap();
    let b = scores(&wb.save_to_buffer().unwrap(), "ver.xlsx").unwrap();
    assert_eq!(b.scores.len(), 1);
    assert_eq!(b.rejected.len(), 1);
    assert_eq!(b.rejected[0].line, 1_048_576);
}
