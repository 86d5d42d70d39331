//! Errors of the access logic. Messages are Dutch where a user can act on them.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("het wachtwoord moet minstens {min} tekens lang zijn")]
    PasswordTooShort { min: usize },
    #[error("het wachtwoord mag hoogstens {max} tekens lang zijn")]
    PasswordTooLong { max: usize },
    #[error("dit wachtwoord komt voor in de lijst van veelgebruikte of gelekte wachtwoorden; kies een ander")]
    PasswordCommon,
    #[error("het wachtwoord mag niet gelijk zijn aan of bestaan uit de gebruikersnaam")]
    PasswordIsUsername,
    #[error("het wachtwoord kon niet worden versleuteld")]
    Hashing,
    #[error("de systeemrandomgenerator is niet beschikbaar")]
    Random,
    #[error("onbekende rol '{0}'")]
    UnknownRole(String),
    #[error("ongeldige geheime sleutel voor de tweestapsverificatie")]
    TotpSecret,
    #[error("de aanmelding via de identiteitsprovider is ongeldig: {0}")]
    Oidc(String),
}
