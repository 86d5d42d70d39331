//! Helpers shared by the `schoolscan import` tests: running the real binary, and a realistic
//! Dutch scores export of any size.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn schoolscan(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_schoolscan"));
    c.arg("--db").arg(db);
    c
}

pub fn run(db: &Path, args: &[&str]) -> Output {
    schoolscan(db).args(args).output().unwrap()
}

pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), stderr(out)))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn status(db: &Path) -> Value {
    let out = run(db, &["status", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    json(&out)
}

/// Windows-1252 for the text of these fixtures (Latin-1 letters only, which cp1252 encodes as
/// their code point).
pub fn cp1252(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| {
            let n = c as u32;
            assert!(n < 0x80 || (0xA0..=0xFF).contains(&n), "not in the fixture alphabet: {c}");
            n as u8
        })
        .collect()
}

pub const HEADER: &str = "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Groep;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore;Opmerking";

/// A Dutch long export: for each pupil, 3 tests × M/E in one school year; names with diacritics
/// and prefixes; decimal comma; dd-mm-yyyy; CRLF. Returns the text and, per row, its line.
pub struct Export {
    pub text: String,
    pub lines: u64,
    pub valid: u64,
    pub data_rows: u64,
    pub duplicate: u64,
    pub skipped: u64,
    /// (line, column) of the rejected rows, in file order.
    pub rejected: Vec<(u64, &'static str)>,
}

pub fn export(pupils: u64, first_pupil: u64, score_shift: f64) -> Export {
    let first = ["Daniëlle", "Zoë", "Chloé", "Noël", "Anaïs", "Sem", "Fenna", "Thijs"];
    let prefix = ["", "van 't", "de", "", "van der", "ten"];
    let last = ["Hof", "Jansen", "Müller", "Çelik", "Visser", "Bakker", "Brouwer"];
    let tests = ["Rekenen-Wiskunde 3.0", "Begrijpend lezen 3.0", "Spelling 3.0"];
    let mut e = Export {
        text: String::new(),
        lines: 1,
        valid: 0,
        data_rows: 0,
        duplicate: 0,
        skipped: 0,
        rejected: vec![],
    };
    e.text.push_str(HEADER);
    e.text.push_str("\r\n");
    let push = |e: &mut Export, row: &str| -> u64 {
        e.text.push_str(row);
        e.text.push_str("\r\n");
        e.lines += 1;
        e.data_rows += 1;
        e.lines
    };
    for p in first_pupil..first_pupil + pupils {
        let number = format!("{:05}", 20000 + p);
        let (f, x, l) = (first[p as usize % 8], prefix[p as usize % 6], last[p as usize % 7]);
        let grade = 3 + p % 6;
        let group = format!("{grade}{}", if p % 2 == 0 { "A" } else { "B" });
        let mut last_row = String::new();
        for (t, test) in tests.iter().enumerate() {
            for (m, date) in [("M", format!("{:02}-01-2021", 18 + t)), ("E", format!("{:02}-06-2021", 7 + t))]
            {
                let score = 100.0
                    + 20.0 * (grade as f64 - 3.0)
                    + ((p * 7 + t as u64 * 3) % 40) as f64 / 2.0
                    + if m == "E" { 6.5 } else { 0.0 }
                    + score_shift;
                let score = format!("{score:.1}").replace('.', ",");
                let row = format!("{number};{f};{x};{l};{group};{test};{m}{grade};{date};{score};");
                push(&mut e, &row);
                e.valid += 1;
                last_row = row;
            }
        }
        if p == first_pupil + 10 {
            e.duplicate = push(&mut e, &last_row);
        }
        if p == first_pupil + 50 {
            e.skipped = push(
                &mut e,
                &format!("{number};{f};{x};{l};{group};Woordenschat 3.0;M{grade};25-01-2021;n.v.t.;"),
            );
        }
        if p == first_pupil + 100 {
            let l = push(
                &mut e,
                &format!("{number};{f};{x};{l};{group};Woordenschat 3.0;M{grade};30-02-2021;140,0;"),
            );
            e.rejected.push((l, "Afnamedatum"));
        }
        if p == first_pupil + 200 {
            let l =
                push(&mut e, &format!(";{f};{x};{l};{group};Woordenschat 3.0;M{grade};25-01-2021;140,0;"));
            e.rejected.push((l, "Leerlingnummer"));
        }
        if p == first_pupil + 300 {
            let l = push(
                &mut e,
                &format!("{number};{f};{x};{l};{group};Woordenschat 3.0;M{grade};25-01-2021;veertig;"),
            );
            e.rejected.push((l, "Vaardigheidsscore"));
        }
    }
    e
}

pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}
