#![allow(clippy::unwrap_used)]
//! The upload page through the real router: upload → preview (detected encoding, delimiter,
//! mapping, first rows, every problem; nothing written) → confirm (written, logged, audited), the
//! import reports in the API, and who may not reach it.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Client, Resp, TestApp, brin, send};
use schoolscan_auth::Role;
use schoolscan_store::{AccessStore, ImportStore, Scope, Store};

const BOUNDARY: &str = "----schoolscan-test-7d1f";

/// A multipart body with the given text fields and one file.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (name, file_name, data) in files {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(data);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

async fn upload(app: &TestApp, c: &Client, path: &str, body: Vec<u8>) -> Resp {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header("sec-fetch-site", "same-origin");
    if let Some(ck) = &c.cookie {
        req = req.header(header::COOKIE, ck);
    }
    send(&app.router, req.body(Body::from(body)).unwrap()).await
}

/// Windows-1252 (Latin-1 letters only).
fn cp1252(s: &str) -> Vec<u8> {
    s.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect()
}

/// A small export: 1001 exists in the fixture, 1005 is new; line 4 is an impossible date, line 5
/// has no pupil number, line 6 no result, line 7 repeats line 2.
const EXPORT: &str = "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Toets;Toetsmoment;Afnamedatum;Vaardigheidsscore\r\n\
1001;Noor;;Jansen;Rekenen-Wiskunde 3.0;E5;14-06-2023;92,5\r\n\
1005;Daniëlle;van 't;Hof;Rekenen-Wiskunde 3.0;M5;30-01-2023;81,0\r\n\
1005;Daniëlle;van 't;Hof;Rekenen-Wiskunde 3.0;E5;31-06-2023;88,0\r\n\
;Zoë;;Müller;Rekenen-Wiskunde 3.0;M5;30-01-2023;77,0\r\n\
1001;Noor;;Jansen;Spelling 3.0;M5;30-01-2023;n.v.t.\r\n\
1001;Noor;;Jansen;Rekenen-Wiskunde 3.0;E5;14-06-2023;92,5\r\n";

