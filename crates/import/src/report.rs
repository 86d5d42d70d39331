//! The import report as the CLI and the web show it (`read`, `imported`, `updated`, `duplicates`,
//! `skipped`, `rejected`), and the batches as [`Dataset`]s for the store.
//!
//! `imported` and `updated` come from the store's write (new records, changed records); a dry run
//! reports what would be new as `imported` with `updated` 0 unless the caller knows better.

use schoolscan_domain::Dataset;
use serde::{Deserialize, Serialize};

use crate::{FileInfo, Problem, PupilBatch, ScoreBatch, SeoBatch};

/// One file's import report. JSON keys are part of the CLI contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub file: String,
    pub read: u64,
    pub imported: u64,
    pub updated: u64,
    pub duplicates: u64,
    pub skipped: Vec<Problem>,
    pub rejected: Vec<Problem>,
    pub info: FileInfo,
}

impl Report {
    /// A report for a parsed batch and the store's counts of new and changed records.
    pub fn new(
        info: &FileInfo,
        read: u64,
        duplicates: u64,
        skipped: &[Problem],
        rejected: &[Problem],
    ) -> Self {
        Report {
            file: info.file_name.clone(),
            read,
            imported: 0,
            updated: 0,
            duplicates,
            skipped: skipped.to_vec(),
            rejected: rejected.to_vec(),
            info: info.clone(),
        }
    }

    pub fn with_counts(mut self, imported: u64, updated: u64) -> Self {
        self.imported = imported;
        self.updated = updated;
        self
    }

    /// The report as Dutch text for a terminal.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let i = &self.info;
        let mut s = String::new();
        let _ = writeln!(s, "Bestand: {}", self.file);
        let _ = writeln!(s, "  soort: {}; codering: {}", i.format.label(), i.encoding.label());
        if let Some(d) = &i.delimiter {
            let _ = writeln!(s, "  scheidingsteken: {d}; decimaalteken: {}", i.decimal.label());
        }
        if let Some(sheet) = &i.sheet {
            let _ = writeln!(s, "  werkblad: {sheet}");
        }
        if let Some(l) = i.layout {
            let _ = writeln!(s, "  indeling: {}", l.label());
        }
        let _ = writeln!(s, "  kopregel: regel {}", i.header_line);
        let rec: Vec<String> = i.recognised.iter().map(|(h, f)| format!("{h} → {f}")).collect();
        let _ = writeln!(s, "  herkende kolommen: {}", rec.join("; "));
        if !i.unrecognised.is_empty() {
            let _ = writeln!(s, "  niet gebruikte kolommen: {}", i.unrecognised.join("; "));
        }
        for n in &i.notes {
            let _ = writeln!(s, "  let op: {n}");
        }
        let _ = writeln!(
            s,
            "Gelezen: {}; nieuw: {}; bijgewerkt: {}; dubbel: {}; overgeslagen: {}; afgewezen: {}",
            self.read,
            self.imported,
            self.updated,
            self.duplicates,
            self.skipped.len(),
            self.rejected.len()
        );
        for (title, list) in [("Afgewezen", &self.rejected), ("Overgeslagen", &self.skipped)] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(s, "{title}:");
            for p in list {
                let col = if p.column.is_empty() { String::new() } else { format!(", kolom '{}'", p.column) };
                let val = if p.value.is_empty() { String::new() } else { format!(", waarde '{}'", p.value) };
                let _ = writeln!(s, "  regel {}{col}{val}: {}", p.line, p.reason);
            }
        }
        s
    }
}

impl ScoreBatch {
    pub fn report(&self) -> Report {
        Report::new(&self.info, self.read, self.duplicates, &self.skipped, &self.rejected)
    }
    /// The records to write: pupils, enrolments, tests and scores.
    pub fn to_dataset(&self) -> Dataset {
        Dataset {
            pupils: self.pupils.clone(),
            enrolments: self.enrolments.clone(),
            tests: self.tests.clone(),
            scores: self.scores.clone(),
            ..Dataset::default()
        }
    }
    /// [`Self::to_dataset`] without copying (a large file's records are moved, not cloned).
    pub fn into_dataset(self) -> Dataset {
        Dataset {
            pupils: self.pupils,
            enrolments: self.enrolments,
            tests: self.tests,
            scores: self.scores,
            ..Dataset::default()
        }
    }
}

impl PupilBatch {
    pub fn report(&self) -> Report {
        Report::new(&self.info, self.read, self.duplicates, &self.skipped, &self.rejected)
    }
    pub fn to_dataset(&self) -> Dataset {
        Dataset { pupils: self.pupils.clone(), enrolments: self.enrolments.clone(), ..Dataset::default() }
    }
    pub fn into_dataset(self) -> Dataset {
        Dataset { pupils: self.pupils, enrolments: self.enrolments, ..Dataset::default() }
    }
}

impl SeoBatch {
    pub fn report(&self) -> Report {
        Report::new(&self.info, self.read, self.duplicates, &self.skipped, &self.rejected)
    }
    pub fn to_dataset(&self) -> Dataset {
        Dataset { pupils: self.pupils.clone(), observations: self.observations.clone(), ..Dataset::default() }
    }
    pub fn into_dataset(self) -> Dataset {
        Dataset { pupils: self.pupils, observations: self.observations, ..Dataset::default() }
    }
}

#[cfg(test)]
mod tests {

    use crate::{ImportOptions, parse_scores};

    #[test]
    fn json_keys_and_dutch_text() {
        let school = schoolscan_domain::Brin::parse("12AB").unwrap();
        let text = "Leerlingnummer;Toets;Afnamedatum;Vaardigheidsscore\n1;Spelling 3.0;27-01-2021;150\n2;Spelling 3.0;31-02-2021;150\n3;Spelling 3.0;27-01-2021;n.v.t.\n";
        let b = parse_scores(text.as_bytes(), "t.csv", &school, &ImportOptions::default()).unwrap();
        let r = b.report().with_counts(1, 0);
        let v = serde_json::to_value(&r).unwrap();
        for k in ["read", "imported", "updated", "duplicates", "skipped", "rejected"] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["rejected"][0]["line"], 3);
        assert_eq!(v["rejected"][0]["column"], "Afnamedatum");
        assert_eq!(v["rejected"][0]["value"], "31-02-2021");
        assert_eq!(v["skipped"][0]["line"], 4);
        let t = r.to_text();
        assert!(
            t.contains("Gelezen: 3; nieuw: 1; bijgewerkt: 0; dubbel: 0; overgeslagen: 1; afgewezen: 1"),
            "{t}"
        );
        assert!(t.contains("regel 3, kolom 'Afnamedatum', waarde '31-02-2021': afnamedatum '31-02-2021' is een onmogelijke datum"), "{t}");
        assert_eq!(b.to_dataset().scores.len(), 1);
        assert_eq!(b.to_dataset(), b.clone().into_dataset());
    }
}
