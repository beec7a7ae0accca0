//! Known-answer tests of the Merkle tree: every transparency-dev RFC 6962 vector in
//! `fixtures/rfc6962` (each must verify or be rejected as its `wantErr` says), the
//! roots of the RFC 6962 test leaves, proofs regenerated from tiles byte-for-byte, and a
//! cross-check of tiles, roots and proofs against the independent `tlog_tiles` crate (a port
//! of Go's `sumdb/tlog`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pactlog::merkle::{
    Hash, MemoryTiles, TileKey, TileReader, append_leaves, consistency_proof, inclusion_proof,
    leaf_hash, root_of, tree_root,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rfc6962")
}

/// Every `.json` file under `dir`, sorted, grouped by the folder directly under `dir`.
fn json_files(dir: &Path) -> Result<BTreeMap<String, Vec<PathBuf>>, std::io::Error> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), std::io::Error> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    let mut groups: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for file in files {
        let group = file
            .strip_prefix(dir)
            .ok()
            .and_then(|rel| rel.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        groups.entry(group).or_default().push(file);
    }
    Ok(groups)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InclusionVector {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConsistencyVector {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

/// A trusted root from a vector. The Go verifier compares roots as opaque byte strings, and
/// some vectors use roots that are not 32 bytes ("don't care" placeholders, empty strings).
/// Our typed `Hash` cannot hold those, so: `Hash::from_base64` must reject them (checked
/// here), and for the verifier they stand in as a hash no real tree has, which keeps
/// equality between them as it was (two equal placeholders stay equal, a placeholder never
/// equals a real root).
fn trusted_root(text: &str) -> Result<Hash, String> {
    if let Ok(root) = Hash::from_base64(text) {
        return Ok(root);
    }
    let raw = STANDARD
        .decode(text)
        .map_err(|e| format!("root {text:?} is not base64: {e}"))?;
    assert_ne!(raw.len(), 32, "a 32-byte root must parse");
    let mut h = Sha256::new();
    h.update(b"pactlog test: vector root that is not 32 bytes:");
    h.update(&raw);
    Ok(Hash::from_bytes(h.finalize().into()))
}

/// Leaf hashes and proof hashes are parsed strictly: one that is not 32 bytes of base64 is
/// a rejected proof.
fn strict_hashes(texts: &[String]) -> Result<Vec<Hash>, String> {
    texts
        .iter()
        .map(|t| Hash::from_base64(t).map_err(|e| format!("proof hash {t:?}: {e}")))
        .collect()
}

fn check_inclusion(v: &InclusionVector) -> Result<(), String> {
    let leaf = Hash::from_base64(&v.leaf_hash).map_err(|e| format!("leaf: {e}"))?;
    let proof = strict_hashes(v.proof.as_deref().unwrap_or_default())?;
    trusted_root(&v.root)?
        .verify_inclusion(&leaf, v.leaf_idx, v.tree_size, &proof)
        .map_err(|e| e.to_string())
}

fn check_consistency(v: &ConsistencyVector) -> Result<(), String> {
    let proof = strict_hashes(v.proof.as_deref().unwrap_or_default())?;
    let old_root = trusted_root(&v.root1)?;
    trusted_root(&v.root2)?
        .verify_consistency(v.size2, &old_root, v.size1, &proof)
        .map_err(|e| e.to_string())
}

/// Runs `check` over every vector file in `kind`, asserting the outcome each file wants.
/// Returns (files, files that must verify).
fn run_vectors<V: for<'de> Deserialize<'de>>(
    kind: &str,
    want_err: impl Fn(&V) -> bool,
    desc: impl Fn(&V) -> &str,
    check: impl Fn(&V) -> Result<(), String>,
) -> Result<(usize, usize), Box<dyn std::error::Error>> {
    let groups = json_files(&vectors_dir().join(kind))?;
    assert!(!groups.is_empty(), "no vector folders under {kind}");
    let (mut total, mut valid) = (0, 0);
    for (group, files) in &groups {
        assert!(!files.is_empty(), "{kind}/{group} holds no vectors");
        for file in files {
            let text = std::fs::read_to_string(file)?;
            let vector: V =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            let outcome = check(&vector);
            if want_err(&vector) {
                assert!(
                    outcome.is_err(),
                    "{} ({}) must be rejected but verified",
                    file.display(),
                    desc(&vector)
                );
            } else {
                valid += 1;
                if let Err(e) = outcome {
                    panic!("{} ({}) must verify: {e}", file.display(), desc(&vector));
                }
            }
            total += 1;
        }
    }
    Ok((total, valid))
}

#[test]
fn inclusion_vectors() -> TestResult {
    let (total, valid) =
        run_vectors::<InclusionVector>("inclusion", |v| v.want_err, |v| &v.desc, check_inclusion)?;
    assert!(total > 0 && valid > 0, "{total} files, {valid} valid");
    eprintln!("inclusion: {total} vectors, {valid} must verify");
    Ok(())
}

#[test]
fn consistency_vectors() -> TestResult {
    let (total, valid) = run_vectors::<ConsistencyVector>(
        "consistency",
        |v| v.want_err,
        |v| &v.desc,
        check_consistency,
    )?;
    assert!(total > 0 && valid > 0, "{total} files, {valid} valid");
    eprintln!("consistency: {total} vectors, {valid} must verify");
    Ok(())
}

#[test]
fn placeholder_roots_are_not_hashes() {
    // The vectors' placeholders ("don't care 1", "") are refused by the typed parser.
    for text in ["ZG9uJ3QgY2FyZSAx", "ZG9uJ3QgY2FyZSAy", ""] {
        assert!(Hash::from_base64(text).is_err(), "{text:?}");
    }
}

/// The leaves of the RFC 6962 test tree used by the transparency-dev vectors.
fn rfc6962_leaves() -> Vec<Hash> {
    let data: [&[u8]; 8] = [
        b"",
        &[0x00],
        &[0x10],
        &[0x20, 0x21],
        &[0x30, 0x31],
        &[0x40, 0x41, 0x42, 0x43],
        &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        &[
            0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
            0x6e, 0x6f,
        ],
    ];
    data.iter().map(|d| leaf_hash(d)).collect()
}

fn hex_hash(hex: &str) -> Result<Hash, Box<dyn std::error::Error>> {
    let mut bytes = [0u8; 32];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2).ok_or("short hex")?, 16)?;
    }
    Ok(Hash::from_bytes(bytes))
}

