//! Social-emotional observations (ZIEN!-like) and notes.

use std::collections::BTreeMap;

use schoolscan_domain::{Informant, Note, NoteKind, Observation, Rating, SchoolYear, Weight};
use time::Month;

use crate::config::{DemoConfig, SchoolSpec};
use crate::corona::Injected;
use crate::dates::{add_school_days, monday_of_week, plus_days, weekday_on_or_after, ymd};
use crate::flow::SimPupil;
use crate::rng::{Purpose, Stream, tag};
use crate::truth::SeoDip;

/// The instrument id.
pub(crate) const INSTRUMENT: &str = "zien";
/// The ZIEN!-like dimensions; the first two are the graadmeters.
pub(crate) const DIMENSIONS: [&str; 7] = [
    "welbevinden",
    "betrokkenheid",
    "sociaal_initiatief",
    "sociale_flexibiliteit",
    "sociale_autonomie",
    "impulsbeheersing",
    "inlevingsvermogen",
];
/// A value below this is in the signalling zone (`signaal`).
pub const SIGNAL_BELOW: f64 = 2.0;
/// First school year with observations (the board introduced the instrument in 2018-2019).
pub(crate) const FIRST_SEO_YEAR: i32 = 2018;

/// The corona dip (instrument points) in the graadmeters at a round, before the pupil multiplier.
fn base_dip(y: i32, autumn: bool) -> f64 {
    match (y, autumn) {
        (2020, true) => 0.15,
        (2020, false) => 0.30,
        (2021, true) => 0.10,
        _ => 0.0,
    }
}

fn dip_multiplier(w: Weight) -> f64 {
    match w {
        Weight::W0 => 1.0,
        Weight::W03 => 1.2,
        Weight::W12 => 1.5,
    }
}

pub(crate) struct SeoOut {
    pub(crate) observations: Vec<Observation>,
    /// (year, season, informant, dimension) → (n, sum of dips)
    pub(crate) dips: BTreeMap<(i32, &'static str, Informant, &'static str), (usize, f64)>,
}

/// Observations of one school.
pub(crate) fn school_observations(
    cfg: &DemoConfig,
    spec: &SchoolSpec,
    pupils: &[SimPupil],
    injected: &[Injected],
    out: &mut SeoOut,
) {
    let stag = tag(spec.brin.as_str());
    let scale = cfg.applied_scale();
    for (pi, p) in pupils.iter().enumerate() {
        let mut ps = Stream::new(cfg.seed, Purpose::Seo, &[stag, p.serial]);
        let dims: Vec<f64> = DIMENSIONS.iter().map(|_| 0.6 * p.latent.seo + 0.8 * ps.normal()).collect();
        let own: Vec<[f64; 2]> =
            DIMENSIONS.iter().map(|_| [0.25 * ps.normal(), 0.25 * ps.normal()]).collect();
        for (&y, pl) in &p.years {
            if y < FIRST_SEO_YEAR {
                continue;
            }
            for autumn in [true, false] {
                if !autumn && y == 2019 {
                    continue; // spring 2020: schools closed, no observations
                }
                let mut gs =
                    Stream::new(cfg.seed, Purpose::Seo, &[stag, y as u64, u64::from(autumn), tag(&pl.group)]);
                let base = if autumn { monday_of_week(y, 45) } else { monday_of_week(y + 1, 17) };
                let date = add_school_days(base, gs.int(0, 7));
                if !p.present_on(date) {
                    continue;
                }
                let season = if autumn { "najaar" } else { "voorjaar" };
                let far = injected.get(pi) == Some(&Injected::FarBehind);
                let dip_pupil = scale
                    * (base_dip(y, autumn) * dip_multiplier(p.weight)
                        + if far && (y == 2020 || (y == 2021 && autumn)) { 0.3 } else { 0.0 });
                let informants: &[Informant] = if autumn {
                    &[Informant::Leerkracht]
                } else if pl.grade >= 5 {
                    &[Informant::Leerkracht, Informant::Leerling]
                } else {
                    &[Informant::Leerkracht]
                };
                for &inf in informants {
                    let mut os = Stream::new(
                        cfg.seed,
                        Purpose::Seo,
                        &[stag, p.serial, y as u64, u64::from(autumn), inf as u64],
                    );
                    for (d, &dim) in DIMENSIONS.iter().enumerate() {
                        let noise = 0.2 * os.normal();
                        // Spring leerkracht lists hold the two graadmeters only.
                        if !autumn && inf == Informant::Leerkracht && d >= 2 {
                            continue;
                        }
                        let bias = if inf == Informant::Leerling { 0.12 } else { 0.0 };
                        let girl_bonus = if dim == "impulsbeheersing" && p.girl { 0.15 } else { 0.0 };
                        let dip = if d < 2 { dip_pupil } else { 0.0 };
                        let k = usize::from(inf == Informant::Leerling);
                        let raw = 2.95 + 0.45 * dims[d] + bias + own[d][k] + girl_bonus + noise - dip;
                        let value = (raw.clamp(1.0, 4.0) * 10.0).round() / 10.0;
                        out.observations.push(Observation {
                            school: spec.brin.clone(),
                            pupil: p.number.clone(),
                            instrument: INSTRUMENT.to_owned(),
                            dimension: dim.to_owned(),
                            informant: inf,
                            date,
                            value,
                            signal: (value < SIGNAL_BELOW).then(|| "signaal".to_owned()),
                        });
                        let e = out.dips.entry((y, season, inf, dim)).or_insert((0, 0.0));
                        e.0 += 1;
                        e.1 += dip;
                    }
                }
            }
        }
    }
}

