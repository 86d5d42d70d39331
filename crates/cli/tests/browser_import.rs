#![allow(clippy::unwrap_used)]
//! End to end in headless Chromium against the real `schoolscan serve --demo`: the demo director
//! picks an export larger than the upload limit (64 MB) on the import page and gets the Dutch
//! "file too large" page over real HTTP (the server answers an upload it does not keep, so this
//! also checks that the browser gets to read that answer), checked with axe-core (no serious or
//! critical violations) and photographed into `target/e2e-screenshots/`; the link leads back to
//! the import page, which lists no import.

mod e2e;

use std::io::Write;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

#[test]
fn a_file_over_the_upload_limit_gets_the_dutch_page_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("toetsen-alle-jaren.csv");
    {
        // Valid rows, a little over 64 MB.
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        let header = "Leerlingnummer;Toets;Afnamedatum;Vaardigheidsscore\r\n";
        f.write_all(header.as_bytes()).unwrap();
        let mut written = header.len();
        let mut n = 0u64;
        while written <= 65 << 20 {
            let row = format!("{};Spelling 3.0;27-01-2021;{}\r\n", 100_000 + n % 900_000, 100 + n % 50);
            f.write_all(row.as_bytes()).unwrap();
            written += row.len();
            n += 1;
        }
        f.flush().unwrap();
    }
    let app = e2e::DemoServer::start();
    let b = app.browser();
    app.login(&b, "directeur");
    let page = app.url("/scholen/21VA/importeren");
    b.goto(&page).unwrap();
    b.find("#bestand").unwrap().send_keys(file.to_str().unwrap()).unwrap();
    b.click("main form button[type='submit']").unwrap();
    b.wait_url("the answer to the upload", |u| u == page, WAIT).unwrap();
    b.wait_for("main h2", WAIT).unwrap();
    assert_eq!(b.text("main h2").unwrap(), "Het bestand is te groot");
    assert!(b.title().unwrap().starts_with("Bestand te groot"), "{}", b.title().unwrap());
    let alert = b.text("main p.error[role='alert']").unwrap();
    assert!(alert.contains("groter dan 64 MB") && alert.contains("Er is niets opgeslagen."), "{alert}");
    assert!(b.text("main").unwrap().contains("per schooljaar of per vakgebied"));
    b.axe_check("import-te-groot").unwrap_or_else(|e| panic!("{e}"));
    b.screenshot("import-te-groot").unwrap();
    // Back to the form: nothing was imported.
    b.click("main a[href='/scholen/21VA/importeren']").unwrap();
    b.wait_for("#bestand", WAIT).unwrap();
    assert!(!b.source().unwrap().contains("Eerdere imports"));
}
