//! `schoolscan import scores|pupils|seo`: read LVS exports and write them into the store.
//!
//! All files of one command are parsed first; then they are written in **one transaction** (with
//! one import-log row per file, the mapping remembered and the command's audit record), so the
//! valid rows of every file land together or not at all, even when the process is killed
//! (`tests/crash.rs`). `--strict` refuses the whole command when any file has a rejected row;
//! `--dry-run` runs the write and rolls it back, so the counts are exact and nothing changes.
//!
//! Exit codes: 0 done (rejected rows, if any, are in the report); 2 `--strict` refused; 1 an error
//! (a file that cannot be read, an unknown school, a database error).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use schoolscan_auth::audit::{Action, AuditRecord, DataCategory};
use schoolscan_domain::{Board, Brin, Dataset, School, SchoolYear};
use schoolscan_import::{ImportOptions, Mapping, Report};
use schoolscan_store::access::ts;
use schoolscan_store::{
    ImportAudit, ImportKind, ImportLog, ImportPiece, ImportStore, PupilMerge, Scope, SqliteStore, Store,
    UpsertOptions,
};
use time::OffsetDateTime;

use crate::Format;

/// `schoolscan import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Toetsresultaten (lang of breed; CSV, Excel of OpenDocument). Meerdere bestanden mogen.
    Scores {
        /// De bestanden.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        opts: ImportArgs,
    },
    /// Leerlinggegevens (naam, geboortedatum, groep, leerlinggewicht, OPP, kenmerken).
    Pupils {
        file: PathBuf,
        #[command(flatten)]
        opts: ImportArgs,
    },
    /// Sociaal-emotionele vragenlijsten (instrument, dimensie, informant, datum, waarde).
    Seo {
        file: PathBuf,
        #[command(flatten)]
        opts: ImportArgs,
    },
}

/// Options shared by the three import commands.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// De BRIN-code van de school.
    #[arg(long)]
    school: String,
    /// Uitvoer: tekst of JSON.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Schrijf niets als er ook maar één regel wordt afgewezen (exitcode 2).
    #[arg(long)]
    strict: bool,
    /// Toon alleen het verslag; schrijf niets.
    #[arg(long)]
    dry_run: bool,
    /// Koppelbestand (TOML, zie MAPPING.md); wordt voor deze school onthouden.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Schooljaar voor regels zonder datum of schooljaar, bijvoorbeeld 2020-2021.
    #[arg(long)]
    school_year: Option<String>,
    /// Leverancier voor toetsnamen zonder leverancier: cito, iep, boom of dia.
    #[arg(long)]
    vendor: Option<String>,
    /// Het werkblad van een spreadsheet.
    #[arg(long)]
    sheet: Option<String>,
    /// Maak de school aan als ze nog niet bestaat, met deze naam (vereist --board).
    #[arg(long, requires = "board")]
    create_school: Option<String>,
    /// Het bestuur (sleutel) van een nieuwe school; wordt aangemaakt als het niet bestaat.
    #[arg(long)]
    board: Option<String>,
}

/// Files at least this large get a progress bar (when stderr is a terminal).
const PROGRESS_FROM_BYTES: u64 = 4 << 20;

/// One parsed file.
struct Parsed {
    report: Report,
    data: Dataset,
}

