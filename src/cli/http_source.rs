//! A published log over HTTP(S): a static host of a `pactlog publish` folder, or a
//! running `pactlog serve` (which answers the same paths), read with a blocking client,
//! bounded in time and in the bytes of each answer.

use pactlog::publish::TileSource;
use std::time::Duration;

/// The longest one resource may take, from connecting to its last byte.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The longest a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Redirects followed (a host may move `http` to `https`, or to a CDN).
const MAX_REDIRECTS: u32 = 3;

/// The log whose prefix is `base` (`https://example.com/log`).
pub struct HttpSource {
    base: String,
    agent: ureq::Agent,
}

impl HttpSource {
    pub fn new(url: &str) -> HttpSource {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .max_redirects(MAX_REDIRECTS)
            .build()
            .into();
        HttpSource {
            base: url.trim_end_matches('/').to_string(),
            agent,
        }
    }
}

impl TileSource for HttpSource {
    fn fetch(&mut self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
        let url = format!("{}/{path}", self.base);
        let mut answer = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| format!("cannot fetch {url}: {e}"))?;
        match answer.status().as_u16() {
            200 => {}
            404 | 410 => return Ok(None),
            status => return Err(format!("{url} answered HTTP {status}")),
        }
        answer
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map(Some)
            .map_err(|e| format!("cannot read {url} (at most {limit} bytes): {e}"))
    }

    fn describe(&self) -> String {
        self.base.clone()
    }
}
