//! Header recognition: which column holds which field, long or wide layout, and the Dutch error
//! when required columns are missing.

use csv::StringRecord;
use schoolscan_domain::{Moment, Test};
use serde::{Deserialize, Serialize};

use crate::ImportError;
use crate::catalogue::{self, parse_moment};
use crate::fields::{Field, FileKind, recognise_exact, recognise_prefix};
use crate::mapping::Mapping;
use crate::text::{key, words};

/// Long: one row per score. Wide: one row per pupil, a column per test and moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    Long,
    Wide,
}

impl Layout {
    pub fn label(self) -> &'static str {
        match self {
            Layout::Long => "lang (één regel per score)",
            Layout::Wide => "breed (één regel per leerling, een kolom per toets en moment)",
        }
    }
}

/// What one column holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Col {
    Field(Field),
    /// A wide-layout column: a test at a moment; `metric` is the score field its cells hold.
    Wide {
        test: Box<Test>,
        moment: Moment,
        metric: Field,
    },
    /// A yes/no column naming one risk flag.
    Flag(String),
    Unknown,
}

/// The columns of a file, recognised.
#[derive(Debug, Clone)]
pub struct Columns {
    pub cols: Vec<Col>,
    pub headers: Vec<String>,
    /// Position of the first column of each field, indexed by `Field as usize`.
    pos: Vec<Option<usize>>,
    pub layout: Option<Layout>,
}

const METRIC_WORDS: &[(&str, Field)] = &[
    ("vs", Field::Ability),
    ("vaardigheidsscore", Field::Ability),
    ("score", Field::Ability),
    ("niveau", Field::Level),
    ("ae", Field::Level),
    ("iv", Field::Level),
    ("pc", Field::Percentile),
    ("percentiel", Field::Percentile),
    ("dle", Field::Dle),
    ("rs", Field::Raw),
    ("ruw", Field::Raw),
    ("ruwe", Field::Raw),
    ("goed", Field::Raw),
    ("csem", Field::Csem),
    ("rn", Field::ReferenceLevel),
    ("referentieniveau", Field::ReferenceLevel),
];

/// A wide-layout header such as `RW M5`, `BL E4`, `Spelling M6`, `Begrijpend lezen E5`, `M5 RW`,
/// `RW M5 niveau`.
pub fn wide_column(
    header: &str,
    vendor: Option<&str>,
    mapping: Option<&Mapping>,
) -> Option<(Test, Moment, Field)> {
    let ws = words(header);
    let mut moment = None;
    let mut metric = Field::Ability;
    let mut rest = Vec::new();
    for w in &ws {
        let is_moment_word = w.len() >= 2
            && w.len() <= 3
            && matches!(w.as_bytes()[0], b'b' | b'm' | b'e')
            && w[1..].bytes().all(|b| b.is_ascii_digit());
        if is_moment_word {
            if moment.is_some() {
                return None;
            }
            moment = Some(parse_moment(w, None)?);
        } else if let Some((_, f)) = METRIC_WORDS.iter().find(|(m, _)| m == w) {
            metric = *f;
        } else {
            rest.push(w.as_str());
        }
    }
    let moment = moment?;
    if rest.is_empty() {
        return None;
    }
    let name = rest.join(" ");
    if let Some(m) = mapping {
        if let Some(Ok(t)) = catalogue::from_mapping(m, &name) {
            return Some((t, moment, metric));
        }
    }
    catalogue::lookup(&name, vendor, None).map(|t| (t, moment, metric))
}

