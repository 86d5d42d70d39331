//! The fields an import knows, their Dutch ids (used in the mapping file and the report) and the
//! header synonyms that recognise them.

use serde::{Deserialize, Serialize};

use crate::text::key;

/// A column's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    #[serde(rename = "leerlingnummer")]
    PupilNumber,
    #[serde(rename = "eck_id")]
    EckId,
    #[serde(rename = "achternaam")]
    LastName,
    #[serde(rename = "tussenvoegsel")]
    Prefix,
    #[serde(rename = "roepnaam")]
    FirstName,
    #[serde(rename = "geboortedatum")]
    BirthDate,
    #[serde(rename = "geslacht")]
    Sex,
    #[serde(rename = "groep")]
    Group,
    #[serde(rename = "jaargroep")]
    Grade,
    #[serde(rename = "schooljaar")]
    SchoolYear,
    #[serde(rename = "leverancier")]
    Vendor,
    #[serde(rename = "toets")]
    Test,
    #[serde(rename = "toetsversie")]
    TestVersion,
    #[serde(rename = "onderdeel")]
    Component,
    #[serde(rename = "toetsmoment")]
    Moment,
    #[serde(rename = "afnamedatum")]
    Date,
    #[serde(rename = "vaardigheidsscore")]
    Ability,
    #[serde(rename = "ruwe_score")]
    Raw,
    #[serde(rename = "niveau")]
    Level,
    #[serde(rename = "percentiel")]
    Percentile,
    #[serde(rename = "dle")]
    Dle,
    #[serde(rename = "referentieniveau")]
    ReferenceLevel,
    #[serde(rename = "csem")]
    Csem,
    #[serde(rename = "leerlinggewicht")]
    Weight,
    #[serde(rename = "opleiding_ouders")]
    ParentsEducation,
    #[serde(rename = "opp")]
    Opp,
    /// A list of risk flags in one cell (`kwetsbaar, noodopvang`).
    #[serde(rename = "kenmerken")]
    Flags,
    /// A yes/no column whose header names one risk flag (`Kwetsbaar`, `Noodopvang`).
    #[serde(rename = "kenmerk")]
    Flag,
    #[serde(rename = "datum_instroom")]
    Arrived,
    #[serde(rename = "datum_uitstroom")]
    Left,
    #[serde(rename = "instrument")]
    Instrument,
    #[serde(rename = "dimensie")]
    Dimension,
    #[serde(rename = "informant")]
    Informant,
    #[serde(rename = "waarde")]
    Value,
    #[serde(rename = "signaal")]
    Signal,
    /// Explicitly ignored (mapping file only).
    #[serde(rename = "negeren")]
    Ignore,
}

impl Field {
    pub const ALL: [Field; 36] = [
        Field::PupilNumber,
        Field::EckId,
        Field::LastName,
        Field::Prefix,
        Field::FirstName,
        Field::BirthDate,
        Field::Sex,
        Field::Group,
        Field::Grade,
        Field::SchoolYear,
        Field::Vendor,
        Field::Test,
        Field::TestVersion,
        Field::Component,
        Field::Moment,
        Field::Date,
        Field::Ability,
        Field::Raw,
        Field::Level,
        Field::Percentile,
        Field::Dle,
        Field::ReferenceLevel,
        Field::Csem,
        Field::Weight,
        Field::ParentsEducation,
        Field::Opp,
        Field::Flags,
        Field::Flag,
        Field::Arrived,
        Field::Left,
        Field::Instrument,
        Field::Dimension,
        Field::Informant,
        Field::Value,
        Field::Signal,
        Field::Ignore,
    ];

