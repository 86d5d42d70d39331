//! `schoolscan`: the command-line shell over Schoolscan's crates.

mod analyse_cmd;
mod commands;
mod import_cmd;
mod sgp_cmd;
mod user_cmd;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Schoolscan: de NPO-schoolscan voor basisscholen en besturen.
#[derive(Debug, Parser)]
#[command(name = "schoolscan", version, about, long_about = None)]
struct Cli {
    /// Het databasebestand (SQLite).
    #[arg(long, global = true, env = "SCHOOLSCAN_DB", default_value = "./schoolscan.db")]
    db: PathBuf,
    #[command(subcommand)]
    command: Command,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Vul de database met het voorbeeldbestuur (vervangt een eerder voorbeeldbestuur).
    Demo,
    /// Toon de aantallen in de database.
    Status {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Start de webapplicatie.
    Serve {
        /// Adres en poort om op te luisteren.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Maak eerst het voorbeeldbestuur als de database leeg is.
        #[arg(long)]
        demo: bool,
    },
    /// Gebruikers beheren (toevoegen, tonen, blokkeren, tweestaps herstellen, toegang).
    User {
        #[command(subcommand)]
        command: user_cmd::UserCommand,
    },
    /// Bewaartermijnen: instellen en verlopen leerlinggegevens verwijderen.
    Retention {
        #[command(subcommand)]
        command: user_cmd::RetentionCommand,
    },
    /// Groeipercentielen (SGP) zoals het R-pakket SGP, uit een breed bestand.
    Sgp(sgp_cmd::SgpArgs),
    /// LVS-exports inlezen: toetsresultaten, leerlingen, sociaal-emotioneel.
    Import {
        #[command(subcommand)]
        command: import_cmd::ImportCommand,
    },
    /// Analyseer de leergroei sinds corona (achterstand in schoolmaanden, groeipercentielen).
    Analyse(analyse_cmd::AnalyseArgs),
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SCHOOLSCAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo => commands::demo(&cli.db),
        Command::Status { format } => commands::status(&cli.db, format),
        Command::Serve { addr, demo } => commands::serve(&cli.db, addr, demo),
        Command::User { command } => commands::open(&cli.db).and_then(|s| user_cmd::run(&s, command)),
        Command::Retention { command } => {
            commands::open(&cli.db).and_then(|s| user_cmd::retention(&s, command))
        }
        Command::Sgp(args) => sgp_cmd::run(args),
        Command::Import { command } => import_cmd::run(&cli.db, command),
        Command::Analyse(args) => analyse_cmd::run(&cli.db, &args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fout: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
