//! Reading the files Dutch primary schools export from their LVS: bytes in, typed rows and a
//! row-level report out. No database, no I/O beyond the bytes given.
//!
//! - [`parse_scores`]: test results, long (one row per score) or wide (a column per test and moment).
//! - [`parse_pupils`]: pupils with background (leerlinggewicht, OPP, flags) and their groups.
//! - [`parse_seo`]: social-emotional observations (instrument, dimension, informant, date, value).
//!
//! Every function detects the file type from its bytes (CSV/TSV, `.xlsx`, `.xls`, `.ods`), the text
//! encoding and delimiter, finds the header row, recognises Dutch headers (or uses a [`Mapping`]),
//! and validates every row: a row without a result is *skipped*, a row that cannot be right is
//! *rejected*, each with line, column, value and a Dutch reason. File-level failures are an
//! [`ImportError`] with a Dutch message. Nothing here panics on any input.
//!
//! Module map: [`decode`] (file type, encoding), [`source`] (CSV and spreadsheet rows),
//! [`fields`] (header synonyms), [`layout`] (columns, long/wide), [`catalogue`] (test names →
//! vendor, subject, scale), [`mapping`] (the TOML mapping file), [`values`] (numbers, dates),
//! `scores`, `pupils`, `seo` (row validation).

pub mod catalogue;
pub mod decode;
pub mod fields;
pub mod layout;
pub mod mapping;
mod prepare;
mod pupils;
pub mod report;
mod rows;
mod scores;
mod seo;
pub mod source;
pub mod text;
pub mod values;

use schoolscan_domain::{Enrolment, Observation, Pupil, SchoolYear, Score, Test};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use decode::{Format, TextEncoding};
pub use fields::{Field, FileKind};
pub use layout::Layout;
pub use mapping::Mapping;
pub use pupils::parse_pupils;
pub use report::Report;
pub use scores::{ScoreSink, parse_scores, parse_scores_streaming, parse_scores_with_progress};
pub use seo::parse_seo;
pub use values::Decimal;

/// Options for one import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportOptions {
    /// The sheet of a spreadsheet to read (default: the mapping's, else the first).
    pub sheet: Option<String>,
    /// An explicit mapping file.
    pub mapping: Option<Mapping>,
    /// The school year for rows that have neither a date nor a Schooljaar column.
    pub school_year: Option<SchoolYear>,
    /// The vendor of tests whose name does not say (`cito`, `iep`, `boom`, `dia`).
    pub vendor: Option<String>,
    /// Files larger than this are refused (default 1 GiB).
    pub max_bytes: u64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self { sheet: None, mapping: None, school_year: None, vendor: None, max_bytes: 1 << 30 }
    }
}

/// What was detected about a file, for the report and the upload preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    pub file_name: String,
    pub format: Format,
    pub encoding: TextEncoding,
    /// `;`, `,`, `tab` or `|`; `None` for a spreadsheet.
    pub delimiter: Option<String>,
    pub decimal: Decimal,
    /// Long or wide (score files only).
    pub layout: Option<Layout>,
    /// The sheet read (spreadsheets only).
    pub sheet: Option<String>,
    /// The line (CSV) or row (spreadsheet) of the headers, 1-based.
    pub header_line: u64,
    /// (header, field) for every recognised column.
    pub recognised: Vec<(String, String)>,
    pub unrecognised: Vec<String>,
    /// Remarks about the file as a whole, in Dutch.
    pub notes: Vec<String>,
}

/// One skipped or rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The 1-based line (CSV) or row (spreadsheet) where the record starts; the header is line 1.
    pub line: u64,
    /// The header of the column concerned (empty when the row as a whole is meant).
    pub column: String,
    /// The value found (shortened).
    pub value: String,
    /// Why, in Dutch.
    pub reason: String,
}

/// A scores file, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreBatch {
    pub info: FileInfo,
    /// Data rows read (blank lines and the header not counted).
    pub read: u64,
    /// Pupils named in the rows (number and, when present, names).
    pub pupils: Vec<Pupil>,
    pub enrolments: Vec<Enrolment>,
    pub tests: Vec<Test>,
    pub scores: Vec<Score>,
    /// Rows that repeat an earlier row exactly (they land once).
    pub duplicates: u64,
    pub skipped: Vec<Problem>,
    pub rejected: Vec<Problem>,
}

/// A pupils file, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PupilBatch {
    pub info: FileInfo,
    pub read: u64,
    pub pupils: Vec<Pupil>,
    pub enrolments: Vec<Enrolment>,
    pub duplicates: u64,
    pub skipped: Vec<Problem>,
    pub rejected: Vec<Problem>,
}

/// A social-emotional (SEO) file, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeoBatch {
    pub info: FileInfo,
    pub read: u64,
    pub pupils: Vec<Pupil>,
    pub observations: Vec<Observation>,
    pub duplicates: u64,
    pub skipped: Vec<Problem>,
    pub rejected: Vec<Problem>,
}

/// Parses a file of `kind`: its report (with `imported`/`updated` still 0: the store's write fills
/// them in) and the records to write.
pub fn parse_kind(
    kind: FileKind,
    bytes: &[u8],
    file_name: &str,
    school: &schoolscan_domain::Brin,
    opts: &ImportOptions,
) -> Result<(Report, schoolscan_domain::Dataset), ImportError> {
    Ok(match kind {
        FileKind::Scores => {
            let b = parse_scores(bytes, file_name, school, opts)?;
            (b.report(), b.into_dataset())
        }
        FileKind::Pupils => {
            let b = parse_pupils(bytes, file_name, school, opts)?;
            (b.report(), b.into_dataset())
        }
        FileKind::Seo => {
            let b = parse_seo(bytes, file_name, school, opts)?;
            (b.report(), b.into_dataset())
        }
    })
}