fn rfc6962_tiles() -> Result<MemoryTiles, pactlog::merkle::MerkleError> {
    let mut tiles = MemoryTiles::new();
    // One leaf at a time, so that every size is a stored state once.
    for (size, leaf) in rfc6962_leaves().iter().enumerate() {
        tiles.apply(append_leaves(
            &tiles,
            size as u64,
            std::slice::from_ref(leaf),
        )?);
    }
    Ok(tiles)
}

/// The happy-path vectors' trees, as size -> root.
fn happy_path_roots() -> Result<BTreeMap<u64, Hash>, Box<dyn std::error::Error>> {
    let mut roots = BTreeMap::new();
    for files in json_files(&vectors_dir().join("inclusion"))?.values() {
        for file in files.iter().filter(|f| f.ends_with("happy-path.json")) {
            let v: InclusionVector = serde_json::from_str(&std::fs::read_to_string(file)?)?;
            roots.insert(v.tree_size, Hash::from_base64(&v.root)?);
        }
    }
    for files in json_files(&vectors_dir().join("consistency"))?.values() {
        for file in files.iter().filter(|f| f.ends_with("happy-path.json")) {
            let v: ConsistencyVector = serde_json::from_str(&std::fs::read_to_string(file)?)?;
            roots.insert(v.size1, Hash::from_base64(&v.root1)?);
            roots.insert(v.size2, Hash::from_base64(&v.root2)?);
        }
    }
    Ok(roots)
}

#[test]
fn rfc6962_test_tree_roots() -> TestResult {
    // Roots of the first 1..=8 RFC 6962 test leaves, as published with the Certificate
    // Transparency test data.
    let published = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let leaves = rfc6962_leaves();
    let tiles = rfc6962_tiles()?;
    let from_vectors = happy_path_roots()?;
    assert!(
        from_vectors.len() >= 6,
        "happy paths name only sizes {:?}",
        from_vectors.keys()
    );
    for (size, hex) in (1..=8u64).zip(published) {
        let root = tree_root(&tiles, size)?;
        assert_eq!(root, root_of(&leaves[..size as usize]), "size {size}");
        assert_eq!(root, hex_hash(hex)?, "size {size}");
        if let Some(vector_root) = from_vectors.get(&size) {
            assert_eq!(root, *vector_root, "size {size}");
        }
    }
    Ok(())
}