pub(crate) fn dips(out: &SeoOut) -> Vec<SeoDip> {
    out.dips
        .iter()
        .map(|(&(y, season, informant, dim), &(n, sum))| SeoDip {
            year: SchoolYear::new(y),
            season: season.to_owned(),
            informant,
            dimension: dim.to_owned(),
            n,
            mean_dip: if n == 0 { 0.0 } else { sum / n as f64 },
        })
        .collect()
}

fn author_ib(spec: &SchoolSpec) -> String {
    format!("ib.{}", spec.brin.as_str().to_lowercase())
}

fn author_teacher(spec: &SchoolSpec, group: &str) -> String {
    format!("lk.{}.{}", spec.brin.as_str().to_lowercase(), group.replace('/', "-").to_lowercase())
}

fn rating_list(domains: &[&str], r: Rating) -> (Vec<String>, Vec<(String, Rating)>) {
    (
        domains.iter().map(|d| (*d).to_owned()).collect(),
        domains.iter().map(|d| ((*d).to_owned(), r)).collect(),
    )
}

/// Notes: conversations about pupils who fell far behind or moved ahead (only with corona),
/// classroom observations, conversations about wellbeing, and one leerlingbespreking.
pub(crate) fn school_notes(
    cfg: &DemoConfig,
    spec: &SchoolSpec,
    pupils: &[SimPupil],
    injected: &[Injected],
    deviating_grade: Option<u8>,
) -> Vec<Note> {
    let stag = tag(spec.brin.as_str());
    let mut ns = Stream::new(cfg.seed, Purpose::Notes, &[stag]);
    let mut notes = Vec::new();
    let in_april_2021 =
        |s: &mut Stream| weekday_on_or_after(plus_days(ymd(2021, Month::March, 29), s.int(0, 18)));
    for (pi, p) in pupils.iter().enumerate() {
        let name = p.first_name.clone();
        let group = p.years.get(&2020).map(|pl| pl.group.clone()).unwrap_or_default();
        match injected.get(pi) {
            Some(Injected::FarBehind) => {
                let date = in_april_2021(&mut ns);
                let (domains, ratings) =
                    rating_list(&["rekenen_wiskunde", "begrijpend_lezen", "welbevinden"], Rating::Zorg);
                notes.push(Note {
                    school: spec.brin.clone(),
                    pupil: p.number.clone(),
                    kind: NoteKind::GesprekOuder,
                    informant: Informant::Ouder,
                    date,
                    author: author_ib(spec),
                    domains,
                    ratings,
                    text: Some(format!(
                        "Gesprek met de ouders over de resultaten van de M-toetsen. {name} was tijdens de \
                         schoolsluiting moeilijk bereikbaar en heeft weinig van het thuiswerk kunnen maken; \
                         thuis was er weinig rust en geen eigen laptop. {name} zit nu duidelijk onder het \
                         eigen niveau van vorig jaar. Afspraak: zes weken extra begeleiding in een kleine \
                         groep voor rekenen en begrijpend lezen, evaluatie na de meivakantie."
                    )),
                });
                if ns.chance(0.5) {
                    let (domains, ratings) = rating_list(&["welbevinden", "betrokkenheid"], Rating::Zorg);
                    notes.push(Note {
                        school: spec.brin.clone(),
                        pupil: p.number.clone(),
                        kind: NoteKind::GesprekLeerling,
                        informant: Informant::Leerling,
                        date: add_school_days(date, ns.int(2, 10)),
                        author: author_teacher(spec, &group),
                        domains,
                        ratings,
                        text: Some(format!(
                            "{name} vertelt dat het thuiswerken 'saai en moeilijk' was en dat er niemand \
                             was om te helpen. Vindt het fijn om weer op school te zijn, maar schaamt zich \
                             voor de toetsuitslag. We hebben besproken wat {name} al wél goed kan."
                        )),
                    });
                }
            }
            Some(Injected::MovedAhead) => {
                let (domains, ratings) = rating_list(&["begrijpend_lezen", "welbevinden"], Rating::Kracht);
                notes.push(Note {
                    school: spec.brin.clone(),
                    pupil: p.number.clone(),
                    kind: NoteKind::GesprekLeerling,
                    informant: Informant::Leerling,
                    date: in_april_2021(&mut ns),
                    author: author_teacher(spec, &group),
                    domains,
                    ratings,
                    text: Some(format!(
                        "{name} heeft tijdens de schoolsluiting veel gelezen en zelfstandig gewerkt; de \
                         M-toetsen laten een mooie groei zien. {name} wil graag meer uitdaging: we bekijken \
                         of de plusklas past."
                    )),
                });
            }
            _ => {}
        }
    }
    // Classroom observations and wellbeing conversations about a few random pupils.
    let observations = [
        (
            &["werkhouding", "concentratie"][..],
            Rating::Zorg,
            NoteKind::Observatie,
            "Observatie tijdens de rekenles: {n} heeft moeite om aan de slag te gaan en is snel afgeleid \
             door de buren. Met een timer en een vaste werkplek gaat het beter.",
        ),
        (
            &["samenwerken", "sociale_veiligheid"][..],
            Rating::Neutraal,
            NoteKind::Observatie,
            "Observatie op het plein: {n} speelt vooral alleen of met één vriend. Geen signalen van \
             pesten; blijven volgen.",
        ),
        (
            &["welbevinden", "zelfvertrouwen"][..],
            Rating::Zorg,
            NoteKind::GesprekLeerling,
            "Kindgesprek: {n} zegt zich vaak zorgen te maken over toetsen en durft in de klas weinig te \
             vragen. Afgesproken dat {n} een vraagkaartje mag gebruiken.",
        ),
        (
            &["motivatie", "werkhouding"][..],
            Rating::Kracht,
            NoteKind::Observatie,
            "Observatie tijdens het zelfstandig werken: {n} plant de weektaak goed en helpt anderen \
             zonder het eigen werk te vergeten.",
        ),
    ];
    let candidates: Vec<(&SimPupil, i32, String)> = pupils
        .iter()
        .flat_map(|p| {
            p.years.iter().filter(|(y, _)| **y >= 2018).map(move |(y, pl)| (p, *y, pl.group.clone()))
        })
        .collect();
    if !candidates.is_empty() {
        let n_obs = 3 + pupils.len() / 150;
        for k in 0..n_obs {
            let (p, y, group) = &candidates[ns.index(candidates.len())];
            let (domains, rating, kind, template) = observations[k % observations.len()];
            let date = weekday_on_or_after(plus_days(ymd(*y, Month::October, 1), ns.int(0, 220)));
            if !p.present_on(date) {
                continue;
            }
            let (domains, ratings) = rating_list(domains, rating);
            notes.push(Note {
                school: spec.brin.clone(),
                pupil: p.number.clone(),
                kind,
                informant: if kind == NoteKind::GesprekLeerling {
                    Informant::Leerling
                } else {
                    Informant::Leerkracht
                },
                date,
                author: author_teacher(spec, group),
                domains,
                ratings,
                text: Some(template.replace("{n}", &p.first_name)),
            });
        }
    }
    // One leerlingbespreking: a pupil of the deviating jaargroep, else of groep 5 in 2020-2021.
    let grade = deviating_grade.unwrap_or(5);
    let mut in_grade: Vec<&SimPupil> = pupils
        .iter()
        .filter(|p| p.grade_in(2020) == Some(grade) && p.present_on(ymd(2021, Month::April, 20)))
        .collect();
    in_grade.sort_by(|a, b| a.latent.theta[0].total_cmp(&b.latent.theta[0]).then(a.serial.cmp(&b.serial)));
    if let Some(p) = in_grade.first() {
        let (domains, ratings) = rating_list(&["rekenen_wiskunde", "werkhouding"], Rating::Zorg);
        let group = p.years.get(&2020).map(|pl| pl.group.clone()).unwrap_or_default();
        notes.push(Note {
            school: spec.brin.clone(),
            pupil: p.number.clone(),
            kind: NoteKind::Leerlingbespreking,
            informant: Informant::Professional,
            date: ymd(2021, Month::April, 20),
            author: author_ib(spec),
            domains,
            ratings,
            text: Some(format!(
                "Leerlingbespreking groep {group}: {} blijft bij rekenen-wiskunde achter, vooral bij \
                 verhoudingen en breuken.{} Besluit: handelingsplan rekenen met inzet van de \
                 rekenspecialist; ouders worden uitgenodigd.",
                p.first_name,
                if deviating_grade.is_some() { " De groep heeft dit jaar lang invallers gehad." } else { "" }
            )),
        });
    }
    notes
}
