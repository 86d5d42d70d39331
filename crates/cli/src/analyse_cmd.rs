//! `schoolscan analyse`: the growth analysis (schoolscan-analysis) over the records in the
//! database. A local administrative tool: it reads every school (`Scope::System`). Without
//! `--school` all schools are analysed together as one board.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use schoolscan_domain::{Brin, MomentKind, SchoolYear};
use schoolscan_store::{DatasetFilter, Scope, Store};

/// Arguments of `schoolscan analyse`.
#[derive(Debug, Args)]
pub struct AnalyseArgs {
    /// BRIN van de school (standaard: alle scholen samen, als één bestuur).
    #[arg(long)]
    school: Option<String>,
    /// Schooljaar van het toetsmoment, bijvoorbeeld 2020-2021 (standaard: het laatste met gegevens).
    #[arg(long)]
    year: Option<String>,
    /// Toetsmoment: B (begin), M (midden) of E (eind) (standaard: het laatste met gegevens).
    #[arg(long)]
    moment: Option<String>,
    /// Uitvoer: een Nederlandse samenvatting (text) of de volledige bevindingen (json).
    #[arg(long, value_enum, default_value_t)]
    format: AnalyseFormat,
}

/// Output format of `schoolscan analyse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum AnalyseFormat {
    /// De Nederlandse samenvatting.
    #[default]
    Text,
    /// Het JSON-contract (docs/analysis-json.md).
    Json,
}

/// The analysis settings from the arguments (Dutch errors on invalid values).
fn config(args: &AnalyseArgs) -> Result<schoolscan_analysis::Config> {
    let school = match &args.school {
        Some(s) => Some(Brin::parse(s).map_err(|_| anyhow::anyhow!("ongeldige BRIN-code: {s}"))?),
        None => None,
    };
    let year = match &args.year {
        Some(y) => Some(
            SchoolYear::parse(y)
                .map_err(|_| anyhow::anyhow!("ongeldig schooljaar: {y} (gebruik bijvoorbeeld 2020-2021)"))?,
        ),
        None => None,
    };
    let moment = match &args.moment {
        Some(m) => Some(
            MomentKind::parse(m)
                .ok_or_else(|| anyhow::anyhow!("ongeldig toetsmoment: {m} (gebruik B, M of E)"))?,
        ),
        None => None,
    };
    Ok(schoolscan_analysis::Config { school, year, moment, ..schoolscan_analysis::Config::default() })
}

pub fn run(db: &Path, args: &AnalyseArgs) -> Result<ExitCode> {
    let cfg = config(args)?;
    let store = crate::commands::open(db)?;
    if let Some(b) = &cfg.school
        && !store.directory()?.iter().any(|(brin, _)| brin == b)
    {
        bail!("school {b} komt niet voor in database {}", db.display());
    }
    let filter = DatasetFilter { schools: Vec::new(), until: None, with_notes: false };
    let data = store.load_dataset(&Scope::System, &filter).context("kan de gegevens niet lezen")?;
    if data.scores.is_empty() {
        bail!("er staan geen toetsscores in database {}: importeer eerst gegevens", db.display());
    }
    let findings = schoolscan_analysis::analyse(&data, &cfg).context("analyse niet mogelijk")?;
    match args.format {
        AnalyseFormat::Json => println!("{}", serde_json::to_string_pretty(&findings)?),
        AnalyseFormat::Text => print!("{}", schoolscan_analysis::summary_nl(&findings)),
    }
    Ok(ExitCode::SUCCESS)
}
