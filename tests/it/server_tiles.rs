//! The C2SP tlog-tiles read API of `pactlog serve`, read by code nobody here wrote: the
//! `signed_note` crate verifies `/checkpoint`, and the `tlog_tiles` crate (a port of Go's
//! `sumdb/tlog`) authenticates the tiles it fetches over HTTP against the checkpoint's
//! root and proves every record's inclusion from them, each record read from its entry
//! bundle.

use crate::support::audit::{keygen, their_verifiers};
use crate::support::server::Server;
use crate::support::{TempStore, events_dir};
use tlog_tiles::{Checkpoint, Hash, Tile, TileHashReader, TileReader};

/// Tiles fetched from the server, as `tlog_tiles` asks for them.
struct HttpTiles<'a>(&'a Server);

impl TileReader for HttpTiles<'_> {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                // tlog_tiles names tiles as Go's sumdb does, with the height after
                // `tile/`; C2SP tlog-tiles, which pactlog serves, leaves it out.
                let path = t.path().replacen("tile/8/", "tile/", 1);
                let a = self.0.get(&format!("/{path}"));
                (a.status == 200)
                    .then_some(a.body)
                    .ok_or(tlog_tiles::Error::InvalidTile)
            })
            .collect()
    }

    fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
}

/// The entries of a bundle: each a big-endian u16 length, then the bytes.
fn entries(mut bundle: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while bundle.len() >= 2 {
        let len = u16::from_be_bytes([bundle[0], bundle[1]]) as usize;
        out.push(bundle[2..2 + len].to_vec());
        bundle = &bundle[2 + len..];
    }
    assert!(bundle.is_empty(), "a bundle is whole entries");
    out
}

/// The `N` of a tile path: groups of three digits, all but the last after an `x`.
fn index_path(n: u64) -> String {
    let mut s = format!("{:03}", n % 1000);
    let mut n = n / 1000;
    while n > 0 {
        s = format!("x{:03}/{s}", n % 1000);
        n /= 1000;
    }
    s
}

#[test]
fn a_client_nobody_here_wrote_verifies_every_record_from_the_tile_endpoints_alone() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let keys = keygen(store.dir.path(), "log.key");
    let server = Server::start(&store.path, &["--key-file", keys.skey.to_str().unwrap()]);
    let note = server.get("/checkpoint");
    assert_eq!(note.status, 200);
    assert_eq!(
        note.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(note.header("cache-control"), Some("no-cache"));
    let parsed = signed_note::Note::from_bytes(&note.body).expect("a signed note");
    let (verified, _) = parsed
        .verify(&their_verifiers(&[&keys.vkey]))
        .expect("signed by the log's key");
    assert_eq!(verified.len(), 1);
    let checkpoint = Checkpoint::from_bytes(parsed.text()).expect("a checkpoint");
    let (size, root): (u64, Hash) = (checkpoint.size(), *checkpoint.hash());
    assert_eq!(
        size,
        server.get("/api/head").json()["ledger_size"]
            .as_u64()
            .unwrap()
    );
    let tiles = HttpTiles(&server);
    let hashes = TileHashReader::new(size, root, &tiles);
    assert_eq!(
        tlog_tiles::tree_hash(size, &hashes).expect("tiles authenticate"),
        root
    );
    let width = (size % 256) as u16;
    let bundle_path = if size >= 256 {
        format!("/tile/entries/{}", index_path(0))
    } else {
        format!("/tile/entries/{}.p/{width}", index_path(0))
    };
    let bundle = server.get(&bundle_path);
    assert_eq!(bundle.status, 200, "{bundle_path}");
    assert_eq!(
        bundle.header("content-type"),
        Some("application/octet-stream")
    );
    assert!(
        bundle
            .header("cache-control")
            .unwrap()
            .contains("immutable")
    );
    let records = entries(&bundle.body);
    assert_eq!(records.len() as u64, size.min(256));
    for (i, bytes) in records.iter().enumerate() {
        let proof =
            tlog_tiles::prove_record(size, i as u64, &hashes).expect("a proof from the tiles");
        tlog_tiles::check_record(&proof, size, root, i as u64, tlog_tiles::record_hash(bytes))
            .unwrap_or_else(|e| panic!("record {i} is not in the checkpoint's tree: {e:?}"));
    }
    for bad in [
        "/tile/0/000.p/0",
        "/tile/0/0000",
        "/tile/0/../../checkpoint",
        "/tile/0/x000/001",
        "/tile/entries/000.p/300",
        "/tile/64/000",
        &format!("/tile/0/000.p/{}", width + 1),
    ] {
        assert_eq!(server.get(bad).status, 404, "{bad}");
    }
    server.stop();
}

#[test]
fn the_checkpoint_is_signed_again_when_an_import_grows_the_ledger() {
    let store = TempStore::new();
    store.import(&[&events_dir()]);
    let keys = keygen(store.dir.path(), "log.key");
    let token = store.dir.path().join("token");
    std::fs::write(&token, "a-test-token-of-enough-length").unwrap();
    let server = Server::start(
        &store.path,
        &[
            "--key-file",
            keys.skey.to_str().unwrap(),
            "--token-file",
            token.to_str().unwrap(),
        ],
    );
    let size_of = |s: &Server| {
        let note = s.get("/checkpoint").body;
        let parsed = signed_note::Note::from_bytes(&note).unwrap();
        Checkpoint::from_bytes(parsed.text()).unwrap().size()
    };
    let before = size_of(&server);
    let event = "[[event]]\nid = \"2026-12-02-more\"\ndate = \"2026-12-02\"\nkind = \"announcement\"\n\
                 summary = \"More.\"\nconfidence = \"confirmed\"\nparties = [\"openai\"]\n\n\
                 [[event.source]]\nurl = \"https://example.com/more\"\n";
    let a = server.post(
        "/api/import?name=more.toml",
        "application/toml",
        &[("authorization", "Bearer a-test-token-of-enough-length")],
        event.as_bytes(),
    );
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(size_of(&server), before + 1);
    server.stop();
}