/// The header and first data rows of a file, as the upload page shows them before an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub info: FileInfo,
    pub headers: Vec<String>,
    /// (line, cells) of the first non-blank data rows.
    pub rows: Vec<(u64, Vec<String>)>,
}

/// The header and the first `n` data rows of a file of `kind`, with what was detected about it:
/// the same detection (type, encoding, delimiter, header row, mapping) as the parsers use.
pub fn preview(
    bytes: &[u8],
    file_name: &str,
    kind: FileKind,
    opts: &ImportOptions,
    n: usize,
) -> Result<Preview, ImportError> {
    let prepare::Prepared { info, cols, mut rows, pending } = prepare::prepare(bytes, file_name, kind, opts)?;
    let mut out: Vec<(u64, Vec<String>)> = Vec::with_capacity(n);
    let cells = |r: &csv::StringRecord| r.iter().map(text::clip).collect::<Vec<_>>();
    for (line, rec) in &pending {
        if out.len() < n && !source::is_blank(rec) {
            out.push((*line, cells(rec)));
        }
    }
    let mut rec = csv::StringRecord::new();
    while out.len() < n {
        let Some(line) = rows.read(&mut rec)? else { break };
        if !source::is_blank(&rec) {
            out.push((line, cells(&rec)));
        }
    }
    Ok(Preview { info, headers: cols.headers.clone(), rows: out })
}

/// A file that cannot be imported at all. Messages are Dutch and say what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportError {
    #[error("Het bestand is leeg (0 bytes). Exporteer het opnieuw uit het LVS.")]
    Empty,
    #[error(
        "Het bestand is te groot ({size} bytes; de grens is {max} bytes). Splits het bestand, bijvoorbeeld per schooljaar."
    )]
    TooLarge { size: u64, max: u64 },
    #[error(
        "Het bestand is geen CSV- of Excelbestand: het bevat {what}. Exporteer de gegevens als CSV of Excel (.xlsx)."
    )]
    Binary { what: String },
    #[error(
        "Het bestand kan niet als tekst worden gelezen: de codering {encoding} klopt niet. Sla het op als 'CSV UTF-8' en probeer het opnieuw."
    )]
    Undecodable { encoding: String },
    #[error(
        "Het spreadsheet kan niet worden gelezen: {detail}. Open het in Excel en sla het opnieuw op als .xlsx, of exporteer als CSV."
    )]
    Spreadsheet { detail: String },
    #[error("Het werkblad '{name}' bestaat niet. Beschikbare werkbladen: {}.", available.join(", "))]
    SheetNotFound { name: String, available: Vec<String> },
    #[error("Het bestand kan niet worden gelezen rond regel {line}. Controleer de aanhalingstekens.")]
    Csv { line: u64 },
    #[error("{}", headers_message(recognised, missing, unrecognised))]
    Headers { recognised: Vec<String>, missing: Vec<String>, unrecognised: Vec<String> },
    #[error("Het koppelbestand is ongeldig: {0}")]
    Mapping(String),
}

fn headers_message(recognised: &[String], missing: &[String], unrecognised: &[String]) -> String {
    let mut s = String::from("De kolommen van het bestand zijn niet (volledig) herkend.");
    if recognised.is_empty() {
        s.push_str(" Geen enkele kolom is herkend; staat de kopregel (met kolomnamen) bovenaan?");
    } else {
        s.push_str(&format!(" Herkend: {}.", recognised.join("; ")));
    }
    if !missing.is_empty() {
        s.push_str(&format!(" Ontbreekt: {}.", missing.join("; ")));
    }
    if !unrecognised.is_empty() {
        s.push_str(&format!(" Niet herkend: {}.", unrecognised.join("; ")));
    }
    s.push_str(" Geef de kolommen een herkenbare naam of leg ze vast in een koppelbestand (--mapping, zie MAPPING.md).");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_shows_the_header_and_first_rows() {
        let text = "Export;;\nLeerlingnummer;Toets;Afnamedatum;Vaardigheidsscore\n1;Spelling 3.0;27-01-2021;150,5\n\n2;Spelling 3.0;31-02-2021;150\n3;Spelling 3.0;27-01-2021;n.v.t.\n";
        let p = preview(text.as_bytes(), "t.csv", FileKind::Scores, &ImportOptions::default(), 2).unwrap();
        assert_eq!(p.info.header_line, 2);
        assert_eq!(p.info.delimiter.as_deref(), Some(";"));
        assert_eq!(p.headers, ["Leerlingnummer", "Toets", "Afnamedatum", "Vaardigheidsscore"]);
        let lines: Vec<u64> = p.rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [3, 5]);
        assert_eq!(p.rows[1].1[2], "31-02-2021");
    }

    #[test]
    fn errors_are_dutch() {
        assert!(ImportError::Empty.to_string().contains("leeg"));
        let e = ImportError::Headers {
            recognised: vec!["Toets → toets".into()],
            missing: vec!["leerlingnummer".into()],
            unrecognised: vec!["Foo".into()],
        };
        let s = e.to_string();
        assert!(s.contains("Herkend: Toets → toets"), "{s}");
        assert!(s.contains("Ontbreekt: leerlingnummer"), "{s}");
        assert!(s.contains("Niet herkend: Foo"), "{s}");
    }
}
