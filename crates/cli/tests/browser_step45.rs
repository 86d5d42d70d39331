#![allow(clippy::unwrap_used)]
//! End to end in headless Chromium against the real `schoolscan serve --demo`: the demo IB'er
//! opens step 4 of the 2020-2021 schoolscan of the demo school, checks the charts and overviews,
//! saves the test moment and an answer to a helper question, drills down to a jaargroep, a group
//! and a pupil, records a conclusion in step 5, reloads it, and opens the printable summary. A
//! teacher then sees step 4 with their own pupils only. Every page is checked with axe-core (no
//! serious or critical violations) and photographed into `target/e2e-screenshots/`.

mod e2e;

use std::time::Duration;

use e2e::Browser;

const WAIT: Duration = Duration::from_secs(30);

fn check(b: &Browser, name: &str) {
    b.axe_check(name).unwrap_or_else(|e| panic!("{e}"));
    b.screenshot(name).unwrap();
}

fn value(b: &Browser, css: &str) -> String {
    b.find(css).unwrap().prop("value").unwrap().as_str().unwrap_or("").to_owned()
}

fn clean(url: &str) -> String {
    url.split(['?', '#']).next().unwrap().to_owned()
}

#[test]
fn ib_completes_steps_4_and_5_in_the_browser() {
    let app = e2e::DemoServer::start();
    let b = app.browser();
    app.login(&b, "ib");
    b.click("main table a[href^='/scholen/']").unwrap();
    let school = clean(&b.url().unwrap());
    // The schoolscan of the corona year 2020-2021.
    let overview = format!("{school}/scan/2020-2021");
    b.goto(&overview).unwrap();
    b.click("a[href$='/stap/4']").unwrap();
    b.wait_for("#vakken", WAIT).unwrap();
    assert!(b.text("h1").unwrap().starts_with("Stap 4: Analyseren"));

    // The four overviews with their charts, text alternatives and helper questions.
    for (section, chart_title) in [
        ("#vakken", "Vertraging per vak, schoolbreed"),
        ("#jaargroepen", "Vertraging per jaargroep en vak"),
        ("#onderdelen", "Onderdelen per jaargroep"),
        ("#seo", "Sociaal-emotioneel"),
        ("#subgroepen", "Groepen leerlingen"),
    ] {
        let title = b.text(&format!("{section} svg[role='img'] > title")).unwrap_or_default();
        let title = if title.is_empty() {
            // WebDriver reports no visible text for SVG titles: read it through the DOM.
            b.execute(
                "return document.querySelector(arguments[0]).textContent;",
                vec![serde_json::json!(format!("{section} svg[role='img'] > title"))],
            )
            .unwrap()
            .as_str()
            .unwrap_or("")
            .to_owned()
        } else {
            title
        };
        assert!(title.starts_with(chart_title), "{section}: {title}");
        assert!(b.find(&format!("{section} svg[role='img'] > desc")).is_ok(), "{section} has a description");
    }
    assert!(b.text("#vakken").unwrap().contains("Grootste vertraging"));
    assert!(b.text("#vakken .hulpvragen").unwrap().contains("Hoe verschilt per vak"));
    assert!(b.text("#leerlingen .hulpvragen").unwrap().contains("Welke leerlingen vallen op"));
    let pupils = b.find_all("#leerlingen table a[href*='/stap/4/leerling/']").unwrap();
    assert!(!pupils.is_empty(), "pupils who stand out are listed");
    check(&b, "21-stap4");

    // Choose the M moment and answer a helper question; stored after a reload.
    b.select("#moment", "M").unwrap();
    b.fill("#antwoord_school_verschil", "Begrijpend lezen blijft het meest achter.").unwrap();
    b.set_checked("input[name='afgerond']", true).unwrap();
    b.click("#stap4 button[type=submit]").unwrap();
    b.wait_url("step 4 after saving", |u| u.contains("#hulpvragen"), WAIT).unwrap();
    b.goto(&format!("{overview}/stap/4")).unwrap();
    b.wait_for("#vakken", WAIT).unwrap();
    assert_eq!(value(&b, "#moment"), "M");
    assert_eq!(value(&b, "#antwoord_school_verschil"), "Begrijpend lezen blijft het meest achter.");
    assert!(b.text("main").unwrap().contains("Toetsmoment: 2020-2021 M"));
    check(&b, "22-stap4-opgeslagen");

    // Drill down: a jaargroep, one of its groups, a pupil of that group.
    b.click("#jaargroepen .drill a").unwrap();
    b.wait_for("h1", WAIT).unwrap();
    assert!(b.text("h1").unwrap().starts_with("Jaargroep"));
    assert!(b.find("#vakken svg[role='img']").is_ok());
    check(&b, "23-stap4-jaargroep");
    b.click("#groepen .drill a").unwrap();
    b.wait_for("h1", WAIT).unwrap();
    assert!(b.text("h1").unwrap().starts_with("Groep"));
    let members = b.text("main").unwrap();
    assert!(members.contains("de band"), "each pupil against the expected band");
    check(&b, "24-stap4-groep");
    b.click("main table a[href*='/stap/4/leerling/']").unwrap();
    b.wait_for("h1", WAIT).unwrap();
    let name = b.text("h1").unwrap();
    let traject = b
        .execute(
            "return Array.from(document.querySelectorAll(\"svg[role='img'] > title\")).map(function (t) { return t.textContent; }).join('|');",
            vec![],
        )
        .unwrap();
    let traject = traject.as_str().unwrap_or("");
    assert!(traject.contains("tegen de verwachting"), "trajectory charts: {traject}");
    assert!(
        b.text("main").unwrap().contains("verwachte band"),
        "{name}: the page says where the score stands"
    );
    check(&b, "25-stap4-leerling");

    // Step 5: record a conclusion for the first finding.
    b.goto(&format!("{overview}/stap/5")).unwrap();
    b.wait_for("article.finding", WAIT).unwrap();
    check(&b, "26-stap5");
    let first = b.find("article.finding").unwrap();
    let id = first.attr("id").unwrap().unwrap();
    let finding = b.text(&format!("#{id} h3")).unwrap();
    b.set_checked(&format!("#{id} input[value='nog_niet_aangeboden']"), true).unwrap();
    b.set_checked(&format!("#{id} input[value='eerst_motivatie_welbevinden']"), true).unwrap();
    b.fill(&format!("#{id}-gevolgen"), "Zonder extra instructie groeit de achterstand in groep 6.").unwrap();
    b.select(&format!("#{id}-niveau"), "jaargroep").unwrap();
    b.select(&format!("#{id}-prio"), "1").unwrap();
    b.click(&format!("#{id} button[type=submit]")).unwrap();
    b.wait_url("step 5 after saving", |u| u.contains(&format!("#{id}")), WAIT).unwrap();
    b.goto(&format!("{overview}/stap/5")).unwrap();
    b.wait_for("article.finding", WAIT).unwrap();
    assert_eq!(
        value(&b, &format!("#{id}-gevolgen")),
        "Zonder extra instructie groeit de achterstand in groep 6."
    );
    assert!(b.find(&format!("#{id} input[value='nog_niet_aangeboden']")).unwrap().is_selected().unwrap());
    assert!(!b.find(&format!("#{id} input[value='weggezakt']")).unwrap().is_selected().unwrap());
    assert_eq!(value(&b, &format!("#{id}-niveau")), "jaargroep");
    assert!(b.text("main").unwrap().contains("1 bevinding(en) geduid"));
    check(&b, "27-stap5-opgeslagen");

    // The one-page summary.
    b.click("a[href$='/stap/5/samenvatting']").unwrap();
    b.wait_for("table.conclusions", WAIT).unwrap();
    let table = b.text("table.conclusions").unwrap();
    assert!(table.contains(&finding), "{table}");
    assert!(table.contains("Zonder extra instructie groeit de achterstand in groep 6."));
    assert!(table.contains("De stof is nog niet aangeboden"));
    check(&b, "28-stap5-samenvatting");

    // The overview shows steps 4 and 5.
    b.goto(&overview).unwrap();
    let rows = b.find_all("table.scan-steps tbody tr").unwrap();
    let status: Vec<String> = rows.iter().map(|r| r.find("td.status").unwrap().text().unwrap()).collect();
    assert_eq!(status[3], "afgerond");
    assert_eq!(status[4], "bezig");
    let summary: Vec<String> = rows.iter().map(|r| r.find("td.summary").unwrap().text().unwrap()).collect();
    assert_eq!(summary[3], "toetsmoment M, 1 hulpvraag beantwoord");
    assert_eq!(summary[4], "1 bevinding geduid");

    // A teacher opens step 4: the school's figures, pupils of their own group only.
    b.click("form.logout button").unwrap();
    b.wait_url("the login page", |u| u.ends_with("/inloggen"), WAIT).unwrap();
    app.login(&b, "leerkracht");
    b.goto(&format!("{overview}/stap/4")).unwrap();
    b.wait_for("#vakken", WAIT).unwrap();
    assert!(b.text("#leerlingen").unwrap().contains("U ziet alleen leerlingen uit uw eigen groepen."));
    assert!(b.find_all("#stap4").unwrap().is_empty(), "no form for a teacher");
    check(&b, "29-leerkracht-stap4");
}
