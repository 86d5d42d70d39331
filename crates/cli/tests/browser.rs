#![allow(clippy::unwrap_used)]
//! End to end in headless Chromium against the real `schoolscan serve --demo`: the demo IB'er logs
//! in through the real login and TOTP pages and completes steps 1, 2, 3 and 7 of the schoolscan of
//! the demo board, asserting what each step shows and what it stored (after a reload). Every page
//! visited is checked with axe-core (no serious or critical violations) and photographed into
//! `target/e2e-screenshots/`.

mod e2e;

use std::time::{Duration, Instant};

use e2e::Browser;

const WAIT: Duration = Duration::from_secs(20);

/// axe-core and a screenshot of the current page.
fn check(b: &Browser, name: &str) {
    b.axe_check(name).unwrap_or_else(|e| panic!("{e}"));
    b.screenshot(name).unwrap();
}

/// Submit with the button matching `button` and wait for the redirect after a successful save.
fn save(b: &Browser, button: &str) {
    b.click(button).unwrap();
    b.wait_url("the page after saving", |u| u.contains("opgeslagen="), WAIT)
        .unwrap_or_else(|e| panic!("{e}: {}", b.text("main").unwrap_or_default()));
}

fn value(b: &Browser, css: &str) -> String {
    b.find(css).unwrap().prop("value").unwrap().as_str().unwrap_or("").to_owned()
}

fn checked(b: &Browser, css: &str) -> bool {
    b.find(css).unwrap().is_selected().unwrap()
}

/// Reload the current page without its query (so what shows comes from the database).
fn reload(b: &Browser) {
    let url = b.url().unwrap();
    let clean = url.split(['?', '#']).next().unwrap().to_owned();
    b.goto(&clean).unwrap();
}