    /// The id used in mapping files and reports (`leerlingnummer`, `vaardigheidsscore`).
    pub fn id(self) -> &'static str {
        match self {
            Field::PupilNumber => "leerlingnummer",
            Field::EckId => "eck_id",
            Field::LastName => "achternaam",
            Field::Prefix => "tussenvoegsel",
            Field::FirstName => "roepnaam",
            Field::BirthDate => "geboortedatum",
            Field::Sex => "geslacht",
            Field::Group => "groep",
            Field::Grade => "jaargroep",
            Field::SchoolYear => "schooljaar",
            Field::Vendor => "leverancier",
            Field::Test => "toets",
            Field::TestVersion => "toetsversie",
            Field::Component => "onderdeel",
            Field::Moment => "toetsmoment",
            Field::Date => "afnamedatum",
            Field::Ability => "vaardigheidsscore",
            Field::Raw => "ruwe_score",
            Field::Level => "niveau",
            Field::Percentile => "percentiel",
            Field::Dle => "dle",
            Field::ReferenceLevel => "referentieniveau",
            Field::Csem => "csem",
            Field::Weight => "leerlinggewicht",
            Field::ParentsEducation => "opleiding_ouders",
            Field::Opp => "opp",
            Field::Flags => "kenmerken",
            Field::Flag => "kenmerk",
            Field::Arrived => "datum_instroom",
            Field::Left => "datum_uitstroom",
            Field::Instrument => "instrument",
            Field::Dimension => "dimensie",
            Field::Informant => "informant",
            Field::Value => "waarde",
            Field::Signal => "signaal",
            Field::Ignore => "negeren",
        }
    }

    pub fn from_id(id: &str) -> Option<Field> {
        let k = key(id);
        Field::ALL.into_iter().find(|f| key(f.id()) == k)
    }

    /// A Dutch description with the usual header names, for "missing column" messages.
    pub fn describe(self) -> &'static str {
        match self {
            Field::PupilNumber => "leerlingnummer (Leerlingnummer / Leerling ID / LAS-nummer / ECK iD)",
            Field::Test => "toets (Toets / Toetsnaam / Vak)",
            Field::Ability => "een score (Vaardigheidsscore / VS / Score / Ruwe score / Niveau / DLE)",
            Field::Date => {
                "afnamedatum (Afnamedatum / Datum) of toetsmoment (Toetsmoment / Periode) met schooljaar"
            }
            Field::Instrument => "instrument (Instrument / Vragenlijst)",
            Field::Dimension => "dimensie (Dimensie / Schaal / Onderdeel)",
            Field::Informant => "informant (Informant / Ingevuld door)",
            Field::Value => "waarde (Waarde / Score)",
            _ => self.id(),
        }
    }
}

/// Header synonyms, as matching keys ([`key`]). Several files use `Score` for the score and
/// `Onderdeel` for an SEO dimension; [`recognise`] resolves these by file kind.
const SYNONYMS: &[(Field, &[&str])] = &[
    (
        Field::PupilNumber,
        &[
            "leerlingnummer",
            "leerlingnr",
            "llnr",
            "llnnr",
            "lnr",
            "leerlingid",
            "leerlingkey",
            "lasnummer",
            "lasnr",
            "lasid",
            "leerlingcode",
            "nummer",
            "pupilnumber",
            "studentid",
        ],
    ),
    (Field::EckId, &["eckid", "ecknummer", "ketenid"]),
    (Field::LastName, &["achternaam", "familienaam", "geslachtsnaam", "lastname"]),
    (Field::Prefix, &["tussenvoegsel", "tussenvoegsels", "voorvoegsel", "voorvoegsels", "tv"]),
    (Field::FirstName, &["roepnaam", "voornaam", "voornamen", "firstname"]),
    (Field::BirthDate, &["geboortedatum", "geboren", "gebdatum", "birthdate"]),
    (Field::Sex, &["geslacht", "gender", "mv", "jongenmeisje", "sexe"]),
    (Field::Group, &["groep", "groepsnaam", "klas", "stamgroep", "groepnaam", "group"]),
    (Field::Grade, &["jaargroep", "leerjaar", "jg", "groepsniveau"]),
    (Field::SchoolYear, &["schooljaar", "jaar", "sj"]),
    (Field::Vendor, &["leverancier", "uitgever", "toetsleverancier", "bron", "lvs"]),
    (
        Field::Test,
        &["toets", "toetsnaam", "vak", "toetscode", "naamtoets", "toetsomschrijving", "instrumentnaam"],
    ),
    (Field::TestVersion, &["versie", "toetsversie"]),
    (Field::Component, &["onderdeel", "categorie", "toetsonderdeel", "domein", "subtoets"]),
    (Field::Moment, &["toetsmoment", "periode", "moment", "afnamemoment", "toetsperiode"]),
    (Field::Date, &["afnamedatum", "datum", "toetsdatum", "datumafname", "afgenomenop", "afname"]),
    (
        Field::Ability,
        &[
            "vaardigheidsscore",
            "vs",
            "vscore",
            "score",
            "vaardigheid",
            "scaledscore",
            "domeinscore",
            "toetsscore",
        ],
    ),
    (Field::Raw, &["ruwescore", "aantalgoed", "goed", "rs", "ruw", "aantalcorrect"]),
    (Field::Level, &["niveau", "niveauwaarde", "niveauscore", "beoordeling", "ae", "iv", "level"]),
    (Field::Percentile, &["percentiel", "percentielscore", "pc", "percentile"]),
    (Field::Dle, &["dle", "didactischeleeftijdsequivalent"]),
    (Field::ReferenceLevel, &["referentieniveau", "refniveau", "referentiescore", "rn"]),
    (
        Field::Csem,
        &[
            "csem",
            "sem",
            "betrouwbaarheid",
            "betrouwbaarheidsinterval",
            "meetfout",
            "standaardmeetfout",
            "se",
        ],
    ),
    (Field::Weight, &["leerlinggewicht", "gewicht", "llgewicht", "gewichtenregeling"]),
    (
        Field::ParentsEducation,
        &["opleidingouders", "opleidingsniveauouders", "ouderopleiding", "opleidingsniveau"],
    ),
    (Field::Opp, &["opp", "ontwikkelingsperspectief", "ontwikkelingsperspectiefplan", "heeftopp"]),
    (Field::Flags, &["kenmerken", "risicokenmerken", "risicos", "bijzonderheden", "signaleringen"]),
    (
        Field::Flag,
        &["kwetsbaar", "langdurigafwezig", "noodopvang", "nieuwkomer", "nt2", "thuiszitter", "zorgleerling"],
    ),
    (
        Field::Arrived,
        &["datuminstroom", "instroomdatum", "datuminschrijving", "inschrijfdatum", "ingeschreven"],
    ),
    (
        Field::Left,
        &["datumuitstroom", "uitstroomdatum", "datumuitschrijving", "uitschrijfdatum", "uitgeschreven"],
    ),
    (Field::Instrument, &["instrument", "vragenlijst", "observatielijst", "signaleringslijst"]),
    (Field::Dimension, &["dimensie", "schaal", "aspect", "competentie", "graadmeter"]),
    (Field::Informant, &["informant", "ingevulddoor", "beoordelaar", "respondent", "invuller"]),
    (Field::Value, &["waarde", "uitslag"]),
    (Field::Signal, &["signaal", "signalering", "signaleringsniveau", "kleur", "zorgsignaal"]),
];

