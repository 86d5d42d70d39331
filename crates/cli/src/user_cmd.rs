//! `schoolscan user …` and `schoolscan retention …`: account administration on a local database
//! file, and the demo accounts.
//!
//! Passwords are never taken from the command line (they would land in shell history and `ps`):
//! they are read from `SCHOOLSCAN_PASSWORD` or from standard input.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use schoolscan_auth::{Role, password};
use schoolscan_domain::{Brin, Dataset, Enrolment, GroupName, PupilNumber, SchoolYear};
use schoolscan_store::access::{CareGrant, NewUser, User};
use schoolscan_store::{AccessStore, SqliteStore};
use time::{Duration, OffsetDateTime};

use crate::Format;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Maak een gebruiker aan. Het wachtwoord komt uit SCHOOLSCAN_PASSWORD of standaardinvoer.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: Option<String>,
        /// board_admin, quality_officer, director, intern_begeleider, teacher, mr_member, parent,
        /// care_partner of municipality.
        #[arg(long)]
        role: String,
        /// De sleutel van het bestuur.
        #[arg(long)]
        board: String,
        /// BRIN van de school (voor schoolrollen).
        #[arg(long)]
        school: Option<String>,
        /// Sleutel van de gemeente (voor de rol municipality).
        #[arg(long)]
        municipality: Option<String>,
    },
    /// Toon de gebruikers.
    List {
        #[arg(long)]
        board: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Blokkeer een gebruiker; al zijn sessies eindigen.
    Disable { username: String },
    /// Verwijder de tweestapsverificatie; de gebruiker koppelt opnieuw bij de volgende aanmelding.
    ResetMfa { username: String },
    /// Geef een leerkracht zijn groepen voor een schooljaar.
    Assign {
        username: String,
        #[arg(long)]
        school: String,
        /// Schooljaar, bijvoorbeeld 2025-2026.
        #[arg(long)]
        year: String,
        /// Groepen, gescheiden door komma's: 5A,5B.
        #[arg(long)]
        groups: String,
    },
    /// Koppel een ouder aan een leerling.
    LinkParent {
        username: String,
        #[arg(long)]
        school: String,
        #[arg(long)]
        pupil: String,
        /// De ouder heeft geen gezag (ziet alleen belangrijke informatie).
        #[arg(long)]
        zonder_gezag: bool,
    },
    /// Geef een zorgpartner toegang tot een leerling, met toestemming of grondslag en einddatum.
    Grant {
        username: String,
        #[arg(long)]
        school: String,
        #[arg(long)]
        pupil: String,
        /// Verwijzing naar de vastgelegde toestemming of wettelijke grondslag (verplicht).
        #[arg(long)]
        consent_ref: String,
        /// Looptijd in maanden (standaard 12).
        #[arg(long, default_value_t = 12)]
        months: u32,
    },
    /// Laat een school haar totalen delen met een gemeente.
    Share {
        #[arg(long)]
        municipality: String,
        #[arg(long)]
        school: String,
    },
    /// Histogram van de parameters van de opgeslagen wachtwoordhashes (m, t, p).
    Hashes,
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Verwijder leerlingen die langer dan de bewaartermijn geleden vertrokken (met auditregel).
    Purge {
        #[arg(long)]
        board: String,
    },
    /// Stel de bewaartermijn van het leerlingdossier in (maanden na vertrek; standaard 24).
    Set {
        #[arg(long)]
        board: String,
        #[arg(long)]
        months: u32,
    },
}

