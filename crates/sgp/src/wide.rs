//! Reader for the package's wide layout: `ID`, `GRADE_<year>`…, `SS_<year>`… (one row per
//! pupil, one grade and one scale-score column per year; an empty field or `NA` is
//! missing).

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Result, SgpError};

/// Pupils × years of grades and scale scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WideData {
    /// Years, ascending.
    pub years: Vec<i32>,
    /// Pupil IDs, in file order.
    pub ids: Vec<String>,
    /// `grades[y][i]`: grade of pupil i in `years[y]`.
    pub grades: Vec<Vec<Option<i32>>>,
    /// `scores[y][i]`: scale score of pupil i in `years[y]`.
    pub scores: Vec<Vec<Option<f64>>>,
}

impl WideData {
    /// Reads a comma-separated file in the wide layout.
    ///
    /// # Errors
    /// [`SgpError::Io`] when the file cannot be opened, otherwise as [`Self::from_reader`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let f = std::fs::File::open(path)?;
        Self::from_reader(std::io::BufReader::new(f))
    }

    /// Reads comma-separated text in the wide layout. Columns other than `ID`,
    /// `GRADE_<year>` and `SS_<year>` are ignored. Every year needs both columns.
    ///
    /// # Errors
    /// [`SgpError::Header`] for a header that does not fit the layout, [`SgpError::Cell`]
    /// for an unparsable grade or score, [`SgpError::RowLength`], [`SgpError::DuplicateId`].
    pub fn from_reader(reader: impl Read) -> Result<Self> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header = rdr.headers()?.clone();
        let names: Vec<String> =
            header.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_string()).collect();
        let mut id_col = None;
        let mut grade_cols: BTreeMap<i32, usize> = BTreeMap::new();
        let mut score_cols: BTreeMap<i32, usize> = BTreeMap::new();
        for (c, name) in names.iter().enumerate() {
            let upper = name.to_ascii_uppercase();
            if upper == "ID" {
                if id_col.replace(c).is_some() {
                    return Err(SgpError::Header("de kolom ID komt twee keer voor".into()));
                }
            } else if let Some(y) = upper.strip_prefix("GRADE_") {
                let y = parse_year(y, name)?;
                if grade_cols.insert(y, c).is_some() {
                    return Err(SgpError::Header(format!("kolom {name} komt twee keer voor")));
                }
            } else if let Some(y) = upper.strip_prefix("SS_") {
                let y = parse_year(y, name)?;
                if score_cols.insert(y, c).is_some() {
                    return Err(SgpError::Header(format!("kolom {name} komt twee keer voor")));
                }
            }
        }
        let id_col = id_col.ok_or_else(|| SgpError::Header("de kolom ID ontbreekt".into()))?;
        for y in grade_cols.keys() {
            if !score_cols.contains_key(y) {
                return Err(SgpError::Header(format!("GRADE_{y} zonder SS_{y}")));
            }
        }
        for y in score_cols.keys() {
            if !grade_cols.contains_key(y) {
                return Err(SgpError::Header(format!("SS_{y} zonder GRADE_{y}")));
            }
        }
        if grade_cols.is_empty() {
            return Err(SgpError::Header("geen kolommen GRADE_<jaar> en SS_<jaar>".into()));
        }
        let years: Vec<i32> = grade_cols.keys().copied().collect();
        let mut data = Self {
            ids: Vec::new(),
            grades: vec![Vec::new(); years.len()],
            scores: vec![Vec::new(); years.len()],
            years,
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut record = csv::StringRecord::new();
        while rdr.read_record(&mut record)? {
            let line = record.position().map_or(0, csv::Position::line);
            if record.len() != names.len() {
                // Allow an entirely empty trailing line.
                if record.iter().all(str::is_empty) {
                    continue;
                }
                return Err(SgpError::RowLength { line, found: record.len(), expected: names.len() });
            }
            let id = record.get(id_col).unwrap_or_default().to_string();
            if id.is_empty() {
                return Err(SgpError::Cell {
                    line,
                    column: names[id_col].clone(),
                    value: id,
                    expected: "leerling-ID (leeg)",
                });
            }
            if !seen.insert(id.clone()) {
                return Err(SgpError::DuplicateId(id));
            }
            for (yi, y) in data.years.iter().enumerate() {
                let gc = grade_cols[y];
                let sc = score_cols[y];
                let g = parse_opt(record.get(gc).unwrap_or_default(), line, &names[gc], true)?;
                let s = parse_opt(record.get(sc).unwrap_or_default(), line, &names[sc], false)?;
                let g = g
                    .map(|v| {
                        if v.fract() == 0.0 && v.abs() < 1e6 {
                            Ok(v as i32)
                        } else {
                            Err(SgpError::Cell {
                                line,
                                column: names[gc].clone(),
                                value: record.get(gc).unwrap_or_default().to_string(),
                                expected: "leerjaar (geheel getal)",
                            })
                        }
                    })
                    .transpose()?;
                data.grades[yi].push(g);
                data.scores[yi].push(s);
            }
            data.ids.push(id);
        }
        Ok(data)
    }

    /// Number of pupils (rows).
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there are no pupils.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Index of `year` in [`Self::years`].
    #[must_use]
    pub fn year_index(&self, year: i32) -> Option<usize> {
        self.years.iter().position(|&y| y == year)
    }

    /// The latest year in the file.
    #[must_use]
    pub fn latest_year(&self) -> Option<i32> {
        self.years.last().copied()
    }
}

fn parse_year(s: &str, name: &str) -> Result<i32> {
    s.parse::<i32>().map_err(|_| SgpError::Header(format!("kolom {name}: '{s}' is geen jaartal")))
}

fn parse_opt(s: &str, line: u64, column: &str, grade: bool) -> Result<Option<f64>> {
    if s.is_empty() || s == "NA" {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(SgpError::Cell {
            line,
            column: column.to_string(),
            value: s.to_string(),
            expected: if grade { "leerjaar" } else { "score" },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wide_layout() {
        let text = "ID,GRADE_2021,GRADE_2022,SS_2021,SS_2022\n1,3,4,500,540\n2,,4,,NA\n";
        let d = WideData::from_reader(text.as_bytes()).unwrap();
        assert_eq!(d.years, vec![2021, 2022]);
        assert_eq!(d.ids, vec!["1", "2"]);
        assert_eq!(d.grades[0], vec![Some(3), None]);
        assert_eq!(d.scores[1], vec![Some(540.0), None]);
        assert_eq!(d.latest_year(), Some(2022));
    }

    #[test]
    fn rejects_bad_input() {
        let e = WideData::from_reader("ID,GRADE_2021\n1,3\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("SS_2021"), "{e}");
        let e = WideData::from_reader("ID,GRADE_2021,SS_2021\n1,3,abc\n".as_bytes()).unwrap_err();
        assert!(matches!(e, SgpError::Cell { line: 2, .. }), "{e}");
        let e = WideData::from_reader("ID,GRADE_2021,SS_2021\n1,3.5,1\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("leerjaar"), "{e}");
        let e = WideData::from_reader("ID,GRADE_2021,SS_2021\n1,3,1\n1,3,2\n".as_bytes()).unwrap_err();
        assert!(matches!(e, SgpError::DuplicateId(_)));
        let e = WideData::from_reader("X,GRADE_2021,SS_2021\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("ID"));
    }
}