impl Columns {
    /// Recognises the headers of a file of `kind`.
    pub fn recognise(
        header: &StringRecord,
        kind: FileKind,
        mapping: Option<&Mapping>,
        vendor: Option<&str>,
    ) -> Self {
        let mut cols = Vec::with_capacity(header.len());
        let mut pos = vec![None; Field::ALL.len()];
        let mut wide_seen = std::collections::HashSet::new();
        for (i, h) in header.iter().enumerate() {
            let mut col = Self::one(h, kind, mapping, vendor);
            match &col {
                Col::Field(f) if *f != Field::Ignore && *f != Field::Flag => {
                    if pos[*f as usize].is_some() {
                        col = Col::Unknown; // a second column for the same field: the first wins
                    } else {
                        pos[*f as usize] = Some(i);
                    }
                }
                Col::Wide { test, moment, metric }
                    if !wide_seen.insert((test.key.clone(), *moment, *metric)) =>
                {
                    col = Col::Unknown;
                }
                _ => {}
            }
            cols.push(col);
        }
        let headers = header.iter().map(|h| h.trim().to_owned()).collect();
        let mut c = Columns { cols, headers, pos, layout: None };
        if kind == FileKind::Scores {
            let has_test = c.has(Field::Test);
            let has_wide = c.cols.iter().any(|x| matches!(x, Col::Wide { .. }));
            c.layout = if has_test {
                Some(Layout::Long)
            } else if has_wide {
                Some(Layout::Wide)
            } else {
                None
            };
            if c.layout == Some(Layout::Long) {
                // In a long file a wide-looking header is not a score column.
                for col in &mut c.cols {
                    if matches!(col, Col::Wide { .. }) {
                        *col = Col::Unknown;
                    }
                }
            }
        }
        c
    }

    fn one(h: &str, kind: FileKind, mapping: Option<&Mapping>, vendor: Option<&str>) -> Col {
        if h.len() > 80 || key(h).is_empty() {
            return Col::Unknown;
        }
        if let Some(m) = mapping {
            if let Some(w) = m.wide_for(h) {
                let t = catalogue::from_mapping(m, &w.test)
                    .and_then(Result::ok)
                    .or_else(|| catalogue::lookup(&w.test, m.file.vendor.as_deref().or(vendor), None));
                return match t {
                    Some(t) => Col::Wide { test: Box::new(t), moment: w.moment, metric: Field::Ability },
                    None => Col::Unknown,
                };
            }
            if let Some(f) = m.field_for(h) {
                return Self::field_col(f, h);
            }
        }
        if let Some(f) = recognise_exact(h, kind) {
            return Self::field_col(f, h);
        }
        if kind == FileKind::Scores {
            if let Some((t, moment, metric)) =
                wide_column(h, mapping.and_then(|m| m.file.vendor.as_deref()).or(vendor), mapping)
            {
                return Col::Wide { test: Box::new(t), moment, metric };
            }
        }
        match recognise_prefix(h) {
            Some(f) => Self::field_col(f, h),
            None => Col::Unknown,
        }
    }

    fn field_col(f: Field, header: &str) -> Col {
        if f == Field::Flag { Col::Flag(header.trim().to_lowercase()) } else { Col::Field(f) }
    }

    pub fn has(&self, f: Field) -> bool {
        self.pos[f as usize].is_some()
    }

    pub fn pos(&self, f: Field) -> Option<usize> {
        self.pos[f as usize]
    }

    /// The header of the column of `f` (for problem reports).
    pub fn header(&self, f: Field) -> String {
        self.header_ref(f).to_owned()
    }

    /// The header of the column of `f`, borrowed.
    pub fn header_ref(&self, f: Field) -> &str {
        self.pos(f).and_then(|i| self.headers.get(i)).map_or(f.id(), String::as_str)
    }

    /// How many columns were recognised (for choosing the header row and the delimiter).
    pub fn score(&self) -> usize {
        self.cols.iter().filter(|c| !matches!(c, Col::Unknown)).count()
    }

    /// (header, field id) of every recognised column.
    pub fn recognised(&self) -> Vec<(String, String)> {
        self.cols
            .iter()
            .zip(&self.headers)
            .filter_map(|(c, h)| match c {
                Col::Field(f) => Some((h.clone(), f.id().to_owned())),
                Col::Wide { test, moment, metric } => {
                    Some((h.clone(), format!("{} {} ({})", test.key, moment, metric.id())))
                }
                Col::Flag(name) => Some((h.clone(), format!("kenmerk: {name}"))),
                Col::Unknown => None,
            })
            .collect()
    }

    /// Headers that were not recognised (empty headers left out).
    pub fn unrecognised(&self) -> Vec<String> {
        self.cols
            .iter()
            .zip(&self.headers)
            .filter(|(c, h)| matches!(c, Col::Unknown) && !h.trim().is_empty())
            .map(|(_, h)| h.clone())
            .collect()
    }

