//! Store errors. Messages are Dutch where a user can act on them.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "de database '{path}' voldoet niet aan de eisen: {setting} is '{actual}', vereist is '{required}'. \
         Gebruik een gewoon bestand op een lokale schijf (geen geheugen-database of alleen-lezen map)."
    )]
    Pragma { path: String, setting: &'static str, actual: String, required: &'static str },
    #[error("de database '{path}' kan niet worden geopend: {source}")]
    Open { path: String, source: rusqlite::Error },
    #[error("de database heeft schemaversie {found}, nieuwer dan deze versie van Schoolscan kent ({known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("onbekende school met BRIN {0}")]
    UnknownSchool(String),
    #[error("onbekend bestuur '{0}'")]
    UnknownBoard(String),
    #[error("onbekende toets '{0}'")]
    UnknownTest(String),
    #[error("ongeldige waarde in de database ({what}): {value}")]
    Corrupt { what: &'static str, value: String },
    #[error(
        "stap {step} is intussen door iemand anders opgeslagen (u begon bij versie {expected}, nu is het versie {found}). \
         Laad de pagina opnieuw en voer uw wijzigingen nogmaals in."
    )]
    Conflict { step: u8, expected: i64, found: i64 },
    #[error("er is geen schoolscan van school {school} in {year}")]
    NoScan { school: String, year: String },
    #[error("{0}")]
    Rejected(String),
    #[error("onbekende gebruiker '{0}'")]
    UnknownUser(String),
    #[error("databasefout: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("gegevens konden niet worden omgezet: {0}")]
    Json(#[from] serde_json::Error),
}
