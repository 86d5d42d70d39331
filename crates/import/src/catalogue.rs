//! The test catalogue: test names as schools' LVS exports write them → vendor, subject and scale.
//!
//! A name is read as words: a vendor word (`Cito`, `LOVS`, `IEP`, `Boom`, `DIA`), a generation word
//! for Cito (`3.0`, `oud`, `Leerling in beeld`) and a subject word (`Rekenen-Wiskunde`, `RW`, `BL`,
//! `Spelling`, `TL`, `DMT`, `AVI`, `WS`). Without a vendor word the vendor is the file's or mapping's
//! default, else Cito; without a generation word Cito means LOVS 3.0. Every vendor and every Cito
//! generation has its own scale codes: scores on different scales are never mixed.
//!
//! Scale bounds: DIA's domain scores run 40–80 (lvs-data.md §2.5). For the other vendors no public
//! source gives the exact range (lvs-data.md §2, [Not verified]); the bounds below are broad
//! plausibility limits that catch typing errors (a score of 1874 for 187,4) without refusing real
//! scores. A school that knows better sets the scale in its mapping file.
//!
//! AVI levels are ordinal. They are stored as `level` (`AVI-E4`) and as `ability` = the rank on the
//! scale `avi_rang` (AVI-Start 0, M3 1, E3 2, … E7 10, AVI-Plus 11), marked vertical: one step is
//! nominally half a school year, but differences are level steps, not an interval scale. The old
//! AVI levels 1–9 are not converted (their correspondence is not verified) and are rejected.

use schoolscan_domain::{Moment, MomentKind, Scale, ScaleKind, Subject, Test};

use crate::mapping::{Mapping, ScaleSpec};
use crate::text::{key, words};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generation {
    Old,
    V3,
    Lib,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subj {
    Rw,
    Bl,
    Sp,
    Ww,
    Tl,
    Avi,
    Ws,
    Sv,
}

impl Subj {
    fn id(self) -> &'static str {
        match self {
            Subj::Rw => Subject::REKENEN_WISKUNDE,
            Subj::Bl => Subject::BEGRIJPEND_LEZEN,
            Subj::Sp => Subject::SPELLING,
            Subj::Ww => "werkwoordspelling",
            Subj::Tl | Subj::Avi => Subject::TECHNISCH_LEZEN,
            Subj::Ws => Subject::WOORDENSCHAT,
            Subj::Sv => "studievaardigheden",
        }
    }
    fn code(self) -> &'static str {
        match self {
            Subj::Rw => "rw",
            Subj::Bl => "bl",
            Subj::Sp => "sp",
            Subj::Ww => "ww",
            Subj::Tl => "tl",
            Subj::Avi => "avi",
            Subj::Ws => "ws",
            Subj::Sv => "sv",
        }
    }
}

/// The vendors the catalogue knows, by id.
pub const VENDORS: [&str; 4] = ["cito", "iep", "boom", "dia"];

fn vendor_of_word(w: &str) -> Option<&'static str> {
    match w {
        "cito" | "lovs" => Some("cito"),
        "iep" => Some("iep"),
        "boom" => Some("boom"),
        "dia" | "diatoetsen" | "diatoets" => Some("dia"),
        _ => None,
    }
}

/// The vendor id of a free vendor name (`Cito`, `Bureau ICE`, `Boom test onderwijs`).
pub fn vendor_id(s: &str) -> Option<&'static str> {
    let ws = words(s);
    if ws.iter().any(|w| w == "ice") {
        return Some("iep");
    }
    ws.iter().find_map(|w| vendor_of_word(w))
}

