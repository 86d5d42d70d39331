//! Row helpers shared by the three parsers: cell access, problems, the pupil fields of a row, the
//! group fields of a row, and the registry that merges pupils and finds conflicting duplicates.

use std::collections::HashMap;

use csv::StringRecord;
use schoolscan_domain::{
    Brin, Date, Enrolment, Grade, GroupName, ParentsEducation, Pupil, PupilNumber, SchoolYear, Sex, Weight,
};

use crate::Problem;
use crate::fields::Field;
use crate::layout::{Col, Columns};
use crate::text::{clip, is_no_result, key, parse_yes_no};
use crate::values::{Decimal, parse_date, parse_number};

/// One record with its columns.
pub struct Row<'r> {
    pub line: u64,
    pub rec: &'r StringRecord,
    pub cols: &'r Columns,
}

impl<'r> Row<'r> {
    /// The trimmed cell of field `f`, or `""`.
    pub fn get(&self, f: Field) -> &'r str {
        self.cols.pos(f).and_then(|i| self.rec.get(i)).map_or("", str::trim)
    }

    /// The trimmed cell of `f` unless it means "no value".
    pub fn value(&self, f: Field) -> Option<&'r str> {
        let v = self.get(f);
        if is_no_result(v) { None } else { Some(v) }
    }

    pub fn problem(&self, f: Field, value: &str, reason: impl Into<String>) -> Problem {
        Problem { line: self.line, column: self.cols.header(f), value: clip(value), reason: reason.into() }
    }

    pub fn problem_at(&self, column: &str, value: &str, reason: impl Into<String>) -> Problem {
        Problem { line: self.line, column: column.to_owned(), value: clip(value), reason: reason.into() }
    }

    /// Structural checks: cells beyond the header, values spanning lines (a quote not closed).
    pub fn check_shape(&self) -> Result<(), Problem> {
        let width = self.cols.headers.len();
        if let Some(extra) = self.rec.iter().skip(width).find(|c| !c.trim().is_empty()) {
            return Err(self.problem_at(
                "",
                extra,
                format!(
                    "de regel heeft {} velden, de kopregel {}; staat er een scheidingsteken in een waarde zonder aanhalingstekens?",
                    self.rec.len(),
                    width
                ),
            ));
        }
        for (i, col) in self.cols.cols.iter().enumerate() {
            if matches!(col, Col::Unknown) {
                continue;
            }
            if let Some(cell) = self.rec.get(i) {
                if cell.contains('\n') {
                    return Err(self.problem_at(
                        &self.cols.headers[i],
                        cell,
                        "de waarde loopt over meerdere regels; waarschijnlijk ontbreekt een afsluitend aanhalingsteken",
                    ));
                }
            }
        }
        Ok(())
    }

    /// A number in column `f`, noting the decimal separator. `None` when the cell has no value.
    pub fn number(&self, f: Field, what: &str, decimal: &mut Decimal) -> Result<Option<f64>, Problem> {
        let Some(v) = self.value(f) else { return Ok(None) };
        self.number_of(v, &self.cols.header(f), what, decimal)
    }

    pub fn number_of(
        &self,
        v: &str,
        column: &str,
        what: &str,
        decimal: &mut Decimal,
    ) -> Result<Option<f64>, Problem> {
        match parse_number(v) {
            Ok((x, sep)) => {
                if let (Decimal::Unknown, Some(s)) = (*decimal, sep) {
                    *decimal = s;
                }
                Ok(Some(x))
            }
            Err(e) => Err(self.problem_at(column, v, format!("{what} '{}' {e}", clip(v)))),
        }
    }

    /// A date in column `f`; `None` when empty.
    pub fn date(&self, f: Field, what: &str) -> Result<Option<Date>, Problem> {
        let Some(v) = self.value(f) else { return Ok(None) };
        parse_date(v).map(Some).map_err(|e| self.problem(f, v, format!("{what} '{}' {e}", clip(v))))
    }
}