    /// Checks that the columns a file of `kind` needs are there; the error lists what was recognised
    /// and what is missing.
    pub fn require(&self, kind: FileKind, school_year_known: bool) -> Result<(), ImportError> {
        let mut missing: Vec<String> = Vec::new();
        if !self.has(Field::PupilNumber) && !self.has(Field::EckId) {
            missing.push(Field::PupilNumber.describe().to_owned());
        }
        match kind {
            FileKind::Scores => match self.layout {
                None => {
                    missing.push(Field::Test.describe().to_owned());
                    missing.push(
                        "of, voor een breed bestand, kolommen per toets en moment (zoals 'RW M5', 'BL E4', 'Spelling M6')"
                            .to_owned(),
                    );
                }
                Some(Layout::Long) => {
                    let scores = [
                        Field::Ability,
                        Field::Raw,
                        Field::Level,
                        Field::Percentile,
                        Field::Dle,
                        Field::ReferenceLevel,
                    ];
                    if !scores.iter().any(|f| self.has(*f)) {
                        missing.push(Field::Ability.describe().to_owned());
                    }
                    let year = school_year_known || self.has(Field::SchoolYear);
                    if !(self.has(Field::Date) || (self.has(Field::Moment) && year)) {
                        missing.push(Field::Date.describe().to_owned());
                    }
                }
                Some(Layout::Wide) => {
                    if !self.has(Field::SchoolYear) && !school_year_known {
                        missing.push(
                            "schooljaar (Schooljaar), nodig om de toetsmomenten van een breed bestand te dateren; of geef het schooljaar op"
                                .to_owned(),
                        );
                    }
                }
            },
            FileKind::Pupils => {}
            FileKind::Seo => {
                for f in [Field::Instrument, Field::Dimension, Field::Informant, Field::Date, Field::Value] {
                    if !self.has(f) {
                        missing.push(if f == Field::Date {
                            "afnamedatum (Afnamedatum / Datum)".to_owned()
                        } else {
                            f.describe().to_owned()
                        });
                    }
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        Err(ImportError::Headers {
            recognised: self.recognised().into_iter().map(|(h, f)| format!("{h} → {f}")).collect(),
            missing,
            unrecognised: self.unrecognised(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(s: &str) -> StringRecord {
        StringRecord::from(s.split(';').collect::<Vec<_>>())
    }

    #[test]
    fn long_layout() {
        let c = Columns::recognise(
            &rec("Leerlingnummer;Achternaam;Toets;Afnamedatum;Vaardigheidsscore;Opmerking"),
            FileKind::Scores,
            None,
            None,
        );
        assert_eq!(c.layout, Some(Layout::Long));
        assert_eq!(c.unrecognised(), vec!["Opmerking".to_owned()]);
        assert!(c.require(FileKind::Scores, false).is_ok());
    }

    #[test]
    fn wide_layout() {
        let c = Columns::recognise(
            &rec(
                "Leerlingnummer;Schooljaar;Jaargroep;RW M5;BL E4;Spelling M6;TL M3;Begrijpend lezen E5;RW M5 niveau",
            ),
            FileKind::Scores,
            None,
            None,
        );
        assert_eq!(c.layout, Some(Layout::Wide));
        let wide: Vec<String> = c
            .cols
            .iter()
            .filter_map(|x| match x {
                Col::Wide { test, moment, metric } => Some(format!("{} {moment} {}", test.key, metric.id())),
                _ => None,
            })
            .collect();
        assert_eq!(
            wide,
            [
                "cito:rekenen-wiskunde:3.0 M5 vaardigheidsscore",
                "cito:begrijpend-lezen:3.0 E4 vaardigheidsscore",
                "cito:spelling:3.0 M6 vaardigheidsscore",
                "cito:dmt M3 vaardigheidsscore",
                "cito:begrijpend-lezen:3.0 E5 vaardigheidsscore",
                "cito:rekenen-wiskunde:3.0 M5 niveau",
            ]
        );
    }

    #[test]
    fn missing_columns_are_named_in_dutch() {
        let c = Columns::recognise(&rec("Naam;Klas;Cijfer"), FileKind::Scores, None, None);
        let e = c.require(FileKind::Scores, false).unwrap_err().to_string();
        assert!(e.contains("leerlingnummer"), "{e}");
        assert!(e.contains("Klas → groep"), "{e}");
        assert!(e.contains("Cijfer"), "{e}");
    }
}
