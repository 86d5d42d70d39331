//! The explicit mapping file (TOML, Dutch keys): which header means which field, which columns of a
//! wide file hold which test and moment, and the subject and scale of tests the catalogue does not
//! know. See `MAPPING.md` for the user guide. The mapping is a plain serialisable value, so the
//! store can remember it per school.

use std::collections::BTreeMap;

use schoolscan_domain::{Moment, ScaleKind, SchoolYear};
use serde::{Deserialize, Serialize};

use crate::fields::Field;
use crate::text::key;

/// A mapping file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// File-wide settings.
    #[serde(default, rename = "bestand", skip_serializing_if = "FileSettings::is_empty")]
    pub file: FileSettings,
    /// Header (as in the file) → field id (`leerlingnummer`, `toets`, `negeren`, ...).
    #[serde(default, rename = "kolommen", skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, Field>,
    /// Header (as in the file) → the test and moment of a wide-layout column.
    #[serde(default, rename = "brede_kolommen", skip_serializing_if = "BTreeMap::is_empty")]
    pub wide_columns: BTreeMap<String, WideColumn>,
    /// Tests the catalogue does not know, or other names for tests it does.
    #[serde(default, rename = "toetsen", skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<TestSpec>,
}

/// `[bestand]`: settings for the whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    /// The sheet to read in a spreadsheet (default: the first).
    #[serde(default, rename = "blad", skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// The line (CSV) or row (spreadsheet) with the headers, 1-based (default: found automatically
    /// in the first ten rows).
    #[serde(default, rename = "kopregel", skip_serializing_if = "Option::is_none")]
    pub header_row: Option<u64>,
    /// `;`, `,` or `tab` (default: sniffed).
    #[serde(default, rename = "scheidingsteken", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// The school year for rows without a date or a Schooljaar column.
    #[serde(default, rename = "schooljaar", skip_serializing_if = "Option::is_none")]
    pub school_year: Option<SchoolYear>,
    /// The vendor of tests whose name does not say (`cito`, `iep`, `boom`, `dia`).
    #[serde(default, rename = "leverancier", skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
}

impl FileSettings {
    fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A wide-layout column: which test and which moment its scores belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WideColumn {
    #[serde(rename = "toets")]
    pub test: String,
    pub moment: Moment,
}

/// `[[toetsen]]`: a test by the name the file uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSpec {
    /// The name as it appears in the file (matched case-, space- and accent-insensitively).
    #[serde(rename = "naam")]
    pub name: String,
    /// Another name for a catalogue test: `als = "Cito Rekenen-Wiskunde 3.0"`.
    #[serde(default, rename = "als", skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
    #[serde(default, rename = "leverancier", skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Subject id: `rekenen_wiskunde`, `begrijpend_lezen`, `spelling`, ...
    #[serde(default, rename = "vak", skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, rename = "versie", skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, rename = "schaal", skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleSpec>,
}

/// A scale in the mapping file: `{ code = "...", soort = "vertical", min = 0, max = 300 }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSpec {
    pub code: String,
    #[serde(rename = "soort")]
    pub kind: ScaleKind,
    pub min: f64,
    pub max: f64,
}

impl Mapping {
    /// Reads a mapping file. The error is a Dutch message with the place of the mistake.
    pub fn from_toml(s: &str) -> Result<Self, String> {
        let m: Mapping = toml::from_str(s).map_err(|e| {
            let msg = e.message().to_owned();
            let line = e.span().map(|sp| s.get(..sp.start).unwrap_or(s).matches('\n').count() + 1);
            let fields: Vec<&str> = Field::ALL.iter().map(|f| f.id()).collect();
            let hint = if msg.contains("unknown variant") {
                format!(" Kies een veld uit: {}.", fields.join(", "))
            } else {
                String::new()
            };
            match line {
                Some(l) => format!("fout in het koppelbestand op regel {l}: {msg}.{hint}"),
                None => format!("fout in het koppelbestand: {msg}.{hint}"),
            }
        })?;
        if let Some(d) = &m.file.delimiter {
            if m.delimiter().is_none() {
                return Err(format!("koppelbestand: onbekend scheidingsteken '{d}'; kies ';', ',' of 'tab'"));
            }
        }
        Ok(m)
    }

    /// Writes the mapping as TOML (for the store to remember it, or to show the user).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// The delimiter byte named in `[bestand]`, if any.
    pub fn delimiter(&self) -> Option<u8> {
        match self.file.delimiter.as_deref().map(str::trim) {
            Some(";") => Some(b';'),
            Some(",") => Some(b','),
            Some("tab") | Some("\t") | Some("\\t") => Some(b'\t'),
            Some("|") => Some(b'|'),
            _ => None,
        }
    }

    /// The field the mapping assigns to a header.
    pub fn field_for(&self, header: &str) -> Option<Field> {
        let k = key(header);
        if k.is_empty() {
            return None;
        }
        self.columns.iter().find(|(h, _)| key(h) == k).map(|(_, f)| *f)
    }

    /// The wide-column assignment for a header.
    pub fn wide_for(&self, header: &str) -> Option<&WideColumn> {
        let k = key(header);
        if k.is_empty() {
            return None;
        }
        self.wide_columns.iter().find(|(h, _)| key(h) == k).map(|(_, w)| w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
[bestand]
blad = "Resultaten"
kopregel = 3
scheidingsteken = ";"
schooljaar = "2020-2021"
leverancier = "cito"

[kolommen]
"Lln.nr." = "leerlingnummer"
"Naam toets" = "toets"
"Opmerking" = "negeren"

[brede_kolommen]
"Rek midden 5" = { toets = "Rekenen-Wiskunde 3.0", moment = "M5" }

[[toetsen]]
naam = "Rekentuin"
leverancier = "Oefenweb"
vak = "rekenen_wiskunde"
schaal = { code = "rating", soort = "norm_referenced", min = 0, max = 1000 }

[[toetsen]]
naam = "Rek"
als = "Cito Rekenen-Wiskunde 3.0"
"#;

    #[test]
    fn parse_and_round_trip() {
        let m = Mapping::from_toml(EXAMPLE).unwrap();
        assert_eq!(m.file.header_row, Some(3));
        assert_eq!(m.field_for("lln nr"), Some(Field::PupilNumber));
        assert_eq!(m.field_for("OPMERKING"), Some(Field::Ignore));
        assert_eq!(m.wide_for("rek midden 5").unwrap().moment.to_string(), "M5");
        assert_eq!(m.tests[0].scale.as_ref().unwrap().kind, ScaleKind::NormReferenced);
        assert_eq!(m.delimiter(), Some(b';'));
        let back = Mapping::from_toml(&m.to_toml()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn errors_are_dutch_with_line() {
        let e = Mapping::from_toml("[kolommen]\n\"X\" = \"onzin\"\n").unwrap_err();
        assert!(e.contains("regel 2"), "{e}");
        assert!(e.contains("leerlingnummer"), "{e}");
        let e = Mapping::from_toml("[bestand]\nscheidingsteken = \"#\"\n").unwrap_err();
        assert!(e.contains("scheidingsteken"), "{e}");
        assert!(Mapping::from_toml("[onbekend]\n").is_err());
    }
}