/// The pupil a row names, with whatever background columns it has.
pub fn pupil_of(row: &Row<'_>, school: &Brin) -> Result<Pupil, Problem> {
    let eck = row.value(Field::EckId).map(str::to_owned);
    let number_cell = row.get(Field::PupilNumber);
    let number = if !number_cell.is_empty() {
        PupilNumber::parse(number_cell)
            .map_err(|e| row.problem(Field::PupilNumber, number_cell, e.to_string()))?
    } else if let (false, Some(e)) = (row.cols.has(Field::PupilNumber), &eck) {
        // Only an ECK iD: its last path segment (the pseudonym), at most 64 characters.
        let seg = e.trim_end_matches('/').rsplit('/').next().unwrap_or(e);
        let seg: String = seg.chars().take(64).collect();
        PupilNumber::parse(&seg).map_err(|err| row.problem(Field::EckId, e, err.to_string()))?
    } else {
        let f = if row.cols.has(Field::PupilNumber) { Field::PupilNumber } else { Field::EckId };
        return Err(row.problem(
            f,
            row.get(f),
            "geen leerlingnummer: elke regel moet bij een leerling horen",
        ));
    };
    let mut p = Pupil::new(school.clone(), number);
    p.eck_id = eck;
    let name = |f: Field| -> Option<String> {
        let v = row.get(f);
        if v.is_empty() { None } else { Some(v.split_whitespace().collect::<Vec<_>>().join(" ")) }
    };
    p.first_name = name(Field::FirstName);
    p.prefix = name(Field::Prefix);
    p.last_name = name(Field::LastName);
    p.birth_date = row.date(Field::BirthDate, "geboortedatum")?;
    if let Some(v) = row.value(Field::Sex) {
        p.sex = Some(Sex::parse(v).map_err(|e| row.problem(Field::Sex, v, e.to_string()))?);
    }
    if let Some(v) = row.value(Field::Weight) {
        p.weight = Some(Weight::parse(v).map_err(|e| row.problem(Field::Weight, v, e.to_string()))?);
    }
    if let Some(v) = row.value(Field::ParentsEducation) {
        p.parents_education = Some(ParentsEducation::parse(&v.to_lowercase()).ok_or_else(|| {
            row.problem(
                Field::ParentsEducation,
                v,
                format!("onbekende opleiding ouders '{}': verwacht laag, midden of hoog", clip(v)),
            )
        })?);
    }
    if row.cols.has(Field::Opp) {
        let v = row.get(Field::Opp);
        p.opp = parse_yes_no(v)
            .or_else(|| if is_no_result(v) { Some(false) } else { None })
            .ok_or_else(|| row.problem(Field::Opp, v, format!("OPP '{}': verwacht ja of nee", clip(v))))?;
    }
    if let Some(v) = row.value(Field::Flags) {
        for f in v.split([',', ';', '|', '/']) {
            let f = f.trim().to_lowercase();
            if !f.is_empty() && !p.risk_flags.contains(&f) {
                p.risk_flags.push(f);
            }
        }
    }
    for (i, col) in row.cols.cols.iter().enumerate() {
        if let Col::Flag(name) = col {
            let v = row.rec.get(i).map_or("", str::trim);
            match parse_yes_no(v) {
                Some(true) => {
                    if !p.risk_flags.contains(name) {
                        p.risk_flags.push(name.clone());
                    }
                }
                Some(false) => {}
                None => {
                    return Err(row.problem_at(
                        &row.cols.headers[i],
                        v,
                        format!("kenmerk '{name}': verwacht ja of nee (of een x), niet '{}'", clip(v)),
                    ));
                }
            }
        }
    }
    p.arrived = row.date(Field::Arrived, "datum instroom")?;
    p.left = row.date(Field::Left, "datum uitstroom")?;
    Ok(p)
}

/// Group, jaargroep and school year of a row, as far as present.
#[derive(Debug, Clone)]
pub struct GroupInfo {
    pub group: Option<GroupName>,
    pub grade: Option<Grade>,
    pub year: Option<SchoolYear>,
}

pub fn group_of(row: &Row<'_>, default_year: Option<SchoolYear>) -> Result<GroupInfo, Problem> {
    let group = match row.value(Field::Group) {
        Some(v) => Some(GroupName::parse(v).map_err(|e| row.problem(Field::Group, v, e.to_string()))?),
        None => None,
    };
    let grade = match row.value(Field::Grade) {
        Some(v) => Some(v.parse::<Grade>().map_err(|e| row.problem(Field::Grade, v, e.to_string()))?),
        None => group.as_ref().and_then(|g| match g.grades().as_slice() {
            [one] => Some(*one),
            _ => None,
        }),
    };
    if let (Some(g), Some(gr)) = (&group, grade) {
        if !g.grades().contains(&gr) {
            return Err(row.problem(
                Field::Grade,
                row.get(Field::Grade),
                format!("jaargroep {gr} past niet bij groep {g}"),
            ));
        }
    }
    let year = match row.value(Field::SchoolYear) {
        Some(v) => Some(SchoolYear::parse(v).map_err(|e| row.problem(Field::SchoolYear, v, e.to_string()))?),
        None => default_year,
    };
    Ok(GroupInfo { group, grade, year })
}

/// The pupils met so far, by number, with the line that introduced each.
pub struct PupilRegistry {
    pub pupils: Vec<Pupil>,
    index: HashMap<PupilNumber, (usize, u64)>,
}