pub fn run(db: &Path, cmd: ImportCommand) -> Result<ExitCode> {
    let (kind, files, args) = match cmd {
        ImportCommand::Scores { files, opts } => (ImportKind::Scores, files, opts),
        ImportCommand::Pupils { file, opts } => (ImportKind::Pupils, vec![file], opts),
        ImportCommand::Seo { file, opts } => (ImportKind::Seo, vec![file], opts),
    };
    let school = Brin::parse(&args.school)
        .map_err(|e| anyhow::anyhow!("ongeldige BRIN-code '{}': {e}", args.school))?;
    let store = crate::commands::open(db)?;
    let setup = school_setup(&store, &school, &args)?;
    // The audit record of the import is written in its transaction (privacy-security.md §10.3):
    // a crash cannot leave an import without it. None on a dry run, which writes nothing.
    let audit = if args.dry_run {
        None
    } else {
        let board = match setup.schools.first() {
            Some(s) => s.board.clone(),
            None => board_of(&store, &school)?,
        };
        Some(audit_record(&school, board, kind, &ts(OffsetDateTime::now_utc())))
    };

    // The mapping: the file given now (remembered after a successful write), else the one this
    // school used last for this kind of file.
    let (mapping, mapping_toml, remembered) = match &args.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("kan koppelbestand {} niet lezen", path.display()))?;
            let m = Mapping::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            (Some(m), Some(text), false)
        }
        None => match store.import_mapping(&school, kind)? {
            Some(text) => {
                let m = Mapping::from_toml(&text)
                    .map_err(|e| anyhow::anyhow!("het onthouden koppelbestand van school {school}: {e}"))?;
                (Some(m), None, true)
            }
            None => (None, None, false),
        },
    };
    let opts = ImportOptions {
        sheet: args.sheet.clone(),
        mapping,
        school_year: match &args.school_year {
            Some(y) => {
                Some(SchoolYear::parse(y).map_err(|e| anyhow::anyhow!("ongeldig schooljaar '{y}': {e}"))?)
            }
            None => None,
        },
        vendor: args.vendor.clone(),
        ..ImportOptions::default()
    };

    let (parsed, refused) = if kind == ImportKind::Scores {
        // Scores files can be large: parse on one thread while the store writes on another.
        stream_scores(&store, &school, &args, setup, mapping_toml, &files, &opts, remembered, audit)?
    } else {
        let mut parsed = Vec::with_capacity(files.len());
        for path in &files {
            let mut p = parse_file(path, kind, &school, &opts)?;
            if remembered {
                p.report.info.notes.push(remembered_note(&school));
            }
            parsed.push(p);
        }
        let refused = args.strict && parsed.iter().any(|p| !p.report.rejected.is_empty());
        if !refused {
            write(&store, &school, kind, &args, setup, mapping_toml, &mut parsed, audit)?;
        }
        (parsed, refused)
    };
    let rejected: usize = parsed.iter().map(|p| p.report.rejected.len()).sum();
    print_reports(&parsed, args.format)?;
    if refused {
        eprintln!(
            "Niets opgeslagen: --strict en {rejected} {} afgewezen.",
            if rejected == 1 { "regel is" } else { "regels zijn" }
        );
        return Ok(ExitCode::from(2));
    }
    if args.dry_run && args.format == Format::Text {
        eprintln!("Proefimport (--dry-run): er is niets opgeslagen.");
    }
    Ok(ExitCode::SUCCESS)
}

fn remembered_note(school: &Brin) -> String {
    format!(
        "het koppelbestand dat school {school} eerder gebruikte is toegepast (geef --mapping voor een ander)"
    )
}

/// Scores handed from the parser to the writer at a time.
const CHUNK: usize = 50_000;

/// Parse score files on a second thread, handing their scores to the store in chunks while
/// reading (`parse_scores_streaming` + `ImportStore::import_stream`): all files in one
/// transaction, each with its log row, as [`write`] does for a parsed batch. Returns the reports
/// (with the write's counts) and whether `--strict` refused the import (then nothing is written).
/// `audit` is written in the same transaction.
#[allow(clippy::too_many_arguments)]
fn stream_scores(
    store: &SqliteStore,
    school: &Brin,
    args: &ImportArgs,
    setup: Dataset,
    mapping_toml: Option<String>,
    files: &[PathBuf],
    opts: &ImportOptions,
    remembered: bool,
    audit: Option<ImportAudit>,
) -> Result<(Vec<Parsed>, bool)> {
    let upsert = UpsertOptions { pupil_merge: PupilMerge::FillMissing, dry_run: args.dry_run };
    let now = ts(OffsetDateTime::now_utc());
    let (tx, rx) = std::sync::mpsc::sync_channel::<ImportPiece>(4);
    let (parsed, written) = std::thread::scope(|scope| {
        let parser = scope.spawn(move || -> Result<(Vec<Parsed>, bool)> {
            let send =
                |piece: ImportPiece| tx.send(piece).map_err(|_| anyhow::anyhow!("het opslaan is gestopt"));
            let fail = |e: anyhow::Error| {
                let _ = tx.send(ImportPiece::Abort);
                e
            };
            // A new board and school first, in the same transaction.
            if !setup.schools.is_empty() {
                send(ImportPiece::Records(setup))?;
            }
            let mut out = Vec::with_capacity(files.len());
            for (i, path) in files.iter().enumerate() {
                let bytes = std::fs::read(path)
                    .with_context(|| format!("kan {} niet lezen", path.display()))
                    .map_err(fail)?;
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let mut bar = Progress::new(&name, bytes.len() as u64);
                let mut stopped = false;
                let mut sink = |tests, scores| {
                    let piece = ImportPiece::Records(Dataset { tests, scores, ..Dataset::default() });
                    stopped |= tx.send(piece).is_err();
                };
                let res = schoolscan_import::parse_scores_streaming(
                    &bytes,
                    &name,
                    school,
                    opts,
                    &mut |done, total| bar.update(done, total),
                    CHUNK,
                    &mut sink,
                );
                bar.finish();
                if stopped {
                    bail!("het opslaan is gestopt");
                }
                let b = res.map_err(|e| fail(anyhow::anyhow!("{}: {e}", path.display())))?;
                let mut report = b.report();
                if remembered {
                    report.info.notes.push(remembered_note(school));
                }
                // The mapping is remembered once, with the last file.
                let remember = if i + 1 == files.len() { mapping_toml.clone() } else { None };
                let log = import_log(school, ImportKind::Scores, &now, &report, remember).map_err(fail)?;
                let rest = Dataset { pupils: b.pupils, enrolments: b.enrolments, ..Dataset::default() };
                send(ImportPiece::End(Box::new(rest), Box::new(log)))?;
                out.push(Parsed { report, data: Dataset::default() });
            }
            let refused = args.strict && out.iter().any(|p| !p.report.rejected.is_empty());
            if refused {
                send(ImportPiece::Abort)?;
            } else if let Some(a) = audit {
                send(ImportPiece::Audit(Box::new(a)))?;
            }
            Ok((out, refused))
        });
        let written = store.import_stream(&mut rx.into_iter(), upsert);
        let parsed = parser.join().unwrap_or_else(|_| Err(anyhow::anyhow!("het inlezen is afgebroken")));
        (parsed, written)
    });
    // A store error explains more than the parser's "stopped".
    let written = written?;
    let (mut parsed, refused) = parsed?;
    match written {
        Some(reports) => {
            for (p, w) in parsed.iter_mut().zip(&reports) {
                let c = schoolscan_store::imports::primary_counts(ImportKind::Scores, w);
                p.report.imported = c.imported;
                p.report.updated = c.updated;
            }
        }
        None if refused => {}
        None => bail!("de import is teruggedraaid; er is niets opgeslagen"),
    }
    Ok((parsed, refused))
}

