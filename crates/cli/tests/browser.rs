#![allow(clippy::unwrap_used)]
//! End to end in headless Chromium: the demo IB'er logs in through the real login and TOTP pages
//! of the real `schoolscan` binary; every page visited is checked with axe-core (no serious or
//! critical violations) and photographed into `target/e2e-screenshots/`.

mod e2e;

use std::time::Instant;

#[test]
fn ib_logs_in_and_pages_pass_axe() {
    let t0 = Instant::now();
    let app = e2e::DemoServer::start();
    let b = app.browser();

    b.goto(&app.url("/inloggen")).unwrap();
    assert_eq!(b.find("html").unwrap().attr("lang").unwrap().as_deref(), Some("nl"));
    b.axe_check("01-inloggen").unwrap();
    b.screenshot("01-inloggen").unwrap();

    app.login(&b, "ib");
    assert!(b.text("h1").unwrap().starts_with("Welkom"), "{}", b.text("main").unwrap());
    b.axe_check("02-start").unwrap();
    b.screenshot("02-start").unwrap();

    // The IB'er's own school.
    b.click("main table a[href^='/scholen/']").unwrap();
    let school_url = b.url().unwrap();
    assert!(school_url.starts_with(&app.url("/scholen/")), "{school_url}");
    b.axe_check("03-school").unwrap();
    b.screenshot("03-school").unwrap();
    eprintln!("browser test: {:.1} s", t0.elapsed().as_secs_f64());
}
