//! The Dutch text summary of the four overviews (`schoolscan analyse --format text`).

use std::fmt::Write;

use crate::findings::{Direction, Findings, PupilBasis};

/// `1,5` with a Dutch decimal comma.
fn num(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

fn months(x: f64) -> String {
    let a = x.abs();
    let unit = if (a - 1.0).abs() < 0.05 { "schoolmaand" } else { "schoolmaanden" };
    if x >= 0.0 { format!("{} {unit} achter", num(a, 1)) } else { format!("{} {unit} voor", num(a, 1)) }
}

fn interval(ci: Option<[f64; 2]>) -> String {
    ci.map_or(String::new(), |[lo, hi]| format!(" (95%-interval {} tot {})", num(lo, 1), num(hi, 1)))
}

fn subject_label(s: &schoolscan_domain::Subject) -> String {
    s.label()
}

/// A readable Dutch summary of the findings.
pub fn summary_nl(f: &Findings) -> String {
    let mut o = String::new();
    let wie = match &f.scope.school {
        Some(b) => format!("school {b}"),
        None => format!("alle {} scholen samen", f.scope.schools.len()),
    };
    let _ = writeln!(o, "Analyse leergroei — {wie}, toetsmoment {}", f.target.label);
    if let (Some(a), Some(b)) = (&f.target.first_date, &f.target.last_date) {
        let _ = writeln!(o, "Afnamedata: {a} tot en met {b}.");
    }
    let years: Vec<String> = f.target.baseline_years.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        o,
        "Vergeleken met de eigen groei vóór corona; vergelijkingsjaren: {}.",
        if years.is_empty() { "geen".to_owned() } else { years.join(", ") }
    );
    let _ = writeln!(
        o,
        "Een vertraging van 1 schoolmaand = de groei die een vergelijkbare leerling vóór corona in één schoolmaand \
         doormaakte. Positief = achter op de verwachting, negatief = voor."
    );

    // 1. Subjects.
    let _ = writeln!(o, "\n1. Vakgebieden (meest vertraagd eerst)");
    if f.subjects.is_empty() {
        let _ = writeln!(o, "   Geen vakgebieden met gegevens op dit moment.");
    }
    for s in &f.subjects {
        let head = format!("   - {} [{}], n = {}", subject_label(&s.subject), s.scale, s.n);
        match (s.delay_months, &s.warning) {
            (_, Some(w)) => {
                let _ = writeln!(o, "{head}: {w}");
            }
            (Some(d), None) => {
                let es = s.effect_size.map_or(String::new(), |e| format!("; effectgrootte {} SD", num(e, 2)));
                let _ = writeln!(o, "{head}: {}{}{es}", months(d), interval(s.ci95));
            }
            (None, None) => {
                let es = s
                    .effect_size
                    .map_or("geen getal".to_owned(), |e| format!("effectgrootte {} SD", num(e, 2)));
                let ps = s
                    .percentile_shift
                    .map_or(String::new(), |p| format!(", percentielverschuiving {} punten", num(p, 1)));
                let why = s.no_months_reason.clone().unwrap_or_default();
                let _ = writeln!(o, "{head}: {es}{ps} (geen schoolmaanden: {why})");
            }
        }
        if let (Some(m), Some([lo, hi])) = (s.median_growth_percentile, s.median_growth_percentile_ci95) {
            let pooled = match s.sgp_basis.as_deref() {
                Some("pooled") => "; model over alle overgangen samen",
                Some("mixed") => "; deels model over alle overgangen samen",
                _ => "",
            };
            let _ = writeln!(
                o,
                "     mediaan groeipercentiel {} (95%-interval {} tot {}; 50 = gegroeid als vóór corona; n = {}{pooled})",
                num(m, 0),
                num(lo, 0),
                num(hi, 0),
                s.n_growth_percentile
            );
        }
        if s.n_excluded > 0 {
            let _ = writeln!(
                o,
                "     ({} toetsscores niet in deze groei-analyse; zie gegevenskwaliteit)",
                s.n_excluded
            );
        }
    }

    // 2. Grades.
    let _ = writeln!(o, "\n2. Jaargroepen die afwijken van het beeld van de school");
    let dev: Vec<_> = f.grades.iter().filter(|g| g.deviates.is_some()).collect();
    if dev.is_empty() {
        let _ = writeln!(
            o,
            "   Geen jaargroep wijkt betrouwbaar af van de rest van de school (Holm-correctie, α = {}).",
            num(f.config.holm_alpha, 2)
        );
    }
    for g in dev {
        let richting =
            if g.deviates == Some(Direction::Negative) { "meer vertraagd" } else { "minder vertraagd" };
        let d = g.delay_months.map_or(String::new(), |d| format!(": {}{}", months(d), interval(g.ci95)));
        let c = g.contrast.map_or(String::new(), |c| {
            let unit = if g.contrast_unit.as_deref() == Some("months") { " schoolmaanden" } else { " SD" };
            format!(", verschil met de rest {}{unit}", num(c, 1))
        });
        let _ = writeln!(
            o,
            "   - {} groep {} {}{d}{c} — {richting} dan de rest van de school (n = {})",
            g.school,
            g.grade,
            subject_label(&g.subject),
            g.n
        );
    }
    let cls: Vec<_> = f.classes.iter().filter(|g| g.deviates.is_some()).collect();
    for g in cls {
        let richting =
            if g.deviates == Some(Direction::Negative) { "meer vertraagd" } else { "minder vertraagd" };
        let name = g.group.as_ref().map_or(String::new(), ToString::to_string);
        let _ = writeln!(
            o,
            "   - {} groep {name} {}: {richting} dan de andere groepen van dezelfde jaargroep (n = {})",
            g.school,
            subject_label(&g.subject),
            g.n
        );
    }

    // 3. Components.
    let _ = writeln!(o, "\n3. Onderdelen die opvallen per jaargroep");
    let comp: Vec<_> = f.components.iter().filter(|c| c.deviates.is_some()).collect();
    if f.components.is_empty() {
        let _ = writeln!(o, "   Geen gegevens per onderdeel beschikbaar.");
    } else if comp.is_empty() {
        let _ = writeln!(o, "   Geen onderdeel wijkt betrouwbaar af van het vak als geheel.");
    }
    for c in comp {
        let richting = if c.deviates == Some(Direction::Negative) { "zwakker" } else { "sterker" };
        let _ = writeln!(
            o,
            "   - {} groep {} {} – {}: {richting} dan het vak als geheel (effectgrootte {} SD, n = {})",
            c.school,
            c.grade,
            subject_label(&c.subject),
            c.component,
            c.effect_size.map_or("?".to_owned(), |e| num(e, 2)),
            c.n
        );
    }

    // 4. Pupils.
    let _ = writeln!(o, "\n4. Leerlingen die opvallen");
    let neg: Vec<_> = f.pupils.iter().filter(|p| p.direction == Direction::Negative).collect();
    let pos: Vec<_> = f.pupils.iter().filter(|p| p.direction == Direction::Positive).collect();
    let uniq = |v: &[&crate::findings::PupilRow]| {
        let mut k: Vec<(String, String)> =
            v.iter().map(|p| (p.school.to_string(), p.pupil.to_string())).collect();
        k.sort();
        k.dedup();
        k.len()
    };
    let _ = writeln!(
        o,
        "   {} leerlingen vallen negatief op en {} positief (foutieve-ontdekkingsgraad per school ≤ {}%).",
        uniq(&neg),
        uniq(&pos),
        num(100.0 * f.config.bh_q, 0)
    );
    for p in f.pupils.iter().take(40) {
        let waar = match (&p.subject, p.basis) {
            (_, PupilBasis::AcrossSubjects) => "over de vakken samen".to_owned(),
            (Some(s), PupilBasis::OwnGrowth) => format!("{} t.o.v. de eigen groei", s.label()),
            (Some(s), PupilBasis::Classmates) => format!("{} t.o.v. de klasgenoten", s.label()),
            (None, _) => String::new(),
        };
        let richting = if p.direction == Direction::Negative { "achter" } else { "voor" };
        let d = p.delay_months.map_or(String::new(), |d| format!(", {}{}", months(d), interval(p.ci95)));
        let _ = writeln!(
            o,
            "   - leerling {} ({}, groep {}): {richting}, {waar}{d}; q = {}",
            p.pupil,
            p.school,
            p.grade,
            num(p.q_value, 3)
        );
    }
    if f.pupils.len() > 40 {
        let _ = writeln!(o, "   … en nog {} signalen (zie de JSON-uitvoer).", f.pupils.len() - 40);
    }
    if !f.cohort_only.is_empty() {
        let _ = writeln!(
            o,
            "   {} scores van leerlingen zonder score van vóór corona zijn alleen met eerdere jaargangen vergeleken.",
            f.cohort_only.len()
        );
    }

    // Cohorts.
    let coh: Vec<_> = f.cohorts.iter().filter(|c| c.delay_months.is_some()).collect();
    if !coh.is_empty() {
        let _ = writeln!(o, "\nVergelijking met eerdere jaargangen (verschil in verschillen)");
        for c in coh {
            let _ = writeln!(
                o,
                "   - groep {} {} ({}): {}{} (n = {} nu, {} eerder)",
                c.grade,
                subject_label(&c.subject),
                c.transition,
                months(c.delay_months.unwrap_or(0.0)),
                interval(c.ci95),
                c.n_current,
                c.n_baseline
            );
        }
    }

    // Subgroups.
    let sub: Vec<_> = f.subgroups.iter().filter(|s| s.delay_months.is_some()).collect();
    if !sub.is_empty() {
        let _ = writeln!(o, "\nGroepen leerlingen (vertraging min het verschil dat er vóór corona al was)");
        for s in sub {
            let _ = writeln!(
                o,
                "   - {} – {}: {}{} (n = {})",
                subject_label(&s.subject),
                s.label,
                months(s.delay_months.unwrap_or(0.0)),
                interval(s.ci95),
                s.n
            );
        }
    }
    let small = f.subgroups.iter().filter(|s| s.warning.is_some()).count();
    if small > 0 {
        let _ = writeln!(o, "   ({small} groepen zijn te klein voor een betrouwbaar getal.)");
    }

    // Recovery.
    let rec: Vec<_> = f.recovery.iter().filter(|r| r.delay_months.is_some()).collect();
    if rec.len() > f.subjects.len() {
        let _ = writeln!(o, "\nHerstel: dezelfde vertraging op latere momenten");
        for r in rec {
            let _ = writeln!(
                o,
                "   - {} {}: {}{}",
                subject_label(&r.subject),
                r.label,
                months(r.delay_months.unwrap_or(0.0)),
                interval(r.ci95)
            );
        }
    }

    // SEO.
    let seo: Vec<_> = f.seo.dimensions.iter().filter(|r| r.change.is_some()).collect();
    if !seo.is_empty() {
        let _ = writeln!(o, "\nSociaal-emotioneel (sinds vs vóór de sluiting, dezelfde leerlingen)");
        for r in seo {
            let share = match (r.share_signal_before, r.share_signal_since) {
                (Some(a), Some(b)) => {
                    format!("; in de signaleringszone {}% → {}%", num(100.0 * a, 0), num(100.0 * b, 0))
                }
                _ => String::new(),
            };
            let _ = writeln!(
                o,
                "   - {} {} ({}): verandering {}{}{share} (n = {})",
                r.instrument,
                r.dimension,
                r.informant,
                num(r.change.unwrap_or(0.0), 2),
                interval(r.change_ci95),
                r.n_paired
            );
        }
    }

    let _ = writeln!(o, "\nLet op");
    let _ = writeln!(
        o,
        "   - Dit was een uitzonderlijke periode; landelijke normen zijn gebaseerd op 'normale' jaren."
    );
    let _ = writeln!(
        o,
        "   - Schoolmaanden van Schoolscan zijn geen NCO-weken: ze zijn gerekend met de groei van vergelijkbare \
         leerlingen in de eigen database vóór corona."
    );
    let _ = writeln!(
        o,
        "   - Een interval van 95% geeft aan hoe zeker het getal is; een getal zonder interval is een gok."
    );
    for n in f.notes.iter().filter(|n| n.code == "pool" || n.code == "cohort_only") {
        let _ = writeln!(o, "   - {}", n.text);
    }
    o
}
