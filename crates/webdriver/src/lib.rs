//! A small WebDriver client for Schoolscan's end-to-end tests.
//!
//! It starts `chromedriver` on a free local port as a child process (killed on drop), opens one
//! headless Chromium session with a fresh profile, and offers what the tests need: navigate, find
//! elements by CSS, type, click, read text and attributes, run scripts, take full-page PNG
//! screenshots, run axe-core on the page, and log in through the real login and TOTP pages.
//!
//! Nothing here is optional: when Chromium, chromedriver or axe-core is missing, [`Options::from_env`]
//! returns an error, so a test fails instead of silently skipping.
//!
//! ```no_run
//! # fn main() -> Result<(), schoolscan_webdriver::Error> {
//! use schoolscan_webdriver::{Browser, Options};
//! let browser = Browser::start(Options::from_env("target/e2e-screenshots")?)?;
//! browser.login("http://127.0.0.1:8080", "ib", "wachtwoord", "BASE32SECRET")?;
//! browser.axe_check("start")?;
//! browser.screenshot("start")?;
//! # Ok(()) }
//! ```

mod http;

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use thiserror::Error;

/// The W3C element reference key.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

#[derive(Debug, Error)]
pub enum Error {
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("protocol: {0}")]
    Protocol(String),
    #[error("WebDriver {status} {error}: {message}")]
    WebDriver { status: u16, error: String, message: String },
    #[error("missing prerequisite: {0}")]
    Missing(String),
    #[error("timed out waiting for {what} (at {url})")]
    Timeout { what: String, url: String },
    #[error("axe-core on page '{page}': {count} serious or critical violation(s):\n{details}")]
    Axe { page: String, count: usize, details: String },
    #[error("login of {user} failed: {reason}")]
    Login { user: String, reason: String },
    #[error("TOTP: {0}")]
    Totp(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Where the browser, its driver and axe-core live, and where screenshots go.
#[derive(Debug, Clone)]
pub struct Options {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    /// `axe.min.js` of axe-core 4.
    pub axe: PathBuf,
    pub screenshots: PathBuf,
    pub window: (u32, u32),
}

impl Options {
    /// The defaults, overridable by environment variables: `SCHOOLSCAN_CHROMIUM` (default
    /// `/usr/bin/chromium`), `SCHOOLSCAN_CHROMEDRIVER` (`/usr/bin/chromedriver`) and
    /// `SCHOOLSCAN_AXE` (default `$HOME/.cache/schoolscan-npm/node_modules/axe-core/axe.min.js`,
    /// where `scripts/install-deps` puts it). Errors when any of them is missing.
    pub fn from_env(screenshots: impl Into<PathBuf>) -> Result<Self> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let chromium = var("SCHOOLSCAN_CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into());
        let chromedriver = var("SCHOOLSCAN_CHROMEDRIVER").unwrap_or_else(|| "/usr/bin/chromedriver".into());
        let axe = match var("SCHOOLSCAN_AXE") {
            Some(p) => p,
            None => {
                let home = var("HOME")
                    .ok_or_else(|| Error::Missing("HOME is not set and SCHOOLSCAN_AXE neither".into()))?;
                home.join(".cache/schoolscan-npm/node_modules/axe-core/axe.min.js")
            }
        };
        for (what, p, hint) in [
            ("chromium", &chromium, "run scripts/install-deps (apt-get install chromium)"),
            ("chromedriver", &chromedriver, "run scripts/install-deps (apt-get install chromium-driver)"),
            ("axe-core", &axe, "run scripts/install-deps (npm install axe-core@4) or set SCHOOLSCAN_AXE"),
        ] {
            if !p.is_file() {
                return Err(Error::Missing(format!("{what} not found at {}: {hint}", p.display())));
            }
        }
        Ok(Self { chromium, chromedriver, axe, screenshots: screenshots.into(), window: (1280, 1800) })
    }
}

/// One axe-core violation.
#[derive(Debug, Clone)]
pub struct Violation {
    pub id: String,
    pub impact: String,
    pub help: String,
    /// CSS target and HTML of each offending node.
    pub nodes: Vec<(String, String)>,
}

impl Violation {
    /// Serious or critical: what the tests refuse.
    pub fn is_blocking(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "  [{}] {}: {}", self.impact, self.id, self.help)?;
        for (target, html) in self.nodes.iter().take(5) {
            let html: String = html.chars().take(160).collect();
            writeln!(f, "      {target}  {html}")?;
        }
        if self.nodes.len() > 5 {
            writeln!(f, "      … and {} more", self.nodes.len() - 5)?;
        }
        Ok(())
    }
}

