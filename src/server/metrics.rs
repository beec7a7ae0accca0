//! What `/metrics` reports, in the Prometheus text format: requests by route and status,
//! a latency histogram per route, the ledger's size and the subscribers following it.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Counters kept while serving.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// (route, status) -> requests.
    requests: BTreeMap<(String, u16), u64>,
    /// route -> latency histogram.
    latency: BTreeMap<String, Histogram>,
}

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    /// Counts one request to `route` that ended with `status` after `took`.
    pub fn record(&self, route: &str, status: u16, took: Duration) {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *inner
            .requests
            .entry((route.to_string(), status))
            .or_default() += 1;
        let h = inner.latency.entry(route.to_string()).or_default();
        let secs = took.as_secs_f64();
        for (count, bound) in h.counts.iter_mut().zip(BUCKETS) {
            if secs <= bound {
                *count += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// The exposition text, with the ledger's `size`, the `subscribers` following it, and
    /// the request log's dropped lines.
    pub fn render(&self, size: u64, subscribers: usize, log_dropped: u64) -> String {
        let inner = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "# HELP pactlog_requests_total HTTP requests served, by route and status."
        );
        let _ = writeln!(out, "# TYPE pactlog_requests_total counter");
        for ((route, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "pactlog_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP pactlog_request_duration_seconds Time to answer a request, by route."
        );
        let _ = writeln!(out, "# TYPE pactlog_request_duration_seconds histogram");
        for (route, h) in &inner.latency {
            for (count, bound) in h.counts.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "pactlog_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "pactlog_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "pactlog_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "pactlog_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP pactlog_ledger_records Records in the ledger as readers see it."
        );
        let _ = writeln!(out, "# TYPE pactlog_ledger_records gauge");
        let _ = writeln!(out, "pactlog_ledger_records {size}");
        let _ = writeln!(
            out,
            "# HELP pactlog_subscribers Clients following /api/records."
        );
        let _ = writeln!(out, "# TYPE pactlog_subscribers gauge");
        let _ = writeln!(out, "pactlog_subscribers {subscribers}");
        let _ = writeln!(
            out,
            "# HELP pactlog_log_lines_dropped_total Request log lines dropped because stderr was not read fast enough."
        );
        let _ = writeln!(out, "# TYPE pactlog_log_lines_dropped_total counter");
        let _ = writeln!(out, "pactlog_log_lines_dropped_total {log_dropped}");
        out
    }
}
