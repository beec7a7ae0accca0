//! The API's description: `/api/openapi.json` parses as OpenAPI 3 (by the `openapiv3`
//! crate), names every route the server mounts and nothing else, and every documented
//! operation answers its documented success when asked with its examples.

use crate::support::server::Server;
use crate::support::{TempStore, events_dir, repo_path};
use openapiv3::{OpenAPI, Parameter, ReferenceOr};

const TOKEN: &str = "a-test-token-of-enough-length";

/// The routes `src/server/mod.rs` mounts (`.route("PATH", ...)`).
fn mounted() -> Vec<String> {
    let source = std::fs::read_to_string(repo_path("src/server/mod.rs")).unwrap();
    let mut routes: Vec<String> = source
        .split(".route(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        // A wildcard segment, `{*path}`, is documented as `{path}`.
        .map(|r| r.replace("{*", "{"))
        .collect();
    routes.sort();
    routes.dedup();
    routes
}

/// The example URL of an operation: path parameters filled in, every query parameter
/// with an example given.
fn example_url(path: &str, parameters: &[ReferenceOr<Parameter>]) -> String {
    let mut url = path.to_string();
    let mut query = Vec::new();
    for p in parameters {
        let ReferenceOr::Item(p) = p else {
            panic!("{path}: parameters are written out, not referenced");
        };
        let (data, is_path) = match p {
            Parameter::Path { parameter_data, .. } => (parameter_data, true),
            Parameter::Query { parameter_data, .. } => (parameter_data, false),
            _ => continue,
        };
        let example = data
            .example
            .as_ref()
            .and_then(|e| e.as_str())
            .unwrap_or_else(|| panic!("{path}: parameter {} has no example", data.name))
            .to_string();
        if is_path {
            url = url.replace(&format!("{{{}}}", data.name), &example);
        } else if data.name != "format" && data.name != "party" {
            query.push(format!("{}={example}", data.name));
        }
    }
    if query.is_empty() {
        url
    } else {
        format!("{url}?{}", query.join("&"))
    }
}

#[test]
fn the_openapi_document_describes_every_route_and_each_answers_as_documented() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let keys = crate::support::audit::keygen(store.dir.path(), "log.key");
    let token = store.dir.path().join("token");
    std::fs::write(&token, TOKEN).unwrap();
    // A witness of this log, and the request that asks it to cosign the log's checkpoint.
    let witness = crate::support::audit::keygen_named(store.dir.path(), "w.key", "w.example/w");
    let wstate = store.dir.path().join("wstate");
    let out = crate::support::audit::run(
        &store,
        &[
            "witness",
            "add-log",
            "--state",
            wstate.to_str().unwrap(),
            "--key",
            &keys.vkey,
        ],
    );
    crate::support::assert_code(&out, 0, "witness add-log");
    crate::support::audit::checkpoint(&store, &keys, "cp.txt");
    let out = crate::support::audit::run(&store, &["witness", "request", "--old", "0"]);
    crate::support::assert_code(&out, 0, "witness request");
    let add_checkpoint = out.stdout;
    let server = Server::start(
        &store.path,
        &[
            "--token-file",
            token.to_str().unwrap(),
            "--key-file",
            keys.skey.to_str().unwrap(),
            "--witness-key-file",
            witness.skey.to_str().unwrap(),
            "--witness-state",
            wstate.to_str().unwrap(),
        ],
    );
    let served = server.get("/api/openapi.json");
    assert_eq!(served.header("content-type"), Some("application/json"));
    let doc: OpenAPI =
        serde_json::from_slice(&served.body).expect("OpenAPI 3 that openapiv3 reads");
    assert!(doc.openapi.starts_with("3."));
    let mut documented: Vec<String> = doc.paths.paths.keys().cloned().collect();
    documented.sort();
    assert_eq!(documented, mounted(), "documented routes = mounted routes");
    for (path, item) in &doc.paths.paths {
        let ReferenceOr::Item(item) = item else {
            panic!("{path}")
        };
        if let Some(op) = &item.get {
            assert!(
                op.responses
                    .responses
                    .contains_key(&openapiv3::StatusCode::Code(200)),
                "{path}"
            );
            let url = example_url(path, &op.parameters);
            if path == "/api/records" {
                // A stream: its status line is enough.
                let raw = format!("GET {url} HTTP/1.1\r\nHost: x\r\n\r\n");
                let answer = server.raw(raw.as_bytes(), std::time::Duration::from_secs(2));
                assert!(answer.starts_with(b"HTTP/1.1 200"), "{url}");
                continue;
            }
            let a = server.get(&url);
            assert_eq!(a.status, 200, "GET {url}: {}", a.text());
        }
        if let Some(op) = &item.post {
            let url = example_url(path, &op.parameters);
            if path == "/add-checkpoint" {
                let a = server.post(&url, "text/plain", &[], &add_checkpoint);
                assert_eq!(a.status, 200, "POST {url}: {}", a.text());
                assert!(
                    a.text().starts_with("\u{2014} w.example/w "),
                    "{}",
                    a.text()
                );
                continue;
            }
            let body = "[[event]]\nid = \"2026-12-01-example\"\ndate = \"2026-12-01\"\n\
                        kind = \"announcement\"\nsummary = \"An example.\"\nconfidence = \"confirmed\"\n\
                        parties = [\"openai\"]\n\n[[event.source]]\nurl = \"https://example.com/x\"\n";
            let a = server.post(
                &url,
                "application/toml",
                &[("authorization", &format!("Bearer {TOKEN}"))],
                body.as_bytes(),
            );
            assert_eq!(a.status, 200, "POST {url}: {}", a.text());
        }
    }
    server.stop();
}