fn find(store: &SqliteStore, username: &str) -> Result<User> {
    store.user_by_name(username)?.with_context(|| format!("onbekende gebruiker '{username}'"))
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("SCHOOLSCAN_PASSWORD") {
        return Ok(p);
    }
    eprintln!("Wachtwoord (minstens 8 tekens), gevolgd door Enter:");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub fn run(store: &SqliteStore, cmd: UserCommand) -> Result<ExitCode> {
    let now = OffsetDateTime::now_utc();
    match cmd {
        UserCommand::Add { username, name, role, board, school, municipality } => {
            let role: Role = role.parse()?;
            let school = school.map(|s| Brin::parse(&s)).transpose()?;
            let pw = read_password()?;
            password::check_policy(&pw, &username)?;
            let id = store.create_user(&NewUser {
                username: username.clone(),
                display_name: name.unwrap_or_else(|| username.clone()),
                role,
                board,
                school,
                municipality,
                password_hash: Some(password::hash(&pw)?),
                created_at: now,
            })?;
            println!("Gebruiker {username} ({}) aangemaakt met nummer {id}.", role.label());
            if role.requires_mfa() {
                println!("Bij de eerste aanmelding koppelt {username} een authenticator-app.");
            }
        }
        UserCommand::List { board, format } => {
            let users = store.users(board.as_deref())?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&users)?),
                Format::Text => {
                    for u in users {
                        println!(
                            "{:>4}  {:<20} {:<30} {:<8} {:<6} tweestaps: {:<3} {}",
                            u.id,
                            u.username,
                            u.role.label(),
                            u.board,
                            u.school.as_ref().map_or("", Brin::as_str),
                            if u.totp_confirmed { "ja" } else { "nee" },
                            if u.disabled { "GEBLOKKEERD" } else { "" }
                        );
                    }
                }
            }
        }
        UserCommand::Disable { username } => {
            let u = find(store, &username)?;
            store.set_disabled(u.id, true)?;
            println!("Gebruiker {username} is geblokkeerd; al zijn sessies zijn beëindigd.");
        }
        UserCommand::ResetMfa { username } => {
            let u = find(store, &username)?;
            store.reset_mfa(u.id)?;
            println!(
                "Tweestapsverificatie van {username} is gewist; bij de volgende aanmelding koppelt hij opnieuw."
            );
        }
        UserCommand::Assign { username, school, year, groups } => {
            let u = find(store, &username)?;
            if u.role != Role::Teacher {
                bail!("{username} is geen leerkracht");
            }
            let groups: Vec<GroupName> =
                groups.split(',').map(|g| GroupName::parse(g.trim())).collect::<Result<_, _>>()?;
            store.assign_groups(u.id, &Brin::parse(&school)?, SchoolYear::parse(&year)?, &groups)?;
            println!(
                "{username} heeft in {year} de groepen {}.",
                groups.iter().map(GroupName::as_str).collect::<Vec<_>>().join(", ")
            );
        }
        UserCommand::LinkParent { username, school, pupil, zonder_gezag } => {
            let u = find(store, &username)?;
            if u.role != Role::Parent {
                bail!("{username} is geen ouder");
            }
            store.link_parent(u.id, &Brin::parse(&school)?, &PupilNumber::parse(&pupil)?, !zonder_gezag)?;
            println!(
                "{username} is gekoppeld aan leerling {pupil} ({}).",
                if zonder_gezag { "zonder gezag" } else { "met gezag" }
            );
        }
        UserCommand::Grant { username, school, pupil, consent_ref, months } => {
            let u = find(store, &username)?;
            if u.role != Role::CarePartner {
                bail!("{username} is geen zorgpartner");
            }
            let expires = now + Duration::days(i64::from(months) * 365 / 12);
            store.add_care_grant(&CareGrant {
                user_id: u.id,
                school: Brin::parse(&school)?,
                pupil: PupilNumber::parse(&pupil)?,
                consent_ref,
                granted_by: "schoolscan user grant".into(),
                granted_at: now,
                expires_at: expires,
            })?;
            println!("{username} heeft toegang tot leerling {pupil} tot {}.", expires.date());
        }
        UserCommand::Share { municipality, school } => {
            store.share_with_municipality(&municipality, &Brin::parse(&school)?)?;
            println!("School {school} deelt haar totalen met gemeente {municipality}.");
        }
        UserCommand::Hashes => {
            let mut hist: BTreeMap<String, usize> = BTreeMap::new();
            let mut below = 0;
            let hashes = store.password_hashes()?;
            for h in &hashes {
                let key = match password::params_of(h) {
                    Some(p) => {
                        if !p.meets_minimum() {
                            below += 1;
                        }
                        format!("argon2id m={} t={} p={}", p.m, p.t, p.p)
                    }
                    None => {
                        below += 1;
                        "geen argon2id".to_owned()
                    }
                };
                *hist.entry(key).or_default() += 1;
            }
            for (k, n) in &hist {
                println!("{n:>6}  {k}");
            }
            println!("{} hashes, {below} onder het minimum (m ≥ 19456, t ≥ 2, p ≥ 1).", hashes.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn retention(store: &SqliteStore, cmd: RetentionCommand) -> Result<ExitCode> {
    match cmd {
        RetentionCommand::Set { board, months } => {
            store.set_retention_months(&board, months)?;
            println!("Bewaartermijn van het leerlingdossier voor {board}: {months} maanden na vertrek.");
        }
        RetentionCommand::Purge { board } => {
            let now = OffsetDateTime::now_utc();
            let id = format!("retentie-{}", now.unix_timestamp());
            let r = store.purge_expired(&board, now, &id)?;
            println!(
                "{} leerlingen verwijderd (bewaartermijn {} maanden); {} auditregels geschreven.",
                r.pupils.len(),
                store.retention_months(&board)?,
                r.audit_events
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The password of every demo account. For local use only: the demo board is fictitious.
pub const DEMO_PASSWORD: &str = "demo-wachtwoord-schoolscan";
/// The TOTP secret of every demo account that needs a second factor (base32).
pub const DEMO_TOTP_SECRET: &str = "SCHOOLSCANDEMOGEHEIMALLEENLOKAAL";
/// The jaargroep of the demo teacher's group (and of the demo parent's child).
const DEMO_TEACHER_GRADE: u8 = 5;

/// User name, role, school, municipality, description.
type DemoSpec<'a> = (&'a str, Role, Option<Brin>, Option<&'a str>, String);

/// One demo account as `serve --demo` prints it.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub what: String,
}

/// Create (or reset) one account per role for the demo board in `ds`, linked to its first
/// school, the newest group there, and a pupil of that group. Idempotent.
pub fn create_demo_accounts(store: &SqliteStore, ds: &Dataset) -> Result<Vec<DemoAccount>> {
    let now = OffsetDateTime::now_utc();
    let board = ds.boards.first().context("het voorbeeldbestuur heeft geen bestuur")?.key.clone();
    let school = ds.schools.first().context("het voorbeeldbestuur heeft geen scholen")?;
    let latest = ds
        .enrolments
        .iter()
        .filter(|e| e.school == school.brin)
        .map(|e| e.year)
        .max()
        .context("geen groepen")?;
    // The demo teacher (and the parent's child) sit in a middle grade that has LVS scores of
    // several years, so every page has something to show; the first group alphabetically otherwise.
    let by_group = |a: &&Enrolment, b: &&Enrolment| {
        (a.group.as_str(), a.pupil.as_str()).cmp(&(b.group.as_str(), b.pupil.as_str()))
    };
    let this_year = || ds.enrolments.iter().filter(|e| e.school == school.brin && e.year == latest);
    let enrol = this_year()
        .filter(|e| e.grade.get() == DEMO_TEACHER_GRADE)
        .min_by(by_group)
        .or_else(|| this_year().min_by(by_group))
        .context("geen leerlingen")?;
    let hash = password::hash(DEMO_PASSWORD)?;
    let brin = school.brin.clone();
    let specs: Vec<DemoSpec<'_>> = vec![
        ("beheerder", Role::BoardAdmin, None, None, "gebruikers en auditlog van het bestuur".into()),
        (
            "kwaliteit",
            Role::QualityOfficer,
            None,
            None,
            "toetsgegevens van alle scholen van het bestuur".into(),
        ),
        ("directeur", Role::Director, Some(brin.clone()), None, format!("{} ({})", school.name, brin)),
        ("ib", Role::InternBegeleider, Some(brin.clone()), None, format!("{} ({})", school.name, brin)),
        ("leerkracht", Role::Teacher, Some(brin.clone()), None, format!("groep {} in {latest}", enrol.group)),
        ("mr", Role::MrMember, Some(brin.clone()), None, format!("totalen van {}", school.name)),
        ("ouder", Role::Parent, None, None, format!("leerling {} (met gezag)", enrol.pupil)),
        ("zorgpartner", Role::CarePartner, None, None, format!("leerling {} (12 maanden)", enrol.pupil)),
        (
            "gemeente",
            Role::Municipality,
            None,
            Some("demo-gemeente"),
            "totalen van de scholen die delen".into(),
        ),
    ];
    let mut out = Vec::new();
    for (name, role, school_of, municipality, what) in specs {
        let id = match store.user_by_name(name)? {
            Some(u) => {
                store.set_password_hash(u.id, &hash)?;
                store.set_disabled(u.id, false)?;
                u.id
            }
            None => store.create_user(&NewUser {
                username: name.into(),
                display_name: format!("Demo {}", role.label()),
                role,
                board: board.clone(),
                school: school_of,
                municipality: municipality.map(str::to_owned),
                password_hash: Some(hash.clone()),
                created_at: now,
            })?,
        };
        if role.requires_mfa() {
            store.set_totp(id, Some(DEMO_TOTP_SECRET), true)?;
        }
        match role {
            Role::Teacher => store.assign_groups(id, &brin, latest, std::slice::from_ref(&enrol.group))?,
            Role::Parent => store.link_parent(id, &brin, &enrol.pupil, true)?,
            Role::CarePartner => {
                store.add_care_grant(&CareGrant {
                    user_id: id,
                    school: brin.clone(),
                    pupil: enrol.pupil.clone(),
                    consent_ref: "demo: schriftelijke toestemming ouders".into(),
                    granted_by: "schoolscan demo".into(),
                    granted_at: now,
                    expires_at: now + Duration::days(365),
                })?;
            }
            _ => {}
        }
        out.push(DemoAccount { username: name.into(), role, what });
    }
    for s in ds.schools.iter().take(2) {
        store.share_with_municipality("demo-gemeente", &s.brin)?;
    }
    Ok(out)
}

/// Print the demo accounts (for `demo` and `serve --demo`).
pub fn print_demo_accounts(accounts: &[DemoAccount]) {
    println!("Demo-accounts (alleen voor lokaal gebruik; wachtwoord voor alle: {DEMO_PASSWORD}):");
    for a in accounts {
        println!("  {:<12} {:<30} {}", a.username, a.role.label(), a.what);
    }
    println!(
        "Tweestapsverificatie (alle rollen behalve ouder): voeg in een authenticator-app de sleutel {DEMO_TOTP_SECRET} toe."
    );
}