/// Which file is read: decides between overlapping synonyms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Scores,
    Pupils,
    Seo,
}

/// The field a header names, if it is a known synonym (exactly, or as a prefix of the header).
pub fn recognise(header: &str, kind: FileKind) -> Option<Field> {
    recognise_exact(header, kind).or_else(|| recognise_prefix(header))
}

/// The field a header names when the header is exactly a synonym (after normalisation).
pub fn recognise_exact(header: &str, kind: FileKind) -> Option<Field> {
    let k = key(header);
    if k.is_empty() {
        return None;
    }
    if kind == FileKind::Seo {
        match k.as_str() {
            "score" | "vaardigheidsscore" | "waarde" | "uitslag" => return Some(Field::Value),
            "onderdeel" | "categorie" | "domein" => return Some(Field::Dimension),
            "toets" | "toetsnaam" | "instrument" => return Some(Field::Instrument),
            _ => {}
        }
    }
    if kind != FileKind::Scores && k == "vak" {
        return None;
    }
    let f = SYNONYMS.iter().find(|(_, keys)| keys.contains(&k.as_str())).map(|(f, _)| *f)?;
    match (kind, f) {
        (FileKind::Scores, Field::Value) => Some(Field::Ability),
        (FileKind::Scores | FileKind::Pupils, Field::Dimension | Field::Informant | Field::Signal) => None,
        _ => Some(f),
    }
}

/// Common decorations of a header: "Geboortedatum (dd-mm-jjjj)", "Afnamedatum toets": the longest
/// synonym of at least six characters that starts the header.
pub fn recognise_prefix(header: &str) -> Option<Field> {
    let k = key(header);
    SYNONYMS
        .iter()
        .flat_map(|(f, keys)| keys.iter().map(move |s| (*f, *s)))
        .filter(|(_, s)| s.len() >= 6 && k.starts_with(s))
        .max_by_key(|(_, s)| s.len())
        .map(|(f, _)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_are_insensitive() {
        let s = FileKind::Scores;
        assert_eq!(recognise("Leerling ID", s), Some(Field::PupilNumber));
        assert_eq!(recognise("LAS-nummer", s), Some(Field::PupilNumber));
        assert_eq!(recognise("ECK iD", s), Some(Field::EckId));
        assert_eq!(recognise("Roepnaam", s), Some(Field::FirstName));
        assert_eq!(recognise("VOORNAAM", s), Some(Field::FirstName));
        assert_eq!(recognise("Toets moment", s), Some(Field::Moment));
        assert_eq!(recognise("VS", s), Some(Field::Ability));
        assert_eq!(recognise("Aantal goed", s), Some(Field::Raw));
        assert_eq!(recognise("Geboortedatum (dd-mm-jjjj)", s), Some(Field::BirthDate));
        assert_eq!(recognise("Référentieniveau", s), Some(Field::ReferenceLevel));
        assert_eq!(recognise("Score", FileKind::Seo), Some(Field::Value));
        assert_eq!(recognise("Onderdeel", FileKind::Seo), Some(Field::Dimension));
        assert_eq!(recognise("Opmerking", s), None);
        assert_eq!(recognise("", s), None);
    }

    #[test]
    fn ids_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_id(f.id()), Some(f));
        }
    }
}
