//! The subcommands. Each opens the store, does its job and prints in Dutch.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use schoolscan_store::{Scope, SqliteStore, Store};

use crate::Format;

pub fn open(db: &Path) -> Result<SqliteStore> {
    SqliteStore::open(db).with_context(|| format!("kan database {} niet openen", db.display()))
}

/// Generate the demo board and store it, replacing an earlier demo board, with one account per
/// role (crate::user_cmd::create_demo_accounts).
fn fill_demo(store: &SqliteStore) -> Result<schoolscan_store::WriteReport> {
    let demo = schoolscan_demo::generate(&schoolscan_demo::DemoConfig::default());
    let report = store.replace_board(&demo.dataset)?;
    let accounts = crate::user_cmd::create_demo_accounts(store, &demo.dataset)?;
    crate::user_cmd::print_demo_accounts(&accounts);
    Ok(report)
}

pub fn demo(db: &Path) -> Result<ExitCode> {
    let store = open(db)?;
    let r = fill_demo(&store)?;
    let c = store.counts(&Scope::System)?;
    println!(
        "Voorbeeldbestuur aangemaakt in {}: {} scholen, {} leerlingen, {} toetsscores ({} nieuw).",
        db.display(),
        c.schools,
        c.pupils,
        c.scores,
        r.scores.imported
    );
    Ok(ExitCode::SUCCESS)
}

pub fn status(db: &Path, format: Format) -> Result<ExitCode> {
    let store = open(db)?;
    let c = store.counts(&Scope::System)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&c)?),
        Format::Text => {
            println!("Database: {}", db.display());
            println!("  besturen:      {}", c.boards);
            println!("  scholen:       {}", c.schools);
            println!("  groepen:       {}", c.groups);
            println!("  leerlingen:    {}", c.pupils);
            println!("  toetsscores:   {}", c.scores);
            println!("  observaties:   {}", c.observations);
            println!("  notities:      {}", c.notes);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn serve(db: &Path, addr: SocketAddr, demo: bool) -> Result<ExitCode> {
    let store = open(db)?;
    if demo && store.counts(&Scope::System)?.schools == 0 {
        eprintln!("Voorbeeldbestuur wordt aangemaakt…");
        fill_demo(&store)?;
    } else if demo {
        // The board is there already: make sure the demo accounts are, and show them.
        let ds = schoolscan_demo::generate(&schoolscan_demo::DemoConfig::default()).dataset;
        let accounts = crate::user_cmd::create_demo_accounts(&store, &ds)?;
        crate::user_cmd::print_demo_accounts(&accounts);
    }
    let state = schoolscan_web::AppState::new(Arc::new(store))?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(schoolscan_web::serve(state, addr, |local| {
        println!("Schoolscan draait op http://{local}/ (stoppen met Ctrl-C)");
    }))?;
    Ok(ExitCode::SUCCESS)
}