fn subject_of(ws: &[String]) -> Option<Subj> {
    let has = |w: &str| ws.iter().any(|x| x == w);
    let joined: String = ws.concat();
    if has("avi") || joined.starts_with("avi") {
        return Some(Subj::Avi);
    }
    if has("dmt") || has("technisch") || has("tl") || joined.contains("drieminuten") {
        return Some(Subj::Tl);
    }
    if has("werkwoordspelling") || (has("spelling") && has("werkwoorden")) || has("ww") {
        return Some(Subj::Ww);
    }
    if has("studievaardigheden") || has("sv") {
        return Some(Subj::Sv);
    }
    let subjects = [
        (
            Subj::Rw,
            &["rekenen", "wiskunde", "rw", "rekenenwiskunde", "rekenwiskunde", "rekentoets", "diarekenen"][..],
        ),
        (Subj::Bl, &["begrijpend", "bl", "begrijpendlezen", "lezen", "leesbegrip", "dialezen"][..]),
        (Subj::Sp, &["spelling", "sp", "taalverzorging", "spellingsvaardigheid", "diaspelling"][..]),
        (Subj::Ws, &["woordenschat", "ws", "diawoordenschat"][..]),
    ];
    let found: Vec<Subj> =
        subjects.iter().filter(|(_, keys)| keys.iter().any(|k| has(k))).map(|(s, _)| *s).collect();
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

fn generation_of(ws: &[String]) -> Option<Generation> {
    let has = |w: &str| ws.iter().any(|x| x == w);
    let joined: String = ws.concat();
    if has("lib") || joined.contains("leerlinginbeeld") {
        Some(Generation::Lib)
    } else if has("3.0") || has("3") || has("30") {
        Some(Generation::V3)
    } else if has("oud") || has("oude") || has("2.0") || has("2") || has("versie2") {
        Some(Generation::Old)
    } else {
        None
    }
}

fn scale(code: String, kind: ScaleKind, min: f64, max: f64) -> Scale {
    Scale { code, kind, min, max }
}

fn build(vendor: &'static str, generation: Option<Generation>, subj: Subj) -> Option<Test> {
    let subject = Subject::parse(subj.id()).ok()?;
    let (name, version, sc) = match vendor {
        "cito" => match subj {
            Subj::Avi => ("AVI", None, scale("avi_rang".into(), ScaleKind::Vertical, 0.0, 11.0)),
            Subj::Tl => ("DMT", None, scale("cito_dmt".into(), ScaleKind::Vertical, 0.0, 400.0)),
            Subj::Ww => {
                ("Spelling werkwoorden", None, scale("cito_ww".into(), ScaleKind::Vertical, -100.0, 400.0))
            }
            Subj::Sv => {
                ("Studievaardigheden", None, scale("cito_sv".into(), ScaleKind::Vertical, -100.0, 400.0))
            }
            _ => {
                let name = match subj {
                    Subj::Rw => "Rekenen-Wiskunde",
                    Subj::Bl => "Begrijpend lezen",
                    Subj::Sp => "Spelling",
                    _ => "Woordenschat",
                };
                let (version, suffix, min, max) = match generation.unwrap_or(Generation::V3) {
                    Generation::Old => ("oud", "oud", -100.0, 300.0),
                    Generation::V3 => ("3.0", "3", 0.0, 400.0),
                    Generation::Lib => ("Leerling in beeld", "lib", 0.0, 400.0),
                };
                let code = format!("cito_{}_{suffix}", subj.code());
                (name, Some(version), scale(code, ScaleKind::Vertical, min, max))
            }
        },
        "iep" | "boom" => {
            let name = match (vendor, subj) {
                ("iep", Subj::Rw) => "Rekenen",
                ("iep", Subj::Bl) => "Lezen",
                ("iep", Subj::Sp) => "Taalverzorging",
                (_, Subj::Rw) => "Rekenen-Wiskunde",
                (_, Subj::Bl) => "Begrijpend lezen",
                (_, Subj::Sp) => "Spelling",
                (_, Subj::Tl) => "Technisch lezen",
                (_, Subj::Ws) => "Woordenschat",
                _ => return None,
            };
            let code = format!("{vendor}_{}", subj.code());
            (name, None, scale(code, ScaleKind::Vertical, -100.0, 1000.0))
        }
        "dia" => {
            let name = match subj {
                Subj::Rw => "Rekenen",
                Subj::Bl => "Lezen",
                Subj::Sp => "Spelling",
                Subj::Tl => "Technisch lezen",
                Subj::Ws => "Woordenschat",
                _ => return None,
            };
            let code = format!("dia_{}_60", subj.code());
            (name, None, scale(code, ScaleKind::NormReferenced, 40.0, 80.0))
        }
        _ => return None,
    };
    Some(Test {
        key: Test::make_key(vendor, name, version),
        vendor: vendor.to_owned(),
        name: name.to_owned(),
        version: version.map(str::to_owned),
        subject,
        scale: sc,
    })
}

/// Resolves a test name from a file to a catalogue test. `vendor` is a vendor id or name from the
/// file or the mapping (used when the name has no vendor word); `version` a version column value.
pub fn lookup(name: &str, vendor: Option<&str>, version: Option<&str>) -> Option<Test> {
    let mut ws = words(name);
    if let Some(v) = version {
        ws.extend(words(v));
    }
    let named_vendor = ws.iter().find_map(|w| vendor_of_word(w)).or_else(|| {
        let j = ws.concat();
        ["dia"].into_iter().find(|p| j.starts_with(p) && subject_of(&ws).is_some() && j.len() > 3)
    });
    let generation = generation_of(&ws);
    let vendor = named_vendor
        .or(if generation == Some(Generation::Lib) { Some("cito") } else { None })
        .or_else(|| vendor.and_then(vendor_id))
        .unwrap_or("cito");
    let subj = subject_of(&ws)?;
    build(vendor, generation, subj)
}

/// A test named in the mapping file (`[[toetsen]]`), resolved: either an alias of a catalogue test
/// or a test with its own subject and scale.
pub fn from_mapping(m: &Mapping, name: &str) -> Option<Result<Test, String>> {
    let k = key(name);
    let spec = m.tests.iter().find(|t| key(&t.name) == k)?;
    if let Some(alias) = &spec.same_as {
        return Some(lookup(alias, spec.vendor.as_deref().or(m.file.vendor.as_deref()), None).ok_or_else(|| {
            format!("de toets '{alias}' (genoemd bij '{}' in het koppelbestand) staat niet in de toetscatalogus", spec.name)
        }));
    }
    let vendor = spec.vendor.clone().unwrap_or_else(|| "overig".to_owned());
    let subject = match spec.subject.as_deref().map(Subject::parse) {
        Some(Ok(s)) => s,
        Some(Err(e)) => return Some(Err(format!("koppelbestand, toets '{}': {e}", spec.name))),
        None => {
            return Some(Err(format!("koppelbestand, toets '{}': het vak (vak = ...) ontbreekt", spec.name)));
        }
    };
    let Some(ScaleSpec { code, kind, min, max }) = spec.scale.clone() else {
        return Some(Err(format!(
            "koppelbestand, toets '{}': de schaal (schaal = {{ ... }}) ontbreekt",
            spec.name
        )));
    };
    if !(min.is_finite() && max.is_finite() && min < max) {
        return Some(Err(format!(
            "koppelbestand, toets '{}': de schaal heeft een ongeldig bereik",
            spec.name
        )));
    }
    let vendor_key = key(&vendor);
    let code = if key(&code).starts_with(&vendor_key) { code } else { format!("{vendor_key}_{code}") };
    Some(Ok(Test {
        key: Test::make_key(&vendor, &spec.name, spec.version.as_deref()),
        vendor,
        name: spec.name.trim().to_owned(),
        version: spec.version.clone(),
        subject,
        scale: Scale { code, kind, min, max },
    }))
}

/// An AVI level: its canonical code (`AVI-E4`) and its rank on `avi_rang`. Accepts `E4`, `AVI E4`,
/// `AVI-E4`, `avi e 4`, `Start`, `AVI-Start`, `Plus`, `AVI-Plus`.
pub fn avi_level(s: &str) -> Option<(String, f64)> {
    let k = key(s);
    let k = k.strip_prefix("avi").unwrap_or(&k);
    match k {
        "start" | "s" => return Some(("AVI-Start".to_owned(), 0.0)),
        "plus" | "p" => return Some(("AVI-Plus".to_owned(), 11.0)),
        _ => {}
    }
    let m = Moment::parse(k).ok()?;
    let g = m.grade.get();
    if !(3..=7).contains(&g) || m.kind == MomentKind::B {
        return None;
    }
    let rank = 2.0 * f64::from(g - 3) + if m.kind == MomentKind::M { 1.0 } else { 2.0 };
    Some((format!("AVI-{m}"), rank))
}

/// Parses a test moment as exports write it: `M5`, `m 5`, `E4`, `B8`, `midden 5`, `Eind groep 4`,
/// `5M`. With `grade`, also a bare `M`, `midden`, `eind`.
pub fn parse_moment(s: &str, grade: Option<schoolscan_domain::Grade>) -> Option<Moment> {
    // Fast path: `M5`, `e4`, `B8`.
    if let [k, g @ b'1'..=b'8'] = s.trim().as_bytes() {
        let kind = match k.to_ascii_uppercase() {
            b'B' => MomentKind::B,
            b'M' => MomentKind::M,
            b'E' => MomentKind::E,
            _ => return None,
        };
        return schoolscan_domain::Grade::new(g - b'0').ok().map(|g| Moment::new(kind, g));
    }
    let ws = words(s);
    let mut kind = None;
    let mut g = None;
    for w in &ws {
        let (letters, digits): (String, String) = w.chars().partition(|c| c.is_ascii_alphabetic());
        let k = match letters.as_str() {
            "" => None,
            "b" | "begin" => Some(MomentKind::B),
            "m" | "midden" | "medio" => Some(MomentKind::M),
            "e" | "eind" => Some(MomentKind::E),
            "groep" | "gr" | "g" => None,
            _ => return None,
        };
        if k.is_some() {
            if kind.is_some() {
                return None;
            }
            kind = k;
        }
        if !digits.is_empty() {
            if g.is_some() {
                return None;
            }
            g = Some(digits.parse::<u8>().ok().and_then(|d| schoolscan_domain::Grade::new(d).ok())?);
        }
    }
    Some(Moment::new(kind?, g.or(grade)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(name: &str) -> String {
        lookup(name, None, None).map(|t| t.key).unwrap_or_default()
    }

    #[test]
    fn cito_generations() {
        assert_eq!(k("Rekenen-Wiskunde 3.0"), "cito:rekenen-wiskunde:3.0");
        assert_eq!(k("Cito LOVS Rekenen-Wiskunde"), "cito:rekenen-wiskunde:3.0");
        assert_eq!(k("RW"), "cito:rekenen-wiskunde:3.0");
        assert_eq!(k("Rekenen-Wiskunde (oud)"), "cito:rekenen-wiskunde:oud");
        assert_eq!(k("Leerling in beeld Begrijpend lezen"), "cito:begrijpend-lezen:leerling-in-beeld");
        assert_eq!(k("Spelling 3.0"), "cito:spelling:3.0");
        assert_eq!(k("Spelling werkwoorden"), "cito:spelling-werkwoorden");
        assert_eq!(k("DMT"), "cito:dmt");
        assert_eq!(k("Technisch lezen"), "cito:dmt");
        assert_eq!(k("AVI"), "cito:avi");
        assert_eq!(k("Woordenschat 3.0"), "cito:woordenschat:3.0");
        assert_eq!(k("Kleuters taal"), "");
    }

    #[test]
    fn other_vendors_never_share_scales() {
        let iep = lookup("IEP Rekenen", None, None).unwrap();
        let boom = lookup("Boom LVS Rekenen", None, None).unwrap();
        let dia = lookup("DIA rekenen", None, None).unwrap();
        let cito = lookup("Rekenen-Wiskunde", None, None).unwrap();
        let codes = [&iep.scale.code, &boom.scale.code, &dia.scale.code, &cito.scale.code];
        for (i, a) in codes.iter().enumerate() {
            for b in &codes[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(iep.subject.as_str(), "rekenen_wiskunde");
        assert_eq!(dia.scale.kind, ScaleKind::NormReferenced);
        assert_eq!((dia.scale.min, dia.scale.max), (40.0, 80.0));
        assert_eq!(lookup("Lezen", Some("IEP"), None).unwrap().key, "iep:lezen");
        assert_eq!(lookup("Taalverzorging", Some("Bureau ICE"), None).unwrap().subject.as_str(), "spelling");
        assert_eq!(lookup("Rekenen-Wiskunde", None, Some("oud")).unwrap().key, "cito:rekenen-wiskunde:oud");
        // Every (vendor, generation, subject) has a distinct scale code.
        let mut seen = std::collections::HashMap::new();
        for v in VENDORS {
            for g in [None, Some(Generation::Old), Some(Generation::V3), Some(Generation::Lib)] {
                for s in [Subj::Rw, Subj::Bl, Subj::Sp, Subj::Ww, Subj::Tl, Subj::Avi, Subj::Ws, Subj::Sv] {
                    if let Some(t) = build(v, g, s) {
                        if let Some(prev) = seen.insert(t.scale.code.clone(), t.key.clone()) {
                            assert_eq!(prev, t.key, "scale {} shared", t.scale.code);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn avi_levels() {
        assert_eq!(avi_level("E4"), Some(("AVI-E4".into(), 4.0)));
        assert_eq!(avi_level("AVI-M3"), Some(("AVI-M3".into(), 1.0)));
        assert_eq!(avi_level("avi plus"), Some(("AVI-Plus".into(), 11.0)));
        assert_eq!(avi_level("AVI-Start"), Some(("AVI-Start".into(), 0.0)));
        assert_eq!(avi_level("E7"), Some(("AVI-E7".into(), 10.0)));
        assert_eq!(avi_level("7"), None);
        assert_eq!(avi_level("M8"), None);
    }

    #[test]
    fn moments() {
        let g5 = schoolscan_domain::Grade::new(5).ok();
        assert_eq!(parse_moment("M5", None).unwrap().to_string(), "M5");
        assert_eq!(parse_moment("midden 5", None).unwrap().to_string(), "M5");
        assert_eq!(parse_moment("Eind groep 4", None).unwrap().to_string(), "E4");
        assert_eq!(parse_moment("m", g5).unwrap().to_string(), "M5");
        assert_eq!(parse_moment("B8", None).unwrap().to_string(), "B8");
        assert!(parse_moment("X5", None).is_none());
        assert!(parse_moment("M9", None).is_none());
        assert!(parse_moment("M", None).is_none());
        assert!(parse_moment("", None).is_none());
    }
}