fn token(body: &str) -> String {
    let i = body.find("name=\"token\" value=\"").unwrap() + 20;
    body[i..i + body[i..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn upload_preview_confirm() {
    let app = TestApp::new().await;
    let dir = app.login(Role::Director).await;
    // The school page links to it for a director, not for a teacher.
    let link = "href=\"/scholen/10AA/importeren\"";
    assert!(app.get(&dir, "/scholen/10AA").await.body.contains(link));
    let teacher = app.login(Role::Teacher).await;
    let school_page = app.get(&teacher, "/scholen/10AA").await;
    assert_eq!(school_page.status, StatusCode::OK);
    assert!(!school_page.body.contains(link));
    let page = app.get(&dir, "/scholen/10AA/importeren").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("enctype=\"multipart/form-data\""), "{}", page.body);
    assert!(page.body.contains("Soort bestand"));

    let before = app.store.counts(&Scope::System).unwrap();
    let audits = app.audit_count();
    let body = multipart(
        &[("csrf", &dir.csrf), ("soort", "scores")],
        &[("bestand", "toetsen.csv", &cp1252(EXPORT))],
    );
    let r = upload(&app, &dir, "/scholen/10AA/importeren", body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    // Detected encoding, delimiter, mapping, first rows, every problem, exact counts.
    assert!(b.contains("Windows-1252"), "{b}");
    assert!(b.contains("<code>;</code>"), "{b}");
    assert!(b.contains("<td>Afnamedatum</td><td>afnamedatum</td>"), "{b}");
    assert!(b.contains("Daniëlle") && b.contains("van &#x27;t"), "names decoded: {b}");
    assert!(b.contains("31-06-2023"), "{b}");
    for (line, reason) in [(4, "onmogelijke datum"), (5, "geen leerlingnummer"), (6, "geen uitslag")] {
        assert!(b.contains(&format!("<td class=\"num\">{line}</td>")), "line {line}: {b}");
        assert!(b.contains(reason), "{reason}: {b}");
    }
    assert!(
        b.contains(
            "Gelezen: 6 regels. Bij bevestigen: 2 nieuw, 0 bijgewerkt; 1 dubbel, 1 overgeslagen, 2 afgewezen."
        ),
        "{b}"
    );
    // Nothing written yet, nothing audited, no log row.
    assert_eq!(app.store.counts(&Scope::System).unwrap(), before);
    assert_eq!(app.audit_count(), audits);
    assert!(app.store.imports(&Scope::System, &brin("10AA")).unwrap().is_empty());

    // Another user cannot confirm this upload.
    let tok = token(b);
    let ib = app.login(Role::InternBegeleider).await;
    let r = app.post(&ib, "/scholen/10AA/importeren/bevestigen", &[("token", &tok)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("verlopen of onbekend"), "{}", r.body);
    assert_eq!(app.store.counts(&Scope::System).unwrap(), before);

    // The uploader confirms: written, one log row, one audit record.
    let audits = app.audit_count();
    let r = app.post(&dir, "/scholen/10AA/importeren/bevestigen", &[("token", &tok)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("2 nieuw, 0 bijgewerkt"), "{}", r.body);
    let after = app.store.counts(&Scope::System).unwrap();
    assert_eq!(after.scores, before.scores + 2);
    assert_eq!(after.pupils, before.pupils + 1);
    let log = app.store.audit_log(None).unwrap();
    assert_eq!(log.len(), audits + 1);
    let rec = &log.last().unwrap().record;
    assert_eq!((rec.category.as_str(), rec.action.as_str()), ("toets", "create"));
    assert_eq!((rec.actor.as_str(), rec.school.as_deref()), ("directeur", Some("10AA")));
    let imports = app.store.imports(&Scope::System, &brin("10AA")).unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!((imports[0].imported, imports[0].rejected, imports[0].actor.as_str()), (2, 2, "directeur"));

    // The token is used up.
    let r = app.post(&dir, "/scholen/10AA/importeren/bevestigen", &[("token", &tok)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.store.counts(&Scope::System).unwrap(), after);

    // The same file again: nothing new.
    let body = multipart(
        &[("csrf", &dir.csrf), ("soort", "scores")],
        &[("bestand", "toetsen.csv", &cp1252(EXPORT))],
    );
    let r = upload(&app, &dir, "/scholen/10AA/importeren", body).await;
    assert!(r.body.contains("Bij bevestigen: 0 nieuw, 0 bijgewerkt"), "{}", r.body);

    // The form lists the import; the API gives the report with line, column, value and reason.
    let page = app.get(&dir, "/scholen/10AA/importeren").await;
    assert!(page.body.contains("toetsen.csv") && page.body.contains("Eerdere imports"), "{}", page.body);
    let api = app.get(&ib, "/api/v1/schools/10AA/imports").await;
    assert_eq!(api.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v[0]["imported"], 2);
    assert_eq!(v[0]["report"]["imported"], 2);
    assert_eq!(v[0]["report"]["rejected"][0]["line"], 4);
    assert_eq!(v[0]["report"]["rejected"][0]["column"], "Afnamedatum");
    assert_eq!(v[0]["report"]["rejected"][0]["value"], "31-06-2023");
    assert_eq!(v[0]["report"]["skipped"][0]["line"], 6);
}

#[tokio::test]
async fn problems_with_the_file_are_shown_in_dutch_and_nothing_is_written() {
    let app = TestApp::new().await;
    let ib = app.login(Role::InternBegeleider).await;
    let before = app.store.counts(&Scope::System).unwrap();
    // Unknown headers: the message lists what was recognised.
    let body = multipart(
        &[("csrf", &ib.csrf), ("soort", "scores")],
        &[("bestand", "raar.csv", b"Lln;Toets;Datum;Uitslag\n1001;Spelling 3.0;30-01-2023;150\n")],
    );
    let r = upload(&app, &ib, "/scholen/10AA/importeren", body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("niet (volledig) herkend"), "{}", r.body);
    assert!(r.body.contains("Herkend: "), "{}", r.body);
    // With a mapping file it is read.
    let mapping = "[kolommen]\n\"Lln\" = \"leerlingnummer\"\n\"Uitslag\" = \"vaardigheidsscore\"\n";
    let body = multipart(
        &[("csrf", &ib.csrf), ("soort", "scores")],
        &[
            ("koppeling", "k.toml", mapping.as_bytes()),
            ("bestand", "raar.csv", b"Lln;Toets;Datum;Uitslag\n1001;Spelling 3.0;30-01-2023;150\n"),
        ],
    );
    let r = upload(&app, &ib, "/scholen/10AA/importeren", body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<td>Lln</td><td>leerlingnummer</td>"), "{}", r.body);
    // No file chosen.
    let r = upload(
        &app,
        &ib,
        "/scholen/10AA/importeren",
        multipart(&[("csrf", &ib.csrf), ("soort", "scores")], &[]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Kies een bestand"));
    // Without the CSRF token the upload is refused before the handler.
    let r = upload(
        &app,
        &ib,
        "/scholen/10AA/importeren",
        multipart(&[("soort", "scores")], &[("bestand", "t.csv", b"x")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.counts(&Scope::System).unwrap(), before);
}

#[tokio::test]
async fn teachers_mr_and_other_schools_cannot_reach_it() {
    let app = TestApp::new().await;
    for role in [Role::Teacher, Role::MrMember, Role::Parent, Role::Municipality, Role::BoardAdmin] {
        let c = app.login(role).await;
        for path in ["/scholen/10AA/importeren", "/api/v1/schools/10AA/imports"] {
            let r = app.get(&c, path).await;
            assert_eq!((r.status, r.body.as_str()), (StatusCode::NOT_FOUND, ""), "{role} {path}");
        }
        let body =
            multipart(&[("csrf", &c.csrf), ("soort", "scores")], &[("bestand", "t.csv", EXPORT.as_bytes())]);
        let r = upload(&app, &c, "/scholen/10AA/importeren", body).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::NOT_FOUND, ""), "{role} upload");
    }
    // A director of 10AA cannot import into another school.
    let dir = app.login(Role::Director).await;
    assert_eq!(app.get(&dir, "/scholen/20BB/importeren").await.status, StatusCode::NOT_FOUND);
    let body =
        multipart(&[("csrf", &dir.csrf), ("soort", "scores")], &[("bestand", "t.csv", EXPORT.as_bytes())]);
    assert_eq!(upload(&app, &dir, "/scholen/20BB/importeren", body).await.status, StatusCode::NOT_FOUND);
}

/// An upload over the limit (issue: it used to answer with an empty 404): whoever may use the
/// import page gets a Dutch page with status 413 that states the limit, says what to do and links
/// back, and nothing of the upload is kept (no rows, no log row, no audit record, no waiting
/// upload). An upload of exactly the limit still gets its preview. For everyone else the same
/// request is still the empty 404 of R2, and without the CSRF token it is still refused.
#[tokio::test]
async fn an_upload_over_the_limit_gets_a_dutch_413_page_and_nothing_is_written() {
    const LIMIT: usize = 1024 * 1024;
    let mut app = TestApp::new().await;
    app.router = schoolscan_web::router(app.state.clone().with_upload_limit(LIMIT)).unwrap();
    let dir = app.login(Role::Director).await;
    // A multipart body of exactly `len` bytes: the export, padded with a field the page ignores.
    let sized = |csrf: &str, len: usize| {
        let body = |pad: &str| {
            multipart(
                &[("csrf", csrf), ("opvulling", pad), ("soort", "scores")],
                &[("bestand", "toetsen.csv", &cp1252(EXPORT))],
            )
        };
        let b = body(&"x".repeat(len - body("").len()));
        assert_eq!(b.len(), len);
        b
    };
    let with_length = |c: &Client, path: &str, body: Vec<u8>| {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
            .header(header::CONTENT_LENGTH, body.len())
            .header("sec-fetch-site", "same-origin");
        if let Some(ck) = &c.cookie {
            req = req.header(header::COOKIE, ck);
        }
        req.body(Body::from(body)).unwrap()
    };
    let before = app.store.counts(&Scope::System).unwrap();
    let audits = app.audit_count();

    // One byte over the limit, without a declared length (noticed while reading), with one (noticed
    // from the header), and far over it.
    for (what, r) in [
        ("limit + 1", upload(&app, &dir, "/scholen/10AA/importeren", sized(&dir.csrf, LIMIT + 1)).await),
        (
            "limit + 1, Content-Length",
            send(&app.router, with_length(&dir, "/scholen/10AA/importeren", sized(&dir.csrf, LIMIT + 1)))
                .await,
        ),
        (
            "3 × limit, Content-Length",
            send(&app.router, with_length(&dir, "/scholen/10AA/importeren", sized(&dir.csrf, 3 * LIMIT)))
                .await,
        ),
    ] {
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{what}: {}", r.body);
        let b = &r.body;
        assert!(b.contains("<html lang=\"nl\">") && b.contains("<main id=\"inhoud\">"), "{what}: {b}");
        assert!(b.contains("<h1>Importeren voor De Linde") && b.contains("<h2>Het bestand is te groot</h2>"));
        assert!(b.contains("Het bestand is groter dan 1 MB"), "{what}: {b}");
        assert!(b.contains("Er is niets opgeslagen."), "{b}");
        assert!(b.contains("per schooljaar of per vakgebied"), "{b}");
        assert!(b.contains("<code>schoolscan import scores BESTAND --school 10AA</code>"), "{b}");
        assert!(b.contains("<a href=\"/scholen/10AA/importeren\">Terug naar de importpagina</a>"), "{b}");
        assert!(!b.contains("name=\"token\""), "no upload waits for a confirmation: {b}");
        assert!(!b.contains("Daniëlle"), "nothing of the file is shown: {b}");
    }
    assert_eq!(app.store.counts(&Scope::System).unwrap(), before);
    assert_eq!(app.audit_count(), audits);
    assert!(app.store.imports(&Scope::System, &brin("10AA")).unwrap().is_empty());

    // Without the CSRF token (none among the fields that arrived) it is refused as before.
    let no_token = sized("", LIMIT + 1);
    let r = upload(&app, &dir, "/scholen/10AA/importeren", no_token).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::FORBIDDEN, ""));

    // Who may not import into the school learns nothing, not even that the file was too large.
    let r = upload(&app, &dir, "/scholen/20BB/importeren", sized(&dir.csrf, LIMIT + 1)).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::NOT_FOUND, ""), "director, other school");
    for role in [Role::Teacher, Role::MrMember, Role::Parent, Role::Municipality, Role::BoardAdmin] {
        let c = app.login(role).await;
        let r = upload(&app, &c, "/scholen/10AA/importeren", sized(&c.csrf, LIMIT + 1)).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::NOT_FOUND, ""), "{role}");
        let r =
            send(&app.router, with_length(&c, "/scholen/10AA/importeren", sized(&c.csrf, 3 * LIMIT))).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::NOT_FOUND, ""), "{role}, Content-Length");
    }
    assert_eq!(app.store.counts(&Scope::System).unwrap(), before);

    // Exactly the limit: the preview, and the confirmation writes it.
    let r = upload(&app, &dir, "/scholen/10AA/importeren", sized(&dir.csrf, LIMIT)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Bij bevestigen: 2 nieuw, 0 bijgewerkt"), "{}", r.body);
    let r = app.post(&dir, "/scholen/10AA/importeren/bevestigen", &[("token", &token(&r.body))]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.store.counts(&Scope::System).unwrap().scores, before.scores + 2);
}

/// The default limit is 64 MB.
#[test]
fn the_default_upload_limit_is_64_mb() {
    assert_eq!(schoolscan_web::DEFAULT_UPLOAD_LIMIT, 64 * 1024 * 1024);
}