#[test]
fn happy_path_proofs_are_regenerated_byte_for_byte() -> TestResult {
    let leaves = rfc6962_leaves();
    let tiles = rfc6962_tiles()?;
    let mut regenerated = 0;
    for files in json_files(&vectors_dir().join("inclusion"))?.values() {
        for file in files.iter().filter(|f| f.ends_with("happy-path.json")) {
            let v: InclusionVector = serde_json::from_str(&std::fs::read_to_string(file)?)?;
            if v.tree_size > leaves.len() as u64 {
                continue;
            }
            assert_eq!(
                Hash::from_base64(&v.leaf_hash)?,
                leaves[v.leaf_idx as usize],
                "{}",
                file.display()
            );
            let proof = inclusion_proof(&tiles, v.leaf_idx, v.tree_size)?;
            let want = strict_hashes(v.proof.as_deref().unwrap_or_default())?;
            assert_eq!(proof.hashes, want, "{}", file.display());
            regenerated += 1;
        }
    }
    for files in json_files(&vectors_dir().join("consistency"))?.values() {
        for file in files.iter().filter(|f| f.ends_with("happy-path.json")) {
            let v: ConsistencyVector = serde_json::from_str(&std::fs::read_to_string(file)?)?;
            if v.size2 > leaves.len() as u64 {
                continue;
            }
            let proof = consistency_proof(&tiles, v.size1, v.size2)?;
            let want = strict_hashes(v.proof.as_deref().unwrap_or_default())?;
            assert_eq!(proof.hashes, want, "{}", file.display());
            regenerated += 1;
        }
    }
    assert!(
        regenerated >= 8,
        "only {regenerated} happy paths regenerated"
    );
    Ok(())
}

/// Serves our tiles to `tlog_tiles`, which asks for each tile at the width a tree size
/// implies and authenticates what it reads against the root it is given.
struct TlogAdapter<'a>(&'a MemoryTiles);

impl tlog_tiles::TileReader for TlogAdapter<'_> {
    fn height(&self) -> u8 {
        pactlog::merkle::TILE_HEIGHT
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                let key = TileKey {
                    level: t.level(),
                    index: t.level_index(),
                };
                let bytes = self
                    .0
                    .read_tile(key)
                    .ok()
                    .flatten()
                    .ok_or(tlog_tiles::Error::InvalidTile)?;
                let want = t.width() as usize * 32;
                bytes
                    .get(..want)
                    .map(<[u8]>::to_vec)
                    .ok_or(tlog_tiles::Error::InvalidTile)
            })
            .collect()
    }

    fn save_tiles(&self, _tiles: &[tlog_tiles::Tile], _data: &[Vec<u8>]) {}
}

fn tlog_hash(h: &Hash) -> tlog_tiles::Hash {
    tlog_tiles::Hash(*h.as_bytes())
}

#[test]
fn tiles_and_proofs_agree_with_tlog_tiles() -> TestResult {
    let leaves: Vec<Hash> = (0u32..70_000)
        .map(|i| leaf_hash(&i.to_be_bytes()))
        .collect();
    let mut tiles = MemoryTiles::new();
    let mut size = 0u64;
    for chunk in leaves.chunks(999) {
        tiles.apply(append_leaves(&tiles, size, chunk)?);
        size += chunk.len() as u64;
    }
    let adapter = TlogAdapter(&tiles);
    for tree_size in [1u64, 2, 255, 256, 257, 1000, 65_535, 65_536, 65_537, 70_000] {
        let root = tree_root(&tiles, tree_size)?;
        // tlog_tiles recomputes the root from our tiles read at C2SP widths.
        let reader = tlog_tiles::TileHashReader::new(tree_size, tlog_hash(&root), &adapter);
        assert!(
            tlog_tiles::tree_hash(tree_size, &reader)? == tlog_hash(&root),
            "root of {tree_size}"
        );
        for index in [0, tree_size / 3, tree_size - 1] {
            let ours = inclusion_proof(&tiles, index, tree_size)?;
            let theirs = tlog_tiles::prove_record(tree_size, index, &reader)?;
            let ours_as_tlog: Vec<tlog_tiles::Hash> = ours.hashes.iter().map(tlog_hash).collect();
            assert!(ours_as_tlog == theirs, "inclusion {index} in {tree_size}");
            tlog_tiles::check_record(
                &ours_as_tlog,
                tree_size,
                tlog_hash(&root),
                index,
                tlog_hash(&leaves[index as usize]),
            )?;
        }
        for old_size in [1, tree_size / 2, tree_size - 1] {
            if old_size == 0 {
                continue;
            }
            let old_root = tree_root(&tiles, old_size)?;
            let ours = consistency_proof(&tiles, old_size, tree_size)?;
            let theirs = tlog_tiles::prove_tree(tree_size, old_size, &reader)?;
            let ours_as_tlog: Vec<tlog_tiles::Hash> = ours.hashes.iter().map(tlog_hash).collect();
            assert!(
                ours_as_tlog == theirs,
                "consistency {old_size} -> {tree_size}"
            );
            tlog_tiles::check_tree(
                &ours_as_tlog,
                tree_size,
                tlog_hash(&root),
                old_size,
                tlog_hash(&old_root),
            )?;
        }
    }
    Ok(())
}
