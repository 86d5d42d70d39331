#![allow(clippy::unwrap_used)]
//! The harness itself in headless Chromium: it drives a page, and its axe check fails on a page
//! with known serious violations (so a passing page check means something).

use schoolscan_webdriver::{Browser, Error, Options, screenshot_dir};

fn browser() -> Browser {
    let opts = Options::from_env(screenshot_dir(env!("CARGO_TARGET_TMPDIR")))
        .unwrap_or_else(|e| panic!("browser test prerequisites: {e}"));
    Browser::start(opts).unwrap()
}

const BAD: &str = "data:text/html;charset=utf-8,<!doctype html><html><head><title>t</title></head><body>\
<main><h1>Proef</h1><img src='x.png'><input id='naam'><p style='color:%23ccc;background:%23fff'>laag contrast</p>\
<button id='b' onclick=\"document.getElementById('uit').textContent=document.getElementById('naam').value\">ok</button>\
<p id='uit'></p></main></body></html>";

#[test]
fn drives_a_page_and_axe_catches_violations() {
    let b = browser();
    b.goto(BAD).unwrap();
    assert_eq!(b.text("h1").unwrap(), "Proef");
    b.fill("#naam", "Noor").unwrap();
    b.click("#b").unwrap();
    assert_eq!(b.text("#uit").unwrap(), "Noor");
    assert_eq!(b.find("#naam").unwrap().prop("value").unwrap(), serde_json::json!("Noor"));
    assert_eq!(b.find_all("p").unwrap().len(), 2);
    assert!(b.find("#bestaat-niet").is_err());
    let v = b.axe("proef-fout").unwrap();
    let ids: Vec<&str> = v.iter().map(|v| v.id.as_str()).collect();
    for id in ["image-alt", "label", "color-contrast", "html-has-lang"] {
        assert!(ids.contains(&id), "axe missed {id}: {ids:?}");
    }
    match b.axe_check("proef-fout") {
        Err(Error::Axe { count, .. }) => assert!(count >= 3, "{count}"),
        other => panic!("axe_check must fail on this page: {other:?}"),
    }
    let shot = b.screenshot("proef-fout").unwrap();
    assert!(std::fs::read(shot).unwrap().starts_with(b"\x89PNG"));
}
