//! Pupils files: number, names, birth date, sex, leerlinggewicht or parents' education, OPP, flag
//! columns, group, jaargroep, school year.

use csv::StringRecord;
use schoolscan_domain::Brin;

use crate::fields::FileKind;
use crate::prepare::{Prepared, prepare};
use crate::rows::{EnrolmentRegistry, Merge, PupilRegistry, Row, group_of, pupil_of};
use crate::source::is_blank;
use crate::{ImportError, ImportOptions, PupilBatch};

/// Parses a pupils file. A pupil number that appears twice with the same data counts as a
/// duplicate; with different data (another name, birth date, ...) the later row is rejected.
pub fn parse_pupils(
    bytes: &[u8],
    file_name: &str,
    school: &Brin,
    opts: &ImportOptions,
) -> Result<PupilBatch, ImportError> {
    let Prepared { mut info, cols, mut rows, pending } = prepare(bytes, file_name, FileKind::Pupils, opts)?;
    let default_year = opts.school_year.or(opts.mapping.as_ref().and_then(|m| m.file.school_year));
    let mut registry = PupilRegistry::new();
    let mut enrolments = EnrolmentRegistry::new();
    let mut read = 0u64;
    let mut duplicates = 0u64;
    let mut rejected = Vec::new();
    let mut without_year = false;
    let mut handle = |line: u64, rec: &StringRecord| {
        if is_blank(rec) {
            return;
        }
        read += 1;
        let row = Row { line, rec, cols: &cols };
        let res = (|| {
            row.check_shape()?;
            let p = pupil_of(&row, school)?;
            let g = group_of(&row, default_year)?;
            let number = p.number.clone();
            match registry.merge(p, line, true) {
                Ok((Merge::Identical, _)) => duplicates += 1,
                Ok((Merge::New | Merge::Same, _)) => {}
                Err(reason) => {
                    let f = crate::Field::LastName;
                    return Err(row.problem(f, row.get(f), reason));
                }
            }
            match g.year {
                Some(y) => enrolments.add(school, &number, y, &g),
                None => without_year |= g.grade.is_some(),
            }
            Ok(())
        })();
        if let Err(p) = res {
            rejected.push(p);
        }
    };
    for (line, rec) in &pending {
        handle(*line, rec);
    }
    let mut rec = StringRecord::new();
    while let Some(line) = rows.read(&mut rec)? {
        handle(line, &rec);
    }
    if without_year {
        info.notes.push(
            "Het bestand noemt groepen maar geen schooljaar; de groepsindeling is daarom niet overgenomen. Geef het schooljaar op om die wel te importeren.".to_owned(),
        );
    }
    Ok(PupilBatch {
        info,
        read,
        pupils: registry.pupils,
        enrolments: enrolments.enrolments,
        duplicates,
        skipped: Vec::new(),
        rejected,
    })
}