/// What merging a pupil did.
#[derive(Debug, PartialEq, Eq)]
pub enum Merge {
    New,
    /// The same pupil as before (possibly with fields added).
    Same,
    /// Exactly the same as before, field for field.
    Identical,
}

fn norm_name(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|x| key(x)).filter(|k| !k.is_empty())
}

impl PupilRegistry {
    pub fn new() -> Self {
        Self { pupils: Vec::new(), index: HashMap::new() }
    }

    /// Adds or merges a pupil. With `all_fields`, any difference in a field both rows have is a
    /// conflict (a pupils file); otherwise only names and birth date are compared (a scores file).
    pub fn merge(&mut self, p: Pupil, line: u64, all_fields: bool) -> Result<(Merge, usize), String> {
        let Some(&(i, first_line)) = self.index.get(&p.number) else {
            let i = self.pupils.len();
            self.index.insert(p.number.clone(), (i, line));
            self.pupils.push(p);
            return Ok((Merge::New, i));
        };
        let old = &mut self.pupils[i];
        if *old == p {
            return Ok((Merge::Identical, i));
        }
        let differs = |a: &Option<String>, b: &Option<String>| matches!((norm_name(a), norm_name(b)), (Some(x), Some(y)) if x != y);
        if differs(&old.first_name, &p.first_name)
            || differs(&old.prefix, &p.prefix)
            || differs(&old.last_name, &p.last_name)
        {
            return Err(format!(
                "leerlingnummer {} staat op regel {first_line} met een andere naam ({}); één nummer hoort bij één leerling",
                p.number,
                old.display_name()
            ));
        }
        let conflict = |what: &str, c: bool| -> Result<(), String> {
            if c {
                Err(format!(
                    "leerlingnummer {} staat op regel {first_line} met een andere {what}; controleer welke juist is",
                    p.number
                ))
            } else {
                Ok(())
            }
        };
        let both = |a: bool, b: bool| a && b;
        conflict(
            "geboortedatum",
            both(old.birth_date.is_some(), p.birth_date.is_some()) && old.birth_date != p.birth_date,
        )?;
        if all_fields {
            conflict("geslacht", both(old.sex.is_some(), p.sex.is_some()) && old.sex != p.sex)?;
            conflict(
                "leerlinggewicht",
                both(old.weight.is_some(), p.weight.is_some()) && old.weight != p.weight,
            )?;
            conflict(
                "opleiding ouders",
                both(old.parents_education.is_some(), p.parents_education.is_some())
                    && old.parents_education != p.parents_education,
            )?;
            conflict("OPP-vermelding", old.opp != p.opp)?;
            conflict("ECK iD", both(old.eck_id.is_some(), p.eck_id.is_some()) && old.eck_id != p.eck_id)?;
        }
        macro_rules! fill {
            ($($f:ident),*) => { $( if old.$f.is_none() { old.$f = p.$f.clone(); } )* };
        }
        fill!(
            eck_id,
            first_name,
            prefix,
            last_name,
            birth_date,
            sex,
            weight,
            parents_education,
            arrived,
            left
        );
        old.opp |= p.opp;
        for f in p.risk_flags {
            if !old.risk_flags.contains(&f) {
                old.risk_flags.push(f);
            }
        }
        Ok((Merge::Same, i))
    }
}

/// Enrolments by (pupil, school year); the first row for a pupil and year wins.
pub struct EnrolmentRegistry {
    pub enrolments: Vec<Enrolment>,
    seen: HashMap<(PupilNumber, SchoolYear), usize>,
    last: Option<(PupilNumber, SchoolYear)>,
}

impl EnrolmentRegistry {
    pub fn new() -> Self {
        Self { enrolments: Vec::new(), seen: HashMap::new(), last: None }
    }

    pub fn add(&mut self, school: &Brin, pupil: &PupilNumber, year: SchoolYear, g: &GroupInfo) {
        if self.last.as_ref().is_some_and(|(p, y)| p == pupil && *y == year) {
            return;
        }
        let grade = match g.grade {
            Some(gr) => gr,
            None => return,
        };
        let group = match &g.group {
            Some(name) => name.clone(),
            None => match GroupName::parse(&grade.to_string()) {
                Ok(n) => n,
                Err(_) => return,
            },
        };
        let k = (pupil.clone(), year);
        self.last = Some(k.clone());
        if self.seen.contains_key(&k) {
            return;
        }
        self.seen.insert(k, self.enrolments.len());
        self.enrolments.push(Enrolment { school: school.clone(), pupil: pupil.clone(), year, group, grade });
    }
}
