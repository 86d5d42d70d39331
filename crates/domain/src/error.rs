//! Errors for values that fail their rules. Messages are Dutch: they reach school staff.

use thiserror::Error;

/// A value that does not satisfy the rules of its domain type.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("ongeldige BRIN-code '{0}': verwacht vier tekens, twee cijfers en twee letters (bijv. 12AB)")]
    Brin(String),
    #[error("ongeldig schooljaar '{0}': verwacht bijvoorbeeld 2020-2021")]
    SchoolYear(String),
    #[error("ongeldige jaargroep '{0}': verwacht een getal van 1 tot en met 8")]
    Grade(String),
    #[error("ongeldige groepsnaam '{0}': verwacht bijvoorbeeld 5A of 5/6")]
    GroupName(String),
    #[error("ongeldig leerlingnummer '{0}': het mag niet leeg zijn en hoogstens 64 tekens hebben")]
    PupilNumber(String),
    #[error("ongeldig toetsmoment '{0}': verwacht B, M of E gevolgd door de groep, bijv. M5")]
    Moment(String),
    #[error("ongeldig vak '{0}': gebruik kleine letters, cijfers en liggende streepjes")]
    Subject(String),
    #[error("ongeldige informant '{0}': verwacht leerkracht, leerling, ouder of professional")]
    Informant(String),
    #[error("ongeldig geslacht '{0}': verwacht M, V of X")]
    Sex(String),
    #[error("ongeldig leerlinggewicht '{0}': verwacht 0, 0,3 of 1,2")]
    Weight(String),
    #[error("ongeldige datum '{0}'")]
    Date(String),
}
