//! Generators for realistic Dutch LVS exports, shared by the integration tests and the benchmark.
#![allow(dead_code, clippy::unwrap_used)]

use schoolscan_domain::Brin;

pub fn school() -> Brin {
    Brin::parse("12AB").unwrap()
}

pub fn cp1252(s: &str) -> Vec<u8> {
    let (b, _, unmappable) = encoding_rs::WINDOWS_1252.encode(s);
    assert!(!unmappable, "fixture text not representable in Windows-1252");
    b.into_owned()
}

/// A tiny deterministic generator (no external randomness: the fixture is the same on every run).
pub struct Lcg(u64);
impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub const FIRST: &[&str] = &[
    "Daniëlle",
    "Zoë",
    "Chloé",
    "Noël",
    "Björn",
    "Anaïs",
    "Sem",
    "Liam",
    "Emma",
    "Jeroen",
    "Fenna",
    "Mohammed",
    "Ilse",
    "Thijs",
    "Inès",
    "Ruben",
];
pub const PREFIX: &[&str] = &["", "", "", "van", "van 't", "de", "van der", "ten", "'t"];
pub const LAST: &[&str] = &[
    "Hof", "Jansen", "Bakker", "Müller", "Visser", "Smit", "Meijer", "Çelik", "Brouwer", "Mulder", "Groot",
    "Bos", "Vos", "Peters",
];

/// One generated scores export plus what a correct parser must find in it.
pub struct ScoresFixture {
    pub text: String,
    pub data_rows: u64,
    pub valid_scores: u64,
    pub pupils: u64,
    pub duplicate_lines: Vec<u64>,
    pub skipped_lines: Vec<u64>,
    /// (line, column header) of each rejected row.
    pub rejected: Vec<(u64, &'static str)>,
}

pub const HEADER: &str = "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Geboortedatum;Groep;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore;Niveau;Percentiel;Opmerking";

/// A long-layout Cito export of `n_pupils` pupils with 12 scores each (3 tests × M/E × 2 years),
/// `;`-separated, decimal comma, `dd-mm-yyyy`, CRLF, one remark with an embedded newline, and the
/// five kinds of bad rows of the acceptance criterion inserted at known places.
pub fn scores_export(n_pupils: u64) -> ScoresFixture {
    let mut rng = Lcg::new(42);
    let mut out = String::with_capacity(n_pupils as usize * 12 * 110);
    let mut line = 1u64;
    let push = |out: &mut String, row: &str, line: &mut u64| -> u64 {
        let at = *line;
        out.push_str(row);
        out.push_str("\r\n");
        *line += 1 + row.matches('\n').count() as u64;
        at
    };
    push(&mut out, HEADER, &mut line);
    let tests = [("Rekenen-Wiskunde 3.0", 30.0), ("Begrijpend lezen 3.0", 25.0), ("Spelling 3.0", 20.0)];
    let mut data_rows = 0;
    let mut valid = 0;
    let mut f = ScoresFixture {
        text: String::new(),
        data_rows: 0,
        valid_scores: 0,
        pupils: n_pupils,
        duplicate_lines: vec![],
        skipped_lines: vec![],
        rejected: vec![],
    };
    let mut last_row = String::new();
    for p in 0..n_pupils {
        let number = format!("{:06}", 1000 + p);
        let first = FIRST[(p as usize) % FIRST.len()];
        let prefix = PREFIX[(p as usize / 3) % PREFIX.len()];
        let last = LAST[(p as usize / 7) % LAST.len()];
        let grade = 3 + (p % 5); // groep 3..7 in 2019-2020, one higher in 2020-2021
        let birth_year = 2019 - grade as i32 - 6 + 1;
        let birth = format!("{:02}-{:02}-{}", 1 + rng.below(28), 1 + rng.below(12), birth_year);
        for (yi, year) in [2019i32, 2020].into_iter().enumerate() {
            let g = grade + yi as u64;
            let group = format!("{g}{}", ["A", "B"][(p % 2) as usize]);
            for (t, (test, base)) in tests.iter().enumerate() {
                for (mk, month, day) in [("M", 1, 20 + t as u64), ("E", 6, 1 + t as u64)] {
                    let y = year + 1;
                    let date = format!("{:02}-{:02}-{y}", day, month);
                    let ability = 100.0 + base * (g as f64 - 3.0) + (rng.below(400) as f64) / 10.0;
                    let ability = format!("{ability:.1}").replace('.', ",");
                    let level = ["I", "II", "III", "IV", "V"][rng.below(5) as usize];
                    let pct = 1 + rng.below(99);
                    let remark = if p == 3 && t == 0 && mk == "M" && yi == 0 {
                        "\"ziek geweest;\ninhaaltoets\"".to_owned()
                    } else {
                        String::new()
                    };
                    let row = format!(
                        "{number};{first};{prefix};{last};{birth};{group};{test};{mk}{g};{date};{ability};{level};{pct};{remark}"
                    );
                    push(&mut out, &row, &mut line);
                    data_rows += 1;
                    valid += 1;
                    last_row = row;
                }
            }
        }
        // The bad rows, spread through the file.
        if p == n_pupils / 5 {
            let l = push(&mut out, &last_row, &mut line); // exact duplicate of the previous row
            f.duplicate_lines.push(l);
            data_rows += 1;
        }
        if p == n_pupils / 4 {
            let row = format!(
                "{number};{first};{prefix};{last};{birth};7A;Woordenschat 3.0;M7;25-01-2021;n.v.t.;;;"
            );
            f.skipped_lines.push(push(&mut out, &row, &mut line));
            data_rows += 1;
        }
        if p == n_pupils / 3 {
            let row = format!(
                "{number};{first};{prefix};{last};{birth};7A;Woordenschat 3.0;M7;31-02-2021;150,0;III;50;"
            );
            f.rejected.push((push(&mut out, &row, &mut line), "Afnamedatum"));
            data_rows += 1;
        }
        if p == n_pupils / 2 {
            let row =
                format!(";{first};{prefix};{last};{birth};7A;Woordenschat 3.0;M7;25-01-2021;150,0;III;50;");
            f.rejected.push((push(&mut out, &row, &mut line), "Leerlingnummer"));
            data_rows += 1;
        }
        if p == 2 * n_pupils / 3 {
            let row = format!(
                "{number};{first};{prefix};{last};{birth};7A;Woordenschat 3.0;M7;25-01-2021;12o,5;III;50;"
            );
            f.rejected.push((push(&mut out, &row, &mut line), "Vaardigheidsscore"));
            data_rows += 1;
        }
    }
    out.push_str("\r\n\r\n"); // blank trailing lines
    f.text = out;
    f.data_rows = data_rows;
    f.valid_scores = valid;
    f
}
