#![allow(clippy::unwrap_used)]
//! `schoolscan import` end to end, through the real binary: the acceptance criterion of issue 3
//! (a realistic Windows-1252 export of a few thousand rows with one bad row of each kind), re-import,
//! an overlapping later export, `--strict`, `--dry-run`, mappings remembered per school, and the
//! pupils and SEO files.

mod common;

use std::path::Path;
use std::process::Output;

use common::{cp1252, export, json, run, status, stderr, write_file};
use schoolscan_store::{AccessStore, SqliteStore};

const NEW_SCHOOL: [&str; 4] = ["--create-school", "De Regenboog", "--board", "stichting-oost"];

fn import_scores(db: &Path, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["import", "scores", file.to_str().unwrap(), "--school", "12AB"];
    if !extra.contains(&"--format") {
        args.extend_from_slice(&["--format", "json"]);
    }
    args.extend_from_slice(extra);
    run(db, &args)
}

#[test]
fn realistic_export_strict_dry_run_import_reimport_and_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let fx = export(500, 0, 0.0);
    assert!(fx.data_rows > 3000, "a few thousand rows: {}", fx.data_rows);
    let bytes = cp1252(&fx.text);
    assert!(std::str::from_utf8(&bytes).is_err(), "the file is Windows-1252, not UTF-8");
    let file = write_file(dir.path(), "toetsen-2021.csv", &bytes);

    // --strict: the rejected rows refuse the whole import; nothing is written, not even the school.
    let out = import_scores(&db, &file, &[&NEW_SCHOOL[..], &["--strict"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("Niets opgeslagen"), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["rejected"].as_array().unwrap().len(), 3);
    assert_eq!(r["imported"], 0);
    let s = status(&db);
    assert_eq!((s["scores"].as_u64(), s["schools"].as_u64()), (Some(0), Some(0)));

    // --dry-run: the exact counts, nothing written.
    let out = import_scores(&db, &file, &[&NEW_SCHOOL[..], &["--dry-run"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["imported"].as_u64(), Some(fx.valid));
    assert_eq!(status(&db)["scores"], 0);
    assert_eq!(status(&db)["pupils"], 0);

    // The import.
    let out = import_scores(&db, &file, &NEW_SCHOOL);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["read"].as_u64(), Some(fx.data_rows));
    assert_eq!(r["imported"].as_u64(), Some(fx.valid));
    assert_eq!(r["updated"], 0);
    assert_eq!(r["duplicates"], 1);
    assert_eq!(r["info"]["encoding"], "windows-1252", "{}", r["info"]);
    let skipped = r["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["line"].as_u64(), Some(fx.skipped));
    assert_eq!(skipped[0]["value"], "n.v.t.");
    let rejected: Vec<(u64, String)> = r["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["column"].as_str().unwrap().to_owned()))
        .collect();
    let expected: Vec<(u64, String)> = fx.rejected.iter().map(|(l, c)| (*l, (*c).to_owned())).collect();
    assert_eq!(rejected, expected);
    let reasons: Vec<&str> =
        r["rejected"].as_array().unwrap().iter().map(|p| p["reason"].as_str().unwrap()).collect();
    assert!(reasons[0].contains("onmogelijke datum"), "{reasons:?}");
    assert!(reasons[1].contains("geen leerlingnummer"), "{reasons:?}");
    assert!(reasons[2].contains("geen getal"), "{reasons:?}");
    assert_eq!(r["rejected"][2]["value"], "veertig");
    // The line numbers are those of the file (the header is line 1).
    let line = |n: u64| fx.text.split("\r\n").nth(n as usize - 1).unwrap().to_owned();
    assert!(line(fx.rejected[0].0).contains("30-02-2021"));
    assert!(line(fx.rejected[1].0).starts_with(';'));
    assert!(line(fx.skipped).contains("n.v.t."));
    let s = status(&db);
    assert_eq!(s["scores"].as_u64(), Some(fx.valid));
    assert_eq!(s["pupils"].as_u64(), Some(500));
    assert_eq!(s["schools"], 1);

    // The same file again adds nothing.
    let out = import_scores(&db, &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!((r["imported"].as_u64(), r["updated"].as_u64()), (Some(0), Some(0)));
    assert_eq!(status(&db)["scores"].as_u64(), Some(fx.valid));

    // A later export overlapping the first: pupils 400..600, every score of 400..500 the same except
    // pupil 450's, which were corrected. Adds only pupils 500..600, updates only pupil 450.
    let later = export(200, 400, 0.0);
    let from = format!("{:05};", 20450);
    let corrected = change_score(&later.text, &from, "Spelling 3.0;E");
    let file2 = write_file(dir.path(), "toetsen-2021-later.csv", &cp1252(&corrected));
    let out = import_scores(&db, &file2, &["--format", "text"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("nieuw: {}; bijgewerkt: 1;", 100 * 6)), "{text}");
    assert!(text.contains("codering: Windows-1252"), "{text}");
    assert!(
        text.contains(&format!("regel {}, kolom 'Afnamedatum', waarde '30-02-2021'", later.rejected[0].0)),
        "{text}"
    );
    assert_eq!(status(&db)["scores"].as_u64(), Some(fx.valid + 600));
}

/// `text` with the score of the row of `pupil_prefix` with `cell` (test;moment-letter) raised by 1.
fn change_score(text: &str, pupil_prefix: &str, cell: &str) -> String {
    let mut done = false;
    text.split("\r\n")
        .map(|l| {
            if !done && l.starts_with(pupil_prefix) && l.contains(cell) {
                done = true;
                let mut cells: Vec<String> = l.split(';').map(str::to_owned).collect();
                let v: f64 = cells[8].replace(',', ".").parse().unwrap();
                cells[8] = format!("{:.1}", v + 1.0).replace('.', ",");
                cells.join(";")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
fn an_unknown_school_is_refused_in_dutch() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let file = write_file(
        dir.path(),
        "t.csv",
        b"Leerlingnummer;Toets;Afnamedatum;Vaardigheidsscore\n1;Spelling 3.0;27-01-2021;150\n",
    );
    let out = import_scores(&db, &file, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("school 12AB staat niet in de database"), "{err}");
    assert!(err.contains("--create-school"), "{err}");
}

#[test]
fn unknown_headers_then_a_mapping_that_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let text = "Lln;Naam toets;Datum afname;Uitslag\n1;Spelling 3.0;27-01-2021;150\n2;Spelling 3.0;28-01-2021;151,5\n";
    let file = write_file(dir.path(), "raar.csv", text.as_bytes());
    let out = import_scores(&db, &file, &NEW_SCHOOL);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("niet (volledig) herkend"), "{err}");
    assert!(err.contains("Niet herkend: Lln"), "{err}");
    assert!(err.contains("--mapping"), "{err}");

    let mapping = write_file(
        dir.path(),
        "koppeling.toml",
        "[kolommen]\n\"Lln\" = \"leerlingnummer\"\n\"Naam toets\" = \"toets\"\n\"Datum afname\" = \"afnamedatum\"\n\"Uitslag\" = \"vaardigheidsscore\"\n"
            .as_bytes(),
    );
    // A dry run does not remember the mapping.
    let out = import_scores(
        &db,
        &file,
        &[&NEW_SCHOOL[..], &["--dry-run", "--mapping", mapping.to_str().unwrap()]].concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["imported"], 2);
    let out = import_scores(&db, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "no school yet, and no mapping remembered");

    let out =
        import_scores(&db, &file, &[&NEW_SCHOOL[..], &["--mapping", mapping.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["imported"], 2);

    // A later file with the same odd headers: the school's mapping is used without --mapping.
    let text2 = "Lln;Naam toets;Datum afname;Uitslag\n3;Spelling 3.0;27-01-2021;149\n";
    let file2 = write_file(dir.path(), "raar2.csv", text2.as_bytes());
    let out = import_scores(&db, &file2, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["imported"], 1);
    assert!(r["info"]["notes"].to_string().contains("eerder gebruikte"), "{}", r["info"]);

    // A broken mapping file is reported with its line.
    let bad = write_file(dir.path(), "kapot.toml", b"[kolommen]\n\"Lln\" = \"leerlingnumer\"\n");
    let out = import_scores(&db, &file2, &["--mapping", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("regel 2"), "{}", stderr(&out));
}

#[test]
fn pupils_and_seo_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let pupils = "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Geboortedatum;Groep;Jaargroep;Schooljaar\n\
        1;Daniëlle;van 't;Hof;03-04-2013;5A;5;2020-2021\n\
        2;Zoë;;Müller;31-02-2013;5A;5;2020-2021\n\
        3;Sem;de;Vries;12-12-2012;5B;5;2020-2021\n\
        3;Sem;de;Vries;12-12-2012;5B;5;2020-2021\n";
    let file = write_file(dir.path(), "leerlingen.csv", &cp1252(pupils));
    let args = ["import", "pupils", file.to_str().unwrap(), "--school", "12AB", "--format", "json"];
    let out = run(&db, &[&args[..], &NEW_SCHOOL[..]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(
        (r["read"].as_u64(), r["imported"].as_u64(), r["duplicates"].as_u64()),
        (Some(4), Some(2), Some(1))
    );
    assert_eq!(r["rejected"][0]["line"], 3);
    assert_eq!(status(&db)["pupils"], 2);
    let out = run(&db, &args);
    assert_eq!(json(&out)["imported"], 0);

    let seo = "Leerlingnummer;Instrument;Dimensie;Informant;Datum;Score\n\
        1;ZIEN!;Welbevinden;Leerkracht;15-11-2020;3,4\n\
        3;ZIEN!;Welbevinden;Leerkracht;15-11-2020;n.v.t.\n";
    let file = write_file(dir.path(), "zien.csv", seo.as_bytes());
    let out = run(&db, &["import", "seo", file.to_str().unwrap(), "--school", "12AB", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["imported"], 1);
    assert_eq!(r["skipped"][0]["line"], 3);
    assert_eq!(status(&db)["observations"], 1);
}

#[test]
fn several_files_are_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let a = export(120, 0, 0.0);
    let b = export(120, 60, 0.0); // pupils 60..180: half of them also in the first file
    let fa = write_file(dir.path(), "a.csv", &cp1252(&a.text));
    let fb = write_file(dir.path(), "b.csv", &cp1252(&b.text));
    let broken = write_file(dir.path(), "kapot.csv", b"Wat;Is;Dit\n1;2;3\n");
    let (fa, fb, broken) = (fa.to_str().unwrap(), fb.to_str().unwrap(), broken.to_str().unwrap());
    let run_files = |files: &[&str], extra: &[&str]| {
        let mut args = vec!["import", "scores"];
        args.extend_from_slice(files);
        args.extend_from_slice(&["--school", "12AB", "--format", "json"]);
        args.extend_from_slice(&NEW_SCHOOL);
        args.extend_from_slice(extra);
        run(&db, &args)
    };
    // A file that cannot be read after a good one: nothing of the good one lands either.
    let out = run_files(&[fa, broken], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("kapot.csv"), "{}", stderr(&out));
    assert_eq!(status(&db)["scores"], 0);
    assert_eq!(status(&db)["schools"], 0);
    // --strict over two files: the rejected rows of either refuse both.
    let out = run_files(&[fa, fb], &["--strict"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(status(&db)["scores"], 0);
    // Both: one report each; the second counts only what the first did not bring.
    let out = run_files(&[fa, fb], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r.as_array().unwrap().len(), 2);
    assert_eq!(r[0]["file"], "a.csv");
    assert_eq!(r[0]["imported"].as_u64(), Some(a.valid));
    assert_eq!(r[1]["imported"].as_u64(), Some(60 * 6));
    assert_eq!(status(&db)["scores"].as_u64(), Some(180 * 6));
    assert_eq!(status(&db)["pupils"], 180);
}

/// Every import that writes is one audit record, written in its transaction (so `tests/crash.rs`
/// can check that a killed import never leaves data without it); a dry run or a refused import
/// writes none.
#[test]
fn each_written_import_has_one_audit_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let audit_log = |db: &Path| SqliteStore::open(db).unwrap().audit_log(None).unwrap();
    let audits = |db: &Path| audit_log(db).len();
    // 120 pupils: one rejected row, so that --strict refuses.
    let fx = export(120, 0, 0.0);
    assert_eq!(fx.rejected.len(), 1);
    let file = write_file(dir.path(), "t.csv", &cp1252(&fx.text));
    for (extra, code) in [("--dry-run", 0), ("--strict", 2)] {
        let out = import_scores(&db, &file, &[&NEW_SCHOOL[..], &[extra]].concat());
        assert_eq!(out.status.code(), Some(code), "{extra}: {}", stderr(&out));
    }
    assert_eq!(audits(&db), 0);
    assert!(import_scores(&db, &file, &NEW_SCHOOL).status.success());
    assert_eq!(audits(&db), 1);
    let pupils = write_file(dir.path(), "l.csv", b"Leerlingnummer;Roepnaam\n1;Sem\n");
    let out = run(&db, &["import", "pupils", pupils.to_str().unwrap(), "--school", "12AB"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let routes: Vec<(String, String, String)> = audit_log(&db)
        .into_iter()
        .map(|c| (c.record.route, c.record.category, c.record.acting_for))
        .collect();
    assert_eq!(
        routes,
        [
            ("schoolscan import scores".into(), "toets".into(), "stichting-oost/12AB".into()),
            ("schoolscan import pupils".into(), "identiteit".into(), "stichting-oost/12AB".into()),
        ]
    );
}