/// A running chromedriver with one Chromium session.
pub struct Browser {
    port: u16,
    session: String,
    child: Child,
    _profile: tempfile::TempDir,
    axe_source: String,
    screenshots: PathBuf,
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

impl Browser {
    /// Start chromedriver and a headless Chromium session.
    pub fn start(opts: Options) -> Result<Self> {
        let axe_source = fs::read_to_string(&opts.axe)?;
        fs::create_dir_all(&opts.screenshots)?;
        let profile = tempfile::Builder::new().prefix("schoolscan-chromium-").tempdir()?;
        let port = free_port()?;
        let log = fs::File::create(profile.path().join("chromedriver.log"))?;
        let child = Command::new(&opts.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| Error::Missing(format!("cannot start {}: {e}", opts.chromedriver.display())))?;
        let mut b = Browser {
            port,
            session: String::new(),
            child,
            _profile: profile,
            axe_source,
            screenshots: opts.screenshots.clone(),
        };
        b.wait_ready()?;
        let user_data = b._profile.path().join("profile");
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--lang=nl".into(),
            format!("--window-size={},{}", opts.window.0, opts.window.1),
            format!("--user-data-dir={}", user_data.display()),
        ];
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": opts.chromium.to_string_lossy(), "args": args },
            "timeouts": { "script": 60000, "pageLoad": 60000, "implicit": 0 },
        }}});
        let v = b.raw("POST", "/session", Some(caps))?;
        b.session = v["sessionId"]
            .as_str()
            .ok_or_else(|| Error::Protocol(format!("new session without id: {v}")))?
            .to_owned();
        Ok(b)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http::request(self.port, "GET", "/status", None, Duration::from_secs(2))
                && r.status == 200
                && serde_json::from_str::<Value>(&r.body).is_ok_and(|v| v["value"]["ready"] == json!(true))
            {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                let log =
                    fs::read_to_string(self._profile.path().join("chromedriver.log")).unwrap_or_default();
                return Err(Error::Missing(format!("chromedriver exited ({status}): {log}")));
            }
            if Instant::now() > deadline {
                return Err(Error::Timeout { what: "chromedriver to start".into(), url: String::new() });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A WebDriver command; returns the `value` of the answer.
    fn raw(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let text = body.map(|b| b.to_string());
        let r = http::request(self.port, method, path, text.as_deref(), Duration::from_secs(120))?;
        let v: Value = serde_json::from_str(&r.body)
            .map_err(|e| Error::Protocol(format!("{method} {path}: {e}: {}", r.body)))?;
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        if r.status != 200 {
            return Err(Error::WebDriver {
                status: r.status,
                error: value["error"].as_str().unwrap_or("").to_owned(),
                message: value["message"].as_str().unwrap_or("").lines().next().unwrap_or("").to_owned(),
            });
        }
        Ok(value)
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let body = match (method, body) {
            ("POST", None) => Some(json!({})),
            (_, b) => b,
        };
        self.raw(method, &format!("/session/{}{path}", self.session), body)
    }

    /// Open `url` and wait for it to load.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.cmd("POST", "/url", Some(json!({ "url": url }))).map(|_| ())
    }

    /// The current URL.
    pub fn url(&self) -> Result<String> {
        Ok(self.cmd("GET", "/url", None)?.as_str().unwrap_or("").to_owned())
    }

    /// The page title.
    pub fn title(&self) -> Result<String> {
        Ok(self.cmd("GET", "/title", None)?.as_str().unwrap_or("").to_owned())
    }

    /// The page's HTML as the browser has it now.
    pub fn source(&self) -> Result<String> {
        Ok(self.cmd("GET", "/source", None)?.as_str().unwrap_or("").to_owned())
    }

    fn element_of(&self, v: &Value) -> Result<Element<'_>> {
        let id = v[ELEMENT_KEY].as_str().ok_or_else(|| Error::Protocol(format!("not an element: {v}")))?;
        Ok(Element { b: self, id: id.to_owned() })
    }

    /// The first element matching `css`.
    pub fn find(&self, css: &str) -> Result<Element<'_>> {
        let v = self.cmd("POST", "/element", Some(json!({ "using": "css selector", "value": css })))?;
        self.element_of(&v)
    }

    /// Every element matching `css`.
    pub fn find_all(&self, css: &str) -> Result<Vec<Element<'_>>> {
        let v = self.cmd("POST", "/elements", Some(json!({ "using": "css selector", "value": css })))?;
        v.as_array().map(|a| a.iter().map(|e| self.element_of(e)).collect()).unwrap_or_else(|| Ok(Vec::new()))
    }

    /// Wait until an element matching `css` exists.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element<'_>> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css) {
                Ok(e) => return Ok(e),
                Err(Error::WebDriver { error, .. }) if error == "no such element" => {}
                Err(e) => return Err(e),
            }
            if Instant::now() > deadline {
                return Err(Error::Timeout { what: format!("element {css}"), url: self.url()? });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait until the current URL satisfies `pred`.
    pub fn wait_url(&self, what: &str, pred: impl Fn(&str) -> bool, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let u = self.url()?;
            if pred(&u) {
                return Ok(u);
            }
            if Instant::now() > deadline {
                return Err(Error::Timeout { what: what.to_owned(), url: u });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clear the field matching `css` and type `text` into it.
    pub fn fill(&self, css: &str, text: &str) -> Result<()> {
        let e = self.find(css)?;
        e.clear()?;
        e.send_keys(text)
    }

    /// Click the element matching `css`.
    pub fn click(&self, css: &str) -> Result<()> {
        self.find(css)?.click()
    }

    /// The visible text of the element matching `css`.
    pub fn text(&self, css: &str) -> Result<String> {
        self.find(css)?.text()
    }

    /// Choose the option with `value` in the `<select>` matching `css`.
    pub fn select(&self, css: &str, value: &str) -> Result<()> {
        self.find(&format!("{css} option[value=\"{value}\"]"))?.click()
    }

    /// Tick or untick the checkbox matching `css`.
    pub fn set_checked(&self, css: &str, checked: bool) -> Result<()> {
        let e = self.find(css)?;
        if e.is_selected()? != checked {
            e.click()?;
        }
        Ok(())
    }

    /// Run `script` (a function body; arguments in `arguments`) and return its result.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": args })))
    }

    /// Run `script`, which calls `arguments[arguments.length - 1](result)` when done.
    pub fn execute_async(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.cmd("POST", "/execute/async", Some(json!({ "script": script, "args": args })))
    }

    /// Write a full-page PNG screenshot to `<screenshots>/<name>.png` and return its path.
    pub fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let size = self.execute(
            "var d = document.documentElement; return [Math.max(d.scrollWidth, d.clientWidth), Math.max(d.scrollHeight, d.clientHeight)];",
            vec![],
        )?;
        let (w, h) = (size[0].as_f64().unwrap_or(1280.0), size[1].as_f64().unwrap_or(1800.0));
        let cdp = self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": "Page.captureScreenshot", "params": {
                "format": "png", "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": w, "height": h, "scale": 1 },
            }})),
        );
        let data = match cdp {
            Ok(v) if v["data"].is_string() => v["data"].as_str().unwrap_or("").to_owned(),
            _ => self.cmd("GET", "/screenshot", None)?.as_str().unwrap_or("").to_owned(),
        };
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_bytes())
            .map_err(|e| Error::Protocol(format!("screenshot is not base64: {e}")))?;
        if !png.starts_with(b"\x89PNG") {
            return Err(Error::Protocol("screenshot is not a PNG".into()));
        }
        let path = self.screenshots.join(format!("{}.png", sanitize(name)));
        fs::write(&path, png)?;
        Ok(path)
    }

    /// Every axe-core violation on the current page (axe is injected when the page lacks it).
    /// The full result is written to `<screenshots>/<name>.axe.json`.
    pub fn axe(&self, page: &str) -> Result<Vec<Violation>> {
        let loaded = self.execute("return typeof window.axe === 'object';", vec![])?;
        if loaded != json!(true) {
            self.execute(&format!("{}\n;return typeof window.axe;", self.axe_source), vec![])?;
        }
        let out = self.execute_async(
            "var done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
               done(JSON.stringify({ url: r.url, violations: r.violations.map(function (v) {
                 return { id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
                   nodes: v.nodes.map(function (n) { return { target: n.target.join(' '), html: n.html, summary: n.failureSummary || '' }; }) };
               }), passes: r.passes.length }));
             }, function (e) { done(JSON.stringify({ error: String(e) })); });",
            vec![],
        )?;
        let text = out.as_str().ok_or_else(|| Error::Protocol(format!("axe returned {out}")))?;
        let v: Value = serde_json::from_str(text)?;
        if let Some(e) = v.get("error") {
            return Err(Error::Protocol(format!("axe.run failed on {page}: {e}")));
        }
        fs::write(
            self.screenshots.join(format!("{}.axe.json", sanitize(page))),
            serde_json::to_string_pretty(&v)?,
        )?;
        let violations = v["violations"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| Violation {
                        id: x["id"].as_str().unwrap_or("").to_owned(),
                        impact: x["impact"].as_str().unwrap_or("").to_owned(),
                        help: x["help"].as_str().unwrap_or("").to_owned(),
                        nodes: x["nodes"]
                            .as_array()
                            .map(|n| {
                                n.iter()
                                    .map(|n| {
                                        (
                                            n["target"].as_str().unwrap_or("").to_owned(),
                                            n["html"].as_str().unwrap_or("").to_owned(),
                                        )
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(violations)
    }

    /// Run axe-core on the current page; print every violation, and fail on any serious or
    /// critical one. Returns the number of (minor or moderate) violations that remain.
    pub fn axe_check(&self, page: &str) -> Result<usize> {
        let all = self.axe(page)?;
        let blocking: Vec<&Violation> = all.iter().filter(|v| v.is_blocking()).collect();
        eprintln!("axe [{page}]: {} violation(s), {} serious or critical", all.len(), blocking.len());
        for v in &all {
            eprint!("{v}");
        }
        if blocking.is_empty() {
            Ok(all.len())
        } else {
            Err(Error::Axe {
                page: page.to_owned(),
                count: blocking.len(),
                details: blocking.iter().map(|v| v.to_string()).collect(),
            })
        }
    }

    /// Log in through the real pages: user name and password on `/inloggen`, then the current
    /// TOTP code of `totp_secret` on `/inloggen/code`. Ends on the start page `base/`.
    pub fn login(&self, base: &str, user: &str, password: &str, totp_secret: &str) -> Result<()> {
        let fail = |reason: String| Error::Login { user: user.to_owned(), reason };
        self.goto(&format!("{base}/inloggen"))?;
        self.fill("#gebruikersnaam", user)?;
        self.fill("#wachtwoord", password)?;
        self.click("form[action='/inloggen'] button[type=submit]")?;
        let code_url = format!("{base}/inloggen/code");
        let home = format!("{base}/");
        let at = self
            .wait_url(
                "the second-factor or start page",
                |u| u == code_url || u == home,
                Duration::from_secs(20),
            )
            .map_err(|e| fail(format!("{e}: {}", self.text("main").unwrap_or_default())))?;
        if at == code_url {
            // A code is accepted once per 30-second step: a second login in the same step waits.
            let code = schoolscan_auth::totp::code_at(totp_secret, time::OffsetDateTime::now_utc())
                .map_err(|e| Error::Totp(e.to_string()))?;
            self.fill("#code", &code)?;
            self.click("form[action='/inloggen/code'] button[type=submit]")?;
            self.wait_url("the start page", |u| u == home, Duration::from_secs(20))
                .map_err(|e| fail(format!("{e}: {}", self.text("main").unwrap_or_default())))?;
        }
        Ok(())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.raw("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An element of the current page.
pub struct Element<'a> {
    b: &'a Browser,
    id: String,
}

impl Element<'_> {
    fn path(&self, rest: &str) -> String {
        format!("/element/{}{rest}", self.id)
    }
    pub fn click(&self) -> Result<()> {
        self.b.cmd("POST", &self.path("/click"), None).map(|_| ())
    }
    pub fn clear(&self) -> Result<()> {
        self.b.cmd("POST", &self.path("/clear"), None).map(|_| ())
    }
    pub fn send_keys(&self, text: &str) -> Result<()> {
        self.b.cmd("POST", &self.path("/value"), Some(json!({ "text": text }))).map(|_| ())
    }
    pub fn text(&self) -> Result<String> {
        Ok(self.b.cmd("GET", &self.path("/text"), None)?.as_str().unwrap_or("").to_owned())
    }
    /// An HTML attribute, `None` when absent.
    pub fn attr(&self, name: &str) -> Result<Option<String>> {
        Ok(self.b.cmd("GET", &self.path(&format!("/attribute/{name}")), None)?.as_str().map(str::to_owned))
    }
    /// A DOM property (`value`, `checked`).
    pub fn prop(&self, name: &str) -> Result<Value> {
        self.b.cmd("GET", &self.path(&format!("/property/{name}")), None)
    }
    pub fn is_selected(&self) -> Result<bool> {
        Ok(self.b.cmd("GET", &self.path("/selected"), None)?.as_bool().unwrap_or(false))
    }
    /// The first descendant matching `css`.
    pub fn find(&self, css: &str) -> Result<Element<'_>> {
        let v = self.b.cmd(
            "POST",
            &self.path("/element"),
            Some(json!({ "using": "css selector", "value": css })),
        )?;
        self.b.element_of(&v)
    }
}

fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// `<workspace>/target/e2e-screenshots` for a test whose `CARGO_TARGET_TMPDIR` is given
/// (`env!("CARGO_TARGET_TMPDIR")` is `<target>/tmp`).
pub fn screenshot_dir(cargo_target_tmpdir: &str) -> PathBuf {
    let tmp = Path::new(cargo_target_tmpdir);
    tmp.parent().unwrap_or(tmp).join("e2e-screenshots")
}