#[test]
fn ib_completes_steps_1_2_3_and_7_in_the_browser() {
    let t0 = Instant::now();
    let app = e2e::DemoServer::start();
    let b = app.browser();

    b.goto(&app.url("/inloggen")).unwrap();
    assert_eq!(b.find("html").unwrap().attr("lang").unwrap().as_deref(), Some("nl"));
    check(&b, "01-inloggen");

    app.login(&b, "ib");
    assert!(b.text("h1").unwrap().starts_with("Welkom"), "{}", b.text("main").unwrap());
    check(&b, "02-start");

    // The IB'er's school, then its newest schoolscan.
    b.click("main table a[href^='/scholen/']").unwrap();
    check(&b, "03-school");
    let school_url = b.url().unwrap();
    // Existing pages on the way: a group and a pupil.
    b.click("a[href*='/groepen/']").unwrap();
    check(&b, "03a-groep");
    b.click("main a[href^='/leerlingen/']").unwrap();
    b.wait_for("h1", WAIT).unwrap();
    std::thread::sleep(Duration::from_millis(500)); // the score chart is drawn by app.js
    check(&b, "03b-leerling");
    b.goto(&school_url).unwrap();
    b.click("#scans a").unwrap();
    let overview = b.url().unwrap();
    assert!(overview.contains("/scan/2022-2023"), "{overview}");
    let rows = b.find_all("table.scan-steps tbody tr").unwrap();
    assert_eq!(rows.len(), 8);
    assert!(rows[0].text().unwrap().contains("nog niet begonnen"));
    check(&b, "04-overzicht");

    // Step 1: choose domains, one of them the school's own.
    b.click("a[href$='/stap/1']").unwrap();
    assert!(b.text("h1").unwrap().starts_with("Stap 1"));
    let bl = b.text("#tabel-cognitief tr:has(#kies-begrijpend_lezen)").unwrap();
    assert!(
        bl.contains("focusdoel") && bl.contains("ja"),
        "begrijpend lezen is a focus goal in the data: {bl}"
    );
    let ori = b.text("#tabel-cognitief").unwrap();
    assert!(ori.contains("Aardrijkskunde") && ori.contains("Natuur en techniek"), "all leergebieden");
    let se = b.text("#tabel-sociaal_emotioneel").unwrap();
    for d in [
        "Welbevinden",
        "Motivatie",
        "Concentratie",
        "Impulsbeheersing",
        "Omgaan met emoties",
        "Sociale veiligheid",
    ] {
        assert!(se.contains(d), "{d}");
    }
    check(&b, "05-stap1-leeg");
    for id in ["begrijpend_lezen", "rekenen_wiskunde", "welbevinden", "motoriek"] {
        b.set_checked(&format!("#kies-{id}"), true).unwrap();
    }
    b.select("select[name='prio_motoriek']", "wenselijk").unwrap();
    b.fill("input[name='reden_begrijpend_lezen']", "focusdoel, daalde het sterkst").unwrap();
    b.fill("#eigen_naam", "Begrip van tijd").unwrap();
    b.select("#eigen_soort", "cognitief").unwrap();
    b.select("#status", "afgerond").unwrap();
    save(&b, "form[action$='/stap/1'] button[type=submit]");
    assert!(b.text(".notice.saved").unwrap().contains("opgeslagen"));
    reload(&b);
    assert_eq!(b.text("#aantal-gekozen").unwrap(), "5");
    assert!(checked(&b, "#kies-eigen_begrip_van_tijd"));
    assert!(checked(&b, "#kies-welbevinden") && !checked(&b, "#kies-spelling"));
    assert_eq!(value(&b, "select[name='prio_motoriek']"), "wenselijk");
    assert_eq!(value(&b, "input[name='reden_begrijpend_lezen']"), "focusdoel, daalde het sterkst");
    assert_eq!(b.text(".meta .status").unwrap(), "afgerond");
    check(&b, "06-stap1-opgeslagen");

    // Optimistic locking: someone else saves step 1 while this form is open.
    let other = b
        .execute_async(
            "var done = arguments[arguments.length - 1];
             var f = document.querySelector(\"form[action$='/stap/1']\");
             fetch(f.action, { method: 'POST', body: new URLSearchParams(new FormData(f)), credentials: 'same-origin', redirect: 'manual' })
               .then(function (r) { done(r.type + ' ' + r.status); }, function (e) { done('fout ' + e); });",
            vec![],
        )
        .unwrap();
    assert!(other.as_str().unwrap().starts_with("opaqueredirect"), "the other save went through: {other}");
    b.fill("input[name='reden_begrijpend_lezen']", "mijn wijziging").unwrap();
    b.click("form[action$='/stap/1'] button[type=submit]").unwrap();
    let conflict = b.wait_for(".notice.conflict", WAIT).unwrap().text().unwrap();
    assert!(conflict.contains("Iemand anders heeft deze stap opgeslagen"), "{conflict}");
    assert_eq!(value(&b, "input[name='reden_begrijpend_lezen']"), "focusdoel, daalde het sterkst");
    check(&b, "07-stap1-conflict");

    // Step 2: the matrix is filled from the imported data; motoriek and the own domain are blank.
    b.goto(&format!("{overview}/stap/2")).unwrap();
    let matrix = b.text("#rij-begrijpend_lezen").unwrap();
    assert!(matrix.contains("dekking") && matrix.contains("%"), "LVS coverage: {matrix}");
    let vlekken = b.text("#witte-vlekken").unwrap();
    assert!(vlekken.contains("Motoriek") && vlekken.contains("Begrip van tijd"), "{vlekken}");
    assert!(b.find("svg[role='img'] title").is_ok(), "the coverage chart has a text alternative");
    // Coverage per jaargroep and per moment, with dates, behind "details".
    b.click("#rij-begrijpend_lezen details summary").unwrap();
    let details = b.text("#rij-begrijpend_lezen details").unwrap();
    assert!(
        details.contains("jaargroep") && details.contains("Per moment") && details.contains(" tot 20"),
        "{details}"
    );
    check(&b, "08-stap2");
    b.select("#nieuw_domein", "motoriek").unwrap();
    b.select("#nieuw_soort", "observatie").unwrap();
    b.fill("#nieuw_omschrijving", "observatie door de vakleerkracht gym").unwrap();
    b.fill("#drempel", "75").unwrap();
    save(&b, "form[action$='/stap/2'] button[type=submit]");
    reload(&b);
    assert!(b.text("#handmatig").unwrap().contains("observatie door de vakleerkracht gym"));
    assert!(b.text("#rij-motoriek").unwrap().contains("handmatig"));
    let vlekken = b.text("#witte-vlekken").unwrap();
    assert!(!vlekken.contains("Motoriek") && vlekken.contains("Begrip van tijd"), "{vlekken}");
    assert_eq!(value(&b, "#drempel"), "75");
    check(&b, "09-stap2-opgeslagen");

    // Step 3: a plan for the witte vlek, the risk register, and conversations for a class.
    b.goto(&format!("{overview}/stap/3")).unwrap();
    assert!(b.text("#plan-eigen_begrip_van_tijd").unwrap().contains("open"));
    b.fill("input[name='p_methode_eigen_begrip_van_tijd']", "kindgesprekken met een kijkwijzer").unwrap();
    b.fill("input[name='p_wie_eigen_begrip_van_tijd']", "leerkrachten groep 3 en 4").unwrap();
    b.fill("input[name='p_wanneer_eigen_begrip_van_tijd']", "voor de meivakantie").unwrap();
    b.fill("input[name='p_partner_eigen_begrip_van_tijd']", "samenwerkingsverband").unwrap();
    save(&b, "form[action$='/stap/3'] button[type=submit]");
    reload(&b);
    assert_eq!(value(&b, "input[name='p_wanneer_eigen_begrip_van_tijd']"), "voor de meivakantie");
    let pupil_opt = b.find("#nieuw_leerling option:nth-child(2)").unwrap();
    let pupil_number = pupil_opt.attr("value").unwrap().unwrap();
    let pupil_label = pupil_opt.text().unwrap();
    b.select("#nieuw_leerling", &pupil_number).unwrap();
    b.set_checked("#nieuw-noodopvang", true).unwrap();
    b.fill("#nieuw_notitie", "zat in de noodopvang, nu stil in de klas").unwrap();
    save(&b, "#nieuw-risico button[type=submit]");
    reload(&b);
    let register = b.text("#risicolijst").unwrap();
    let pupil_name = pupil_label.split(" (groep").next().unwrap();
    assert!(register.contains(pupil_name), "{register}");
    assert!(checked(&b, &format!("#r-{pupil_number}-noodopvang")));
    assert_eq!(
        value(&b, &format!("input[name='rn_{pupil_number}']")),
        "zat in de noodopvang, nu stil in de klas"
    );
    // Adopt one suggestion from the pupil records (OPP and other signals).
    let before = b.find_all("#risicolijst tbody tr").unwrap().len();
    let suggestion = b.find("#suggesties input[type=checkbox]").unwrap();
    let suggested = suggestion.attr("value").unwrap().unwrap();
    suggestion.click().unwrap();
    save(&b, "#risico-overnemen button[type=submit]");
    assert_eq!(b.find_all("#risicolijst tbody tr").unwrap().len(), before + 1);
    assert!(b.find(&format!("#risico-{suggested}")).is_ok());
    let ib_register: Vec<(String, String)> = b
        .find_all("#risicolijst tbody tr")
        .unwrap()
        .iter()
        .map(|r| (r.attr("id").unwrap().unwrap(), r.find("td").unwrap().text().unwrap()))
        .collect();
    check(&b, "10-stap3");

    b.click("#groepen a").unwrap();
    assert!(b.text("h1").unwrap().starts_with("Gesprekken en observaties"));
    check(&b, "11-stap3-groep");
    b.select("#soort", "gesprek_leerling").unwrap();
    b.select("#informant", "leerling").unwrap();
    let first = b.find("#invoer tbody tr").unwrap();
    let row_id = first.attr("id").unwrap().unwrap();
    let number = row_id.trim_start_matches("leerling-").to_owned();
    b.select(&format!("select[name='w_{number}_welbevinden']"), "zorg").unwrap();
    b.select(&format!("select[name='w_{number}_motoriek']"), "kracht").unwrap();
    b.click("form[action*='/stap/3/groep/'] button[type=submit]").unwrap();
    b.wait_url("the class page after saving", |u| u.contains("opgeslagen=1"), WAIT).unwrap();
    assert!(b.text(".notice.saved").unwrap().contains("1 verslag is opgeslagen"));
    reload(&b);
    let view = b.text(&format!("#beeld-{number}")).unwrap();
    assert!(view.contains("leerling: zorg") && view.contains("leerling: sterk punt"), "{view}");
    check(&b, "12-stap3-groep-opgeslagen");

    // Step 7: team and partners; the overview adds them up.
    b.goto(&format!("{overview}/stap/7")).unwrap();
    check(&b, "13-stap7-leeg");
    b.fill("input[name='t_rol_0']", "leerkracht groep 5").unwrap();
    b.fill("input[name='t_fte_0']", "0,8").unwrap();
    b.fill("input[name='t_exp_0']", "differentiëren, begrijpend lezen").unwrap();
    b.select("select[name='t_last_0']", "4").unwrap();
    b.fill("input[name='t_uren_0']", "2").unwrap();
    b.select("select[name='p_soort_0']", "jgz").unwrap();
    b.fill("input[name='p_naam_0']", "GGD Regio").unwrap();
    b.fill("input[name='p_aanbod_0']", "weerbaarheidstraining groep 7 en 8").unwrap();
    b.fill("input[name='p_exp_0']", "sociaal-emotioneel").unwrap();
    b.fill("input[name='p_uren_0']", "3").unwrap();
    save(&b, "form[action$='/stap/7'] button[type=submit]");
    reload(&b);
    assert_eq!(value(&b, "input[name='t_rol_0']"), "leerkracht groep 5");
    assert_eq!(value(&b, "input[name='t_fte_0']"), "0,8");
    assert_eq!(value(&b, "select[name='p_soort_0']"), "jgz");
    // A second team row in the new blank row.
    b.fill("input[name='t_rol_1']", "intern begeleider").unwrap();
    b.fill("input[name='t_fte_1']", "0,4").unwrap();
    b.select("select[name='t_last_1']", "5").unwrap();
    b.fill("input[name='t_uren_1']", "1,5").unwrap();
    save(&b, "form[action$='/stap/7'] button[type=submit]");
    reload(&b);
    assert!(b.text("#uren-team").unwrap().starts_with("3,5 uur"), "{}", b.text("#uren-team").unwrap());
    assert!(b.text("#uren-team").unwrap().contains("1,2 FTE"));
    assert!(b.text("#uren-partners").unwrap().starts_with("3,0 uur"));
    // (0,8 × 4 + 0,4 × 5) / 1,2 = 4,3: the page warns about the workload.
    assert!(b.text("#werkdruk").unwrap().starts_with("4,3"));
    assert!(b.text("#waarschuwingen").unwrap().contains("werkdruk"));
    check(&b, "14-stap7");

    // The overview shows where each step stands.
    b.goto(&overview).unwrap();
    let rows = b.find_all("table.scan-steps tbody tr").unwrap();
    let status: Vec<String> = rows.iter().map(|r| r.find("td.status").unwrap().text().unwrap()).collect();
    assert_eq!(status[0], "afgerond");
    assert_eq!(status[1], "bezig");
    assert_eq!(status[2], "bezig");
    assert_eq!(status[3], "nog niet begonnen");
    assert_eq!(status[6], "bezig");
    let summary: Vec<String> = rows.iter().map(|r| r.find("td.summary").unwrap().text().unwrap()).collect();
    assert_eq!(summary[0], "5 domeinen gekozen");
    assert_eq!(summary[1], "1 bron met de hand, drempel 75 %");
    assert_eq!(summary[2], "1 plan voor een witte vlek");
    assert_eq!(summary[6], "team 1,2 FTE in 2 regels, 1 partner");
    check(&b, "15-overzicht");

    // A teacher reads the scan of the school, pupil-level parts for their own group only.
    b.click("form.logout button").unwrap();
    b.wait_url("the login page", |u| u.ends_with("/inloggen"), WAIT).unwrap();
    app.login(&b, "leerkracht");
    b.goto(&overview).unwrap();
    assert!(b.find_all("form[action$='/kopie']").unwrap().is_empty());
    check(&b, "16-leerkracht-overzicht");
    for (n, name) in [(1, "17-leerkracht-stap1"), (2, "18-leerkracht-stap2"), (7, "20-leerkracht-stap7")] {
        b.goto(&format!("{overview}/stap/{n}")).unwrap();
        assert!(b.find_all("input[name='versie']").unwrap().is_empty(), "a teacher gets no form on step {n}");
        check(&b, name);
    }
    b.goto(&format!("{overview}/stap/3")).unwrap();
    let groups = b.find_all("#groepen a").unwrap();
    assert_eq!(groups.len(), 1, "the teacher's own group only");
    let own = groups[0].text().unwrap().trim_start_matches("Groep ").to_owned();
    let seen: Vec<(String, String)> = b
        .find_all("#risicolijst tbody tr")
        .unwrap()
        .iter()
        .map(|r| (r.attr("id").unwrap().unwrap(), r.find("td").unwrap().text().unwrap()))
        .collect();
    let expected: Vec<(String, String)> = ib_register.iter().filter(|(_, g)| *g == own).cloned().collect();
    assert!(!expected.is_empty(), "the IB'er put a pupil of group {own} on the list: {ib_register:?}");
    assert_eq!(seen, expected, "the teacher sees exactly the entries of their own group");
    assert!(ib_register.len() > expected.len(), "the register holds pupils of other groups too");
    check(&b, "19-leerkracht-stap3");
    eprintln!("browser test: {:.1} s", t0.elapsed().as_secs_f64());
}