/// The board and school to create first, when `--create-school` is given and the school is new.
fn school_setup(store: &SqliteStore, school: &Brin, args: &ImportArgs) -> Result<Dataset> {
    let known = store.directory()?.iter().any(|(b, _)| b == school);
    let mut ds = Dataset::default();
    if known {
        return Ok(ds);
    }
    let (Some(name), Some(board)) = (&args.create_school, &args.board) else {
        bail!(
            "school {school} staat niet in de database. Maak haar aan met --create-school NAAM --board BESTUUR, \
             of kies een bestaande school (schoolscan status)."
        );
    };
    let board_exists = !store.schools(&Scope::Board { board: board.clone() })?.is_empty();
    if !board_exists {
        ds.boards.push(Board { key: board.clone(), name: board.clone() });
    }
    ds.schools.push(School { brin: school.clone(), name: name.clone(), board: board.clone() });
    Ok(ds)
}

fn parse_file(path: &Path, kind: ImportKind, school: &Brin, opts: &ImportOptions) -> Result<Parsed> {
    let bytes = std::fs::read(path).with_context(|| format!("kan {} niet lezen", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut bar = Progress::new(&name, bytes.len() as u64);
    let result = match kind {
        ImportKind::Scores => {
            schoolscan_import::parse_scores_with_progress(&bytes, &name, school, opts, &mut |done, total| {
                bar.update(done, total)
            })
            .map(|b| Parsed { report: b.report(), data: b.into_dataset() })
        }
        ImportKind::Pupils => schoolscan_import::parse_pupils(&bytes, &name, school, opts)
            .map(|b| Parsed { report: b.report(), data: b.into_dataset() }),
        ImportKind::Seo => schoolscan_import::parse_seo(&bytes, &name, school, opts)
            .map(|b| Parsed { report: b.report(), data: b.into_dataset() }),
    };
    bar.finish();
    result.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Write parsed files (pupils, SEO) with their log rows and `audit` in one transaction.
#[allow(clippy::too_many_arguments)]
fn write(
    store: &SqliteStore,
    school: &Brin,
    kind: ImportKind,
    args: &ImportArgs,
    setup: Dataset,
    mapping_toml: Option<String>,
    parsed: &mut [Parsed],
    audit: Option<ImportAudit>,
) -> Result<()> {
    let merge = match kind {
        ImportKind::Pupils => PupilMerge::Overwrite,
        ImportKind::Scores | ImportKind::Seo => PupilMerge::FillMissing,
    };
    let opts = UpsertOptions { pupil_merge: merge, dry_run: args.dry_run };
    let now = ts(OffsetDateTime::now_utc());
    // A new board and school are created in the same transaction, before the first file's records.
    if let Some(first) = parsed.first_mut() {
        first.data.boards.extend(setup.boards);
        first.data.schools.extend(setup.schools);
    }
    let count = parsed.len();
    let mut pieces = Vec::with_capacity(count + 1);
    for (i, p) in parsed.iter_mut().enumerate() {
        // The mapping is remembered once, with the last file.
        let remember = if i + 1 == count { mapping_toml.clone() } else { None };
        let log = import_log(school, kind, &now, &p.report, remember)?;
        pieces.push(ImportPiece::End(Box::new(std::mem::take(&mut p.data)), Box::new(log)));
    }
    pieces.extend(audit.map(|a| ImportPiece::Audit(Box::new(a))));
    let started = Instant::now();
    let spinner = std::io::stderr().is_terminal() && parsed.iter().any(|p| p.report.read > 100_000);
    if spinner {
        eprint!("Opslaan in de database…");
    }
    let reports = store
        .import_stream(&mut pieces.into_iter(), opts)?
        .context("de import is teruggedraaid; er is niets opgeslagen")?;
    if spinner {
        eprintln!(" klaar in {:.1} s", started.elapsed().as_secs_f64());
    }
    for (p, w) in parsed.iter_mut().zip(&reports) {
        let c = schoolscan_store::imports::primary_counts(kind, w);
        p.report.imported = c.imported;
        p.report.updated = c.updated;
    }
    Ok(())
}

/// The log row of one file.
fn import_log(
    school: &Brin,
    kind: ImportKind,
    now: &str,
    r: &Report,
    remember_mapping: Option<String>,
) -> Result<ImportLog> {
    Ok(ImportLog {
        school: school.clone(),
        kind,
        file_name: r.file.clone(),
        actor: "cli".into(),
        at: now.to_owned(),
        read: r.read,
        duplicates: r.duplicates,
        skipped: r.skipped.len() as u64,
        rejected: r.rejected.len() as u64,
        report_json: serde_json::to_string(r)?,
        remember_mapping,
    })
}

/// The board of a school that is in the database.
fn board_of(store: &SqliteStore, school: &Brin) -> Result<String> {
    store
        .schools(&Scope::System)?
        .into_iter()
        .find(|s| &s.brin == school)
        .map(|s| s.board)
        .with_context(|| format!("school {school} niet gevonden"))
}

/// Every import is an audited event (privacy-security.md §10.3): one record for the command,
/// written in the import's transaction.
fn audit_record(school: &Brin, board: String, kind: ImportKind, now: &str) -> ImportAudit {
    let category = match kind {
        ImportKind::Scores => DataCategory::Toets,
        ImportKind::Pupils => DataCategory::Identiteit,
        ImportKind::Seo => DataCategory::SociaalEmotioneel,
    };
    let record = AuditRecord {
        time_utc: now.to_owned(),
        actor_id: None,
        actor: "cli".into(),
        actor_role: "system".into(),
        acting_for: format!("{board}/{school}"),
        school: Some(school.as_str().to_owned()),
        group: None,
        pupil: None,
        category: category.as_str().to_owned(),
        action: Action::Create.as_str().to_owned(),
        route: format!("schoolscan import {}", kind.as_str()),
        request_id: format!("import-{}", OffsetDateTime::now_utc().unix_timestamp_nanos()),
        outcome: "allowed".into(),
    };
    ImportAudit { board, record }
}

fn print_reports(parsed: &[Parsed], format: Format) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Json => {
            // One file: the report object; several: a list of them.
            let text = if let [one] = parsed {
                serde_json::to_string_pretty(&one.report)?
            } else {
                serde_json::to_string_pretty(&parsed.iter().map(|p| &p.report).collect::<Vec<_>>())?
            };
            writeln!(out, "{text}")?;
        }
        Format::Text => {
            for p in parsed {
                write!(out, "{}", p.report.to_text())?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// A progress bar on stderr, only for large files and only when stderr is a terminal.
struct Progress {
    label: String,
    enabled: bool,
    last: Instant,
    started: Instant,
    drawn: bool,
}

impl Progress {
    fn new(label: &str, size: u64) -> Self {
        let now = Instant::now();
        Self {
            label: label.to_owned(),
            enabled: size >= PROGRESS_FROM_BYTES && std::io::stderr().is_terminal(),
            last: now,
            started: now,
            drawn: false,
        }
    }

    fn update(&mut self, done: u64, total: u64) {
        if !self.enabled || total == 0 || (self.drawn && self.last.elapsed() < Duration::from_millis(100)) {
            return;
        }
        self.last = Instant::now();
        self.drawn = true;
        let frac = (done as f64 / total as f64).clamp(0.0, 1.0);
        const WIDTH: usize = 30;
        let filled = (frac * WIDTH as f64) as usize;
        eprint!(
            "\r{} [{}{}] {:>3}% ({:.1} s)",
            self.label,
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            (frac * 100.0) as u32,
            self.started.elapsed().as_secs_f64()
        );
    }

    fn finish(&mut self) {
        if self.drawn {
            eprintln!();
        }
    }
}
