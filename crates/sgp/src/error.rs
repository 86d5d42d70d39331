//! Typed errors. Messages are shown to users and are therefore in Dutch;
//! they say what went wrong and, where possible, what to do next.

use thiserror::Error;

/// Everything that can go wrong while reading data or computing growth percentiles.
#[derive(Debug, Error)]
pub enum SgpError {
    /// The input file could not be read at all.
    #[error("kan het bestand niet lezen: {0}")]
    Io(#[from] std::io::Error),

    /// The CSV layer reported a problem (quoting, UTF-8, ...).
    #[error("fout in het CSV-bestand: {0}")]
    Csv(#[from] csv::Error),

    /// The header does not follow the package's wide layout.
    #[error("ongeldige kopregel: {0}. Verwacht: ID, dan GRADE_<jaar>… en SS_<jaar>… voor dezelfde jaren")]
    Header(String),

    /// A cell could not be parsed.
    #[error("regel {line}, kolom {column}: waarde '{value}' is geen geldig {expected}")]
    Cell {
        /// 1-based line number in the file (the header is line 1).
        line: u64,
        /// Column name.
        column: String,
        /// The offending text.
        value: String,
        /// What was expected (Dutch noun phrase).
        expected: &'static str,
    },

    /// A row has a different number of fields than the header.
    #[error("regel {line}: {found} velden, maar de kopregel heeft er {expected}")]
    RowLength {
        /// 1-based line number.
        line: u64,
        /// Fields found.
        found: usize,
        /// Fields expected.
        expected: usize,
    },

    /// The same pupil ID occurs twice.
    #[error("leerling-ID '{0}' komt meer dan één keer voor; elke leerling hoort op één regel")]
    DuplicateId(String),

    /// The requested analysis year is not in the file.
    #[error("jaar {0} komt niet voor in het bestand; kies een jaar uit de kolommen SS_<jaar>")]
    UnknownYear(i32),

    /// The years in the file are not consecutive where a progression needs them.
    #[error("de jaren in het bestand zijn niet opeenvolgend rond {0}; groei wordt per jaar berekend")]
    NonConsecutiveYears(i32),

    /// No grade progression could be formed for the analysis year.
    #[error(
        "voor jaar {0} is geen enkele leerjaarvolgorde met een eerdere score te vormen; er zijn geen groeipercentielen te berekenen"
    )]
    NoProgression(i32),

    /// A progression given by the caller is invalid.
    #[error("ongeldige leerjaarvolgorde {0:?}: verwacht minstens twee opeenvolgende leerjaren")]
    InvalidProgression(Vec<i32>),

    /// Knots and boundaries are missing for a prior grade.
    #[error("geen knopen en grenzen voor leerjaar {0}: er zijn geen eerdere scores in dat leerjaar")]
    MissingKnots(i32),

    /// The maximum order is zero.
    #[error("het maximale aantal eerdere scores (max-order) moet minstens 1 zijn")]
    InvalidMaxOrder,

    /// A norm group is too small for a reliable fit.
    #[error(
        "normgroep te klein: {found} leerlingen, minimaal {minimum} nodig voor een betrouwbare schatting"
    )]
    NormGroupTooSmall {
        /// Pupils available.
        found: usize,
        /// Required minimum.
        minimum: usize,
    },

    /// Inputs of inconsistent length were passed to the API.
    #[error("interne fout: invoer met ongelijke lengte ({0})")]
    Dimension(String),

    /// The quantile regression could not be solved (singular design or no convergence).
    #[error("de kwantielregressie is niet op te lossen ({0}); controleer of de scores genoeg variëren")]
    Solver(String),

    /// A non-finite number was found in the input.
    #[error("ongeldige (niet-eindige) waarde in de invoer: {0}")]
    NonFinite(String),

    /// JSON serialisation failed.
    #[error("kan de uitvoer niet als JSON schrijven: {0}")]
    Json(#[from] serde_json::Error),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, SgpError>;
