//! Social-emotional files: long rows of instrument, dimension, informant, date and value (and an
//! optional signal), for instruments such as ZIEN!, Kindbegrip, SCOL and KanVAS.

use std::collections::HashMap;

use csv::StringRecord;
use schoolscan_domain::{Brin, Date, Informant, Observation, PupilNumber};

use crate::fields::{Field, FileKind};
use crate::prepare::{Prepared, prepare};
use crate::rows::{Merge, PupilRegistry, Row, pupil_of};
use crate::source::is_blank;
use crate::text::{clip, key, words};
use crate::values::Decimal;
use crate::{ImportError, ImportOptions, Problem, SeoBatch};

/// The instrument id of a name as files write it: `ZIEN!` → `zien`, `Hart & Ziel` → `hart_en_ziel`,
/// `LeerlingSCOL` → `scol`; other names become lower-case words joined by `_`.
pub fn instrument_id(s: &str) -> Option<String> {
    let k = key(s);
    let known = [
        ("zien", "zien"),
        ("kindbegrip", "kindbegrip"),
        ("scol", "scol"),
        ("kanvas", "kanvas"),
        ("hartenziel", "hart_en_ziel"),
        ("hartziel", "hart_en_ziel"),
        ("iephart", "iep_hart"),
    ];
    if let Some((_, id)) = known.iter().find(|(n, _)| k.contains(n)) {
        return Some((*id).to_owned());
    }
    let ws = words(s);
    if ws.is_empty() { None } else { Some(ws.join("_")) }
}

/// The informant of a cell: the domain's words plus common export spellings.
pub fn informant(s: &str) -> Option<Informant> {
    let k = key(s);
    let k = k.as_str();
    Informant::parse(k).ok().or(match k {
        "lkr"
        | "leerkrachtvragenlijst"
        | "leerkrachtlijst"
        | "groepsleerkracht"
        | "leraren"
        | "leerkrachten" => Some(Informant::Leerkracht),
        "leerlingvragenlijst" | "leerlinglijst" | "leerlingen" | "zelfrapportage" | "kinderen" => {
            Some(Informant::Leerling)
        }
        "oudervragenlijst" | "ouderlijst" | "verzorgers" => Some(Informant::Ouder),
        "ib" | "iber" | "internbegeleider" | "orthopedagoog" | "psycholoog" => Some(Informant::Professional),
        _ => None,
    })
}

/// The natural key of an observation within a file.
type ObsKey = (PupilNumber, String, String, Informant, Date);

/// Parses an SEO file.
pub fn parse_seo(
    bytes: &[u8],
    file_name: &str,
    school: &Brin,
    opts: &ImportOptions,
) -> Result<SeoBatch, ImportError> {
    let Prepared { mut info, cols, mut rows, pending } = prepare(bytes, file_name, FileKind::Seo, opts)?;
    let mut registry = PupilRegistry::new();
    let mut observations: Vec<Observation> = Vec::new();
    let mut index: HashMap<ObsKey, (usize, u64)> = HashMap::new();
    let mut read = 0u64;
    let mut duplicates = 0u64;
    let mut skipped = Vec::new();
    let mut rejected = Vec::new();
    let mut decimal = Decimal::Unknown;
    let mut handle = |line: u64, rec: &StringRecord| {
        if is_blank(rec) {
            return;
        }
        read += 1;
        let row = Row { line, rec, cols: &cols };
        let res = (|| -> Result<(), Problem> {
            row.check_shape()?;
            let p = pupil_of(&row, school)?;
            let iv = row.get(Field::Instrument);
            let instrument = instrument_id(iv).ok_or_else(|| {
                row.problem(Field::Instrument, iv, "geen instrument (bijv. ZIEN!, Kindbegrip, SCOL, KanVAS)")
            })?;
            let dv = row.get(Field::Dimension);
            let ws = words(dv);
            if ws.is_empty() {
                return Err(row.problem(
                    Field::Dimension,
                    dv,
                    "geen dimensie (bijv. welbevinden, betrokkenheid)",
                ));
            }
            let dimension = ws.join("_");
            let inf = row.get(Field::Informant);
            let informant = informant(inf).ok_or_else(|| {
                row.problem(
                    Field::Informant,
                    inf,
                    format!(
                        "onbekende informant '{}': verwacht leerkracht, leerling, ouder of professional",
                        clip(inf)
                    ),
                )
            })?;
            let date = row
                .date(Field::Date, "afnamedatum")?
                .ok_or_else(|| row.problem(Field::Date, row.get(Field::Date), "geen afnamedatum"))?;
            let signal = row.value(Field::Signal).map(str::to_owned);
            let Some(value) = row.number(Field::Value, "waarde", &mut decimal)? else {
                let v = row.get(Field::Value);
                let reason = if v.is_empty() {
                    "geen waarde (leeg); de regel is overgeslagen".to_owned()
                } else {
                    format!("geen waarde ('{}'); de regel is overgeslagen", clip(v))
                };
                skipped.push(row.problem(Field::Value, v, reason));
                return Ok(());
            };
            let number = p.number.clone();
            if let Err(reason) = registry.merge(p, line, false).map(|_: (Merge, usize)| ()) {
                return Err(row.problem(Field::LastName, row.get(Field::LastName), reason));
            }
            let obs = Observation {
                school: school.clone(),
                pupil: number.clone(),
                instrument: instrument.clone(),
                dimension: dimension.clone(),
                informant,
                date,
                value,
                signal,
            };
            let k = (number, instrument, dimension, informant, date);
            if let Some(&(i, first)) = index.get(&k) {
                if observations[i] == obs {
                    duplicates += 1;
                    return Ok(());
                }
                return Err(row.problem(
                    Field::Value,
                    row.get(Field::Value),
                    format!("tegenstrijdig met regel {first}: dezelfde leerling, dimensie, informant en datum met een andere waarde"),
                ));
            }
            index.insert(k, (observations.len(), line));
            observations.push(obs);
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
    info.decimal = decimal;
    Ok(SeoBatch { info, read, pupils: registry.pupils, observations, duplicates, skipped, rejected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruments_and_informants() {
        assert_eq!(instrument_id("ZIEN!").as_deref(), Some("zien"));
        assert_eq!(instrument_id("Hart & Ziel").as_deref(), Some("hart_en_ziel"));
        assert_eq!(instrument_id("LeerlingSCOL").as_deref(), Some("scol"));
        assert_eq!(instrument_id("Eigen lijst").as_deref(), Some("eigen_lijst"));
        assert_eq!(informant("Leerkracht"), Some(Informant::Leerkracht));
        assert_eq!(informant("Ouders"), Some(Informant::Ouder));
        assert_eq!(informant("IB'er"), Some(Informant::Professional));
        assert_eq!(informant("buurman"), None);
    }
}
