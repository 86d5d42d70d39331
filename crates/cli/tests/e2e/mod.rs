//! Shared set-up of the browser tests: the real `schoolscan serve --demo` on a free local port over
//! a fresh SQLite file, and a headless Chromium (see `schoolscan-webdriver`).
//!
//! Use from a test file with `mod e2e;`:
//! ```ignore
//! let app = e2e::DemoServer::start();
//! let b = app.browser();
//! app.login(&b, "ib");
//! b.axe_check("start").unwrap();
//! ```
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub use schoolscan_webdriver::{Browser, Options};

/// A running `schoolscan serve --demo`, killed on drop.
pub struct DemoServer {
    child: Child,
    _dir: tempfile::TempDir,
    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub base: String,
    /// The demo password and TOTP secret, as `serve --demo` printed them.
    pub password: String,
    pub totp_secret: String,
}

/// Where screenshots and axe reports go: `target/e2e-screenshots`.
pub fn artifacts() -> PathBuf {
    schoolscan_webdriver::screenshot_dir(env!("CARGO_TARGET_TMPDIR"))
}

impl DemoServer {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("e2e.db");
        let mut child = Command::new(env!("CARGO_BIN_EXE_schoolscan"))
            .arg("--db")
            .arg(&db)
            .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (mut base, mut password, mut secret) = (None, None, None);
        while base.is_none() {
            let line =
                rx.recv_timeout(Duration::from_secs(120)).expect("schoolscan serve --demo did not start");
            if let Some(p) = line.split("wachtwoord voor alle: ").nth(1) {
                password = Some(p.trim_end_matches(')').trim_end_matches("):").trim().to_owned());
            }
            if let Some(s) = line.split("de sleutel ").nth(1) {
                secret = s.split_whitespace().next().map(str::to_owned);
            }
            if let Some(rest) = line.split("http://").nth(1) {
                base = rest.split('/').next().map(|a| format!("http://{a}"));
            }
        }
        Self {
            child,
            _dir: dir,
            base: base.unwrap(),
            password: password.expect("serve --demo printed no demo password"),
            totp_secret: secret.expect("serve --demo printed no TOTP secret"),
        }
    }

    /// A fresh headless Chromium; panics (fails the test) when Chromium, chromedriver or axe-core
    /// is missing.
    pub fn browser(&self) -> Browser {
        let opts =
            Options::from_env(artifacts()).unwrap_or_else(|e| panic!("browser test prerequisites: {e}"));
        Browser::start(opts).unwrap_or_else(|e| panic!("cannot start the browser: {e}"))
    }

    /// Log in as a demo account through the real login and TOTP pages.
    pub fn login(&self, b: &Browser, user: &str) {
        b.login(&self.base, user, &self.password, &self.totp_secret).unwrap();
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
