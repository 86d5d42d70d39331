//! `schoolscan sgp`: growth percentiles (SGP) exactly as the R package SGP computes them,
//! from a wide file. The computation lives in `schoolscan-sgp`; this only parses arguments.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

/// Arguments of `schoolscan sgp`.
#[derive(Debug, Args)]
pub struct SgpArgs {
    /// Breed bestand in de indeling van het R-pakket SGP: ID, GRADE_<jaar>…, SS_<jaar>…
    #[arg(long)]
    input: PathBuf,
    /// Analysejaar (standaard: het laatste jaar in het bestand).
    #[arg(long)]
    year: Option<i32>,
    /// Maximaal aantal eerdere scores per groeipercentiel (standaard: alle beschikbare).
    #[arg(long)]
    max_order: Option<usize>,
    /// Uitvoerformaat.
    #[arg(long, value_enum, default_value_t)]
    format: SgpFormat,
}

/// Output format of `schoolscan sgp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum SgpFormat {
    /// Eén regel per leerling.
    #[default]
    Csv,
    /// JSON-lijst van leerlingen.
    Json,
}

/// Writes the table to stdout and a one-line summary (checksums) to stderr.
pub fn run(args: SgpArgs) -> Result<ExitCode> {
    let format = match args.format {
        SgpFormat::Csv => schoolscan_sgp::OutputFormat::Csv,
        SgpFormat::Json => schoolscan_sgp::OutputFormat::Json,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let summary = schoolscan_sgp::run_sgp_command(&args.input, args.year, args.max_order, format, &mut out)
        .with_context(|| format!("groeipercentielen voor {}", args.input.display()))?;
    out.flush()?;
    eprintln!("{summary}");
    Ok(ExitCode::SUCCESS)
}
