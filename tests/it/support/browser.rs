//! A minimal WebDriver client (the W3C protocol, JSON over HTTP through ureq) for the
//! browser tests: it starts `chromedriver` on a free loopback port, opens a headless
//! Chromium with a fresh profile, and speaks the few commands the tests need
//! (navigate, find, click, read, run a script, read the browser's console, screenshot).
//! Every wait is bounded.
//!
//! Where Chromium or chromedriver is missing, [`Browser::start`] says why; tests then
//! skip, except under `CI=true`, where a missing browser fails them ([`skip_or_fail`]).

use serde_json::{Value, json};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The longest the driver may take to start, and any one command to answer.
const PATIENCE: Duration = Duration::from_secs(60);
/// The W3C name of an element reference in answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Whether a missing browser must fail the run (`CI=true`) rather than skip.
pub fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Says that the test `what` cannot run and why: a skip (printed) outside CI, a failure
/// under `CI=true`.
pub fn skip_or_fail(what: &str, why: &str) {
    assert!(
        !required(),
        "{what}: {why} (CI=true: the browser tests must run; .ci/run installs chromium, \
         chromium-driver and axe-core)"
    );
    eprintln!("skipping {what}: {why}");
}

/// The Chromium binary: `PACTLOG_CHROMIUM`, else Debian's `/usr/bin/chromium`.
fn chromium() -> PathBuf {
    std::env::var_os("PACTLOG_CHROMIUM").map_or_else(|| "/usr/bin/chromium".into(), PathBuf::from)
}

/// The chromedriver binary: `PACTLOG_CHROMEDRIVER`, else the first `chromedriver` on
/// `PATH` or Debian's `/usr/bin/chromedriver`.
fn chromedriver() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PACTLOG_CHROMEDRIVER") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("chromedriver"))
        .chain(std::iter::once(PathBuf::from("/usr/bin/chromedriver")))
        .find(|p| p.is_file())
}

/// A running chromedriver driving one headless Chromium, both ended on drop.
pub struct Browser {
    driver: Child,
    base: String,
    browser_id: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

/// An element of the current page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Browser {
    /// Starts chromedriver and a browser whose window is `width` x `height`.
    ///
    /// # Errors
    /// Why no browser could be started (a missing binary, a driver that did not come up).
    pub fn start(width: u32, height: u32) -> Result<Browser, String> {
        let bin = chromium();
        if !bin.is_file() {
            return Err(format!("no Chromium at {}", bin.display()));
        }
        let driver_bin = chromedriver().ok_or("no chromedriver on PATH or in /usr/bin")?;
        let port = free_port()?;
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", driver_bin.display()))?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(PATIENCE))
            .build()
            .into();
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut browser = Browser {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            browser_id: String::new(),
            agent,
            _profile: profile,
        };
        browser.wait_ready()?;
        browser.browser_id = browser.open_browser(&bin, width, height)?;
        browser.set_window(width, height)?;
        Ok(browser)
    }

    /// Polls the driver's `/status` until it says it is ready.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.driver.try_wait() {
                return Err(format!("chromedriver exited at once ({status})"));
            }
            if let Ok(v) = self.call("GET", "/status", None)
                && v["ready"] == true
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("chromedriver was not ready within {PATIENCE:?}"))
    }

    fn open_browser(&self, bin: &Path, width: u32, height: u32) -> Result<String, String> {
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            // Containers give /dev/shm little room; Chromium then crashes tabs.
            "--disable-dev-shm-usage".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", self._profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": 30_000, "script": 30_000, "implicit": 0},
            "goog:chromeOptions": {"binary": bin.display().to_string(), "args": args},
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let v = self.call("POST", "/session", Some(caps))?;
        v["sessionId"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no WebDriver id in {v}"))
    }

    /// One WebDriver command: its `value`, or the driver's error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let answer = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(body.unwrap_or(json!({})).to_string()),
        };
        let mut answer = answer.map_err(|e| format!("{method} {path}: {e}"))?;
        let ok = answer.status().is_success();
        let text = answer
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| format!("{method} {path}: {e}: {text}"))?;
        if ok {
            Ok(v["value"].clone())
        } else {
            Err(format!("{method} {path}: {}", v["value"]))
        }
    }

    /// A command to this browser, which must succeed.
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.browser_id);
        self.call(method, &path, body)
            .unwrap_or_else(|e| panic!("WebDriver: {e}"))
    }

    /// Sets the window's outer size.
    pub fn set_window(&self, width: u32, height: u32) -> Result<(), String> {
        let path = format!("/session/{}/window/rect", self.browser_id);
        self.call(
            "POST",
            &path,
            Some(json!({"width": width, "height": height})),
        )
        .map(|_| ())
    }

    /// Makes the page's viewport `width` x `height` CSS pixels (a phone's when `mobile`),
    /// through Chromium's device emulation (window sizes have a minimum; this does not).
    pub fn viewport(&self, width: u32, height: u32, mobile: bool) {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(
                json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": {
                    "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile
                }}),
            ),
        );
    }

    /// Opens `url` and waits for it to load.
    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    /// The current page's URL.
    pub fn url(&self) -> String {
        self.cmd("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Waits (bounded) until the URL satisfies `done`; returns it.
    pub fn wait_url(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let url = self.url();
            if done(&url) {
                return url;
            }
            assert!(
                Instant::now() < deadline,
                "waited {PATIENCE:?} for {what}; the URL is {url}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every element matching the CSS `selector`.
    pub fn all(&self, selector: &str) -> Vec<Element> {
        let v = self.cmd(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": selector})),
        );
        let found: Vec<Element> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_string())))
            .collect();
        found
    }

    /// The one element matching `selector`.
    pub fn one(&self, selector: &str) -> Element {
        let mut found = self.all(selector);
        assert_eq!(found.len(), 1, "elements matching {selector:?}");
        found.remove(0)
    }

    /// Clicks `e` as a pointer would (at its centre).
    pub fn click(&self, e: &Element) {
        self.cmd("POST", &format!("/element/{}/click", e.0), Some(json!({})));
    }

    /// The rendered text of `e`.
    pub fn text(&self, e: &Element) -> String {
        self.cmd("GET", &format!("/element/{}/text", e.0), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Runs `script` (a function body; `arguments` holds `args`, elements as
    /// [`Browser::arg`]) and returns what it returns; a returned promise is awaited.
    pub fn run(&self, script: &str, args: Vec<Value>) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// `e` as a script argument.
    pub fn arg(e: &Element) -> Value {
        json!({ ELEMENT: e.0 })
    }

    /// The browser console's entries since the last call: (level, message).
    pub fn console(&self) -> Vec<(String, String)> {
        let v = self.cmd("POST", "/se/log", Some(json!({"type": "browser"})));
        v.as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["level"].as_str().unwrap_or_default().to_string(),
                    e["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// A PNG of the viewport, written to `path`.
    pub fn screenshot(&self, path: &Path) {
        use base64::Engine;
        let v = self.cmd("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("the screenshot is base64");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create the screenshot folder");
        }
        std::fs::write(path, png).expect("write the screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.browser_id.is_empty() {
            let _ = self.call("DELETE", &format!("/session/{}", self.browser_id), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A loopback port nothing listens on now.
fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}
