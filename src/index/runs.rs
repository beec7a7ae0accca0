//! Sorted runs: how the derived indexes (`ids`, `pairs`) sit in their trees.
//!
//! sled 0.34 charges about the same for every key written, wherever it lands, so an
//! index that writes one key per event halves the speed of an import (DESIGN.md 3; the
//! numbers are in benches/RESULTS.md). Here each append writes its index entries as one
//! immutable *run*: the entries sorted by key and packed into chunks of about 8 KiB under
//! sequential keys, a handful of keys per batch of 1000 events. Runs are merged level by
//! level (a small log-structured merge tree): when a level holds [`FANOUT`] runs they
//! become one run of the next level, so a ledger of n batches keeps at most
//! `(FANOUT - 1) * log_FANOUT(n)` runs and every entry is rewritten once per level.
//!
//! Layout inside one tree:
//! - `0x00 || run (BE u64)` -> the run's header: level, records covered, entry count,
//!   the first key of every chunk, and a Bloom filter over the entries' *probe keys*
//!   (the whole key for `ids`, the relationship for `pairs`; see [`Runs::new`]).
//! - `0x01 || run (BE u64) || chunk (BE u32)` -> entries sorted by key, each
//!   `varint key length || key || varint value length || value`.
//!
//! A run exists once its header does. A new run's chunks and header are written in one
//! atomic batch; a merge writes the merged run's chunks first (invisible without a
//! header), then in one atomic batch its header and the removal of the merged runs'
//! headers, then removes their chunks. A crash at any point leaves every entry in
//! exactly the runs that have headers; chunks without a header are removed by the next
//! writer. When two runs hold the same key, the newer run's value wins (runs are ordered
//! by the records they cover).

use crate::store::{Op, Store, StoreError, Tree};
use std::collections::BTreeMap;

/// Runs per level before they are merged into one run of the next level.
pub const FANOUT: usize = 8;
/// Target size of a chunk.
const CHUNK_BYTES: usize = 8 * 1024;
/// While merging, chunks are written in batches of about this many bytes.
const WRITE_BYTES: usize = 4 << 20;
/// Bloom filter bits per distinct probe key (with [`BLOOM_HASHES`]: about 1% false hits).
const BLOOM_BITS_PER_KEY: u64 = 10;
/// Hash functions of the Bloom filter.
const BLOOM_HASHES: u64 = 7;
/// Version byte of a run header.
const HEADER_VERSION: u8 = 1;

const HEADER_TAG: u8 = 0x00;
const CHUNK_TAG: u8 = 0x01;

/// Errors of the run layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunsError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A header or chunk does not parse.
    #[error("the `{tree}` index is damaged: {why}")]
    Damaged { tree: &'static str, why: String },
}

/// A key and its value in a run.
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// Which part of a key the Bloom filters hash: a prefix of the key such that every
/// range a reader asks for lies within one probe key.
pub type ProbeKey = fn(&[u8]) -> &[u8];

/// The runs of one tree, newest first, with their headers in memory.
#[derive(Clone)]
pub struct Runs {
    tree: Tree,
    probe_key: ProbeKey,
    runs: Vec<Run>,
    next_id: u64,
    /// Whether chunks left without a header by an interrupted writer were removed.
    swept: bool,
    /// Whether the chunks of merged runs are kept for readers that still list those runs
    /// ([`Runs::defer_reclaim`]) instead of being removed at once.
    defer: bool,
    /// Merged runs whose chunks are kept: their ids and chunk counts.
    retired: Vec<(u64, usize)>,
}

/// The chunks of runs that a merge replaced, kept while readers may still list them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retired {
    tree: Option<Tree>,
    runs: Vec<(u64, usize)>,
}

impl Retired {
    /// Whether no chunk is kept.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Removes the chunks (no reader lists their runs any more).
    ///
    /// # Errors
    /// Storage errors.
    pub fn reclaim<S: Store>(self, store: &S) -> Result<(), RunsError> {
        let Some(tree) = self.tree else {
            return Ok(());
        };
        for (id, chunks) in self.runs {
            let ops = (0..chunks)
                .map(|c| Op::Delete(chunk_key(id, chunk_no(c))))
                .collect();
            store.apply(tree, ops)?;
        }
        Ok(())
    }
}

/// A run's header.
#[derive(Clone, Debug, PartialEq)]
struct Run {
    id: u64,
    level: u8,
    /// One past the last record whose entries the run holds: orders runs by age.
    hi: u64,
    entries: u64,
    /// Distinct probe keys (what the Bloom filter was sized for).
    distinct: u64,
    /// The first key of each chunk.
    firsts: Vec<Vec<u8>>,
    bloom: Bloom,
}

impl Run {
    /// The chunk that would hold `key`: the last one whose first key is <= `key`.
    fn chunk_for(&self, key: &[u8]) -> Option<usize> {
        self.firsts
            .partition_point(|f| f.as_slice() <= key)
            .checked_sub(1)
    }

    /// Newer runs sort first.
    fn age_key(&self) -> (std::cmp::Reverse<u64>, std::cmp::Reverse<u64>) {
        (std::cmp::Reverse(self.hi), std::cmp::Reverse(self.id))
    }
}

fn header_key(id: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(HEADER_TAG);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

fn chunk_key(id: u64, chunk: u32) -> Vec<u8> {
    let mut k = Vec::with_capacity(13);
    k.push(CHUNK_TAG);
    k.extend_from_slice(&id.to_be_bytes());
    k.extend_from_slice(&chunk.to_be_bytes());
    k
}

/// The run id in a header or chunk key.
fn id_of_key(key: &[u8]) -> Option<u64> {
    key.get(1..9)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes)
}

impl Runs {
    /// No runs yet in `tree`.
    pub fn new(tree: Tree, probe_key: ProbeKey) -> Runs {
        Runs {
            tree,
            probe_key,
            runs: Vec::new(),
            next_id: 0,
            swept: true,
            defer: false,
            retired: Vec::new(),
        }
    }

    /// The runs as they stand, for a reader: the same headers, nothing retired. The
    /// chunks they name stay readable as long as the writer defers reclaiming them.
    pub fn snapshot(&self) -> Runs {
        Runs {
            defer: false,
            retired: Vec::new(),
            ..self.clone()
        }
    }

    /// From now on, a merge keeps the chunks of the runs it replaced until they are
    /// taken ([`Runs::take_retired`]) and reclaimed: readers holding a [`Runs::snapshot`]
    /// from before the merge read those chunks. A crash before they are reclaimed
    /// leaves chunks without a header, which the next writer removes. A deferring
    /// writer leaves that removal to the next writer that does not defer: it cannot tell
    /// those chunks from retired ones.
    pub fn defer_reclaim(&mut self) {
        self.defer = true;
        self.swept = true;
    }

    /// The chunks kept since the last call.
    pub fn take_retired(&mut self) -> Retired {
        Retired {
            tree: Some(self.tree),
            runs: std::mem::take(&mut self.retired),
        }
    }

    /// Reads the headers of every run in `tree`.
    ///
    /// # Errors
    /// Storage errors; [`RunsError::Damaged`] when a header does not parse.
    pub fn load<S: Store>(store: &S, tree: Tree, probe_key: ProbeKey) -> Result<Runs, RunsError> {
        let mut runs = Vec::new();
        for item in store.range(tree, &[HEADER_TAG], Some(&[CHUNK_TAG])) {
            let (k, v) = item?;
            let id = match (k.as_ref().len(), id_of_key(k.as_ref())) {
                (9, Some(id)) => id,
                _ => return Err(damaged(tree, "a header key is not a run id")),
            };
            runs.push(
                decode_header(id, v.as_ref()).ok_or_else(|| {
                    damaged(tree, &format!("the header of run {id} does not parse"))
                })?,
            );
        }
        // Ids are never reused, not even those of chunks an interrupted writer left.
        let last = store.last(tree)?.and_then(|(k, _)| id_of_key(k.as_ref()));
        let next_id = runs
            .iter()
            .map(|r| r.id)
            .chain(last)
            .max()
            .map_or(0, |m| m + 1);
        runs.sort_by_key(Run::age_key);
        Ok(Runs {
            tree,
            probe_key,
            runs,
            next_id,
            swept: false,
            defer: false,
            retired: Vec::new(),
        })
    }

    /// The value at `key` in the newest run that holds it.
    ///
    /// # Errors
    /// Storage errors or a damaged chunk.
    pub fn get<S: Store>(&self, store: &S, key: &[u8]) -> Result<Option<Vec<u8>>, RunsError> {
        let probe = BloomHash::of((self.probe_key)(key));
        for run in &self.runs {
            if !run.bloom.may_contain(probe) {
                continue;
            }
            let Some(c) = run.chunk_for(key) else {
                continue;
            };
            let chunk = self.read_chunk(store, run.id, c)?;
            for entry in Entries::new(chunk.as_ref()) {
                let (k, v) = entry.map_err(|why| self.chunk_damage(run.id, c, why))?;
                match k.cmp(key) {
                    std::cmp::Ordering::Less => continue,
                    std::cmp::Ordering::Equal => return Ok(Some(v.to_vec())),
                    std::cmp::Ordering::Greater => break,
                }
            }
        }
        Ok(None)
    }

    /// Entries with `start <= key < end` (`end = None`: to the last key), in key order,
    /// each with the newest value. When `probe` is given, every key in the range must
    /// have it as its probe key; runs whose filter rules it out are skipped.
    ///
    /// # Errors
    /// Storage errors or a damaged chunk.
    pub fn range<S: Store>(
        &self,
        store: &S,
        start: &[u8],
        end: Option<&[u8]>,
        probe: Option<&[u8]>,
    ) -> Result<Vec<KeyValue>, RunsError> {
        let probe = probe.map(BloomHash::of);
        let mut out: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        for run in &self.runs {
            if probe.is_some_and(|p| !run.bloom.may_contain(p)) {
                continue;
            }
            for c in run.chunk_for(start).unwrap_or(0)..run.firsts.len() {
                if end.is_some_and(|e| run.firsts[c].as_slice() >= e) {
                    break;
                }
                let chunk = self.read_chunk(store, run.id, c)?;
                for entry in Entries::new(chunk.as_ref()) {
                    let (k, v) = entry.map_err(|why| self.chunk_damage(run.id, c, why))?;
                    if k < start {
                        continue;
                    }
                    if end.is_some_and(|e| k >= e) {
                        break;
                    }
                    // Runs come newest first: the first value seen wins.
                    out.entry(k.to_vec()).or_insert_with(|| v.to_vec());
                }
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Writes `entries` as a new run covering records up to `hi` (exclusive), then
    /// merges full levels. Of equal keys in `entries`, the last one wins.
    ///
    /// # Errors
    /// Storage errors or a damaged chunk met while merging.
    pub fn add<S: Store>(
        &mut self,
        store: &S,
        mut entries: Vec<KeyValue>,
        hi: u64,
    ) -> Result<(), RunsError> {
        if entries.is_empty() {
            return Ok(());
        }
        self.sweep(store)?;
        // Stable sort of the reversed list, then keep the first of each key: the last
        // one written.
        entries.reverse();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, earlier| later.0 == earlier.0);
        let distinct = count_distinct(self.probe_key, entries.iter().map(|(k, _)| k.as_slice()));
        let mut writer = RunWriter::new(self.tree, self.next_id, 0, hi, distinct, self.probe_key);
        self.next_id += 1;
        for (k, v) in &entries {
            writer.push(k, v)?;
        }
        let (mut ops, run) = writer.finish();
        ops.push(Op::Put(header_key(run.id), encode_header(&run)));
        store.apply(self.tree, ops)?;
        self.insert(run);
        self.compact(store)
    }

    /// Removes every run (the tree must be cleared by the caller or be empty).
    pub fn reset(&mut self) {
        self.runs.clear();
        self.swept = true;
    }

    fn insert(&mut self, run: Run) {
        let at = self.runs.partition_point(|r| r.age_key() <= run.age_key());
        self.runs.insert(at, run);
    }

    /// Merges the runs of every level that holds [`FANOUT`] of them.
    fn compact<S: Store>(&mut self, store: &S) -> Result<(), RunsError> {
        while let Some(level) =
            (0..=u8::MAX).find(|l| self.runs.iter().filter(|r| r.level == *l).count() >= FANOUT)
        {
            let inputs: Vec<Run> = self
                .runs
                .iter()
                .filter(|r| r.level == level)
                .cloned()
                .collect();
            let merged = self.merge(store, &inputs, level.saturating_add(1))?;
            // The swap: the merged run appears and its inputs disappear at once.
            let mut ops = vec![Op::Put(header_key(merged.id), encode_header(&merged))];
            ops.extend(inputs.iter().map(|r| Op::Delete(header_key(r.id))));
            store.apply(self.tree, ops)?;
            self.runs.retain(|r| r.level != level);
            self.insert(merged);
            if self.defer {
                self.retired
                    .extend(inputs.iter().map(|r| (r.id, r.firsts.len())));
                continue;
            }
            for run in &inputs {
                let ops = (0..run.firsts.len())
                    .map(|c| Op::Delete(chunk_key(run.id, chunk_no(c))))
                    .collect();
                store.apply(self.tree, ops)?;
            }
        }
        Ok(())
    }

    /// Writes the merge of `inputs` (newest first) as the chunks of a new run, without
    /// its header, and returns that header.
    fn merge<S: Store>(&mut self, store: &S, inputs: &[Run], level: u8) -> Result<Run, RunsError> {
        let hi = inputs.iter().map(|r| r.hi).max().unwrap_or(0);
        // An upper bound: inputs may share probe keys.
        let distinct = inputs.iter().map(|r| r.distinct).sum();
        let mut writer =
            RunWriter::new(self.tree, self.next_id, level, hi, distinct, self.probe_key);
        self.next_id += 1;
        let mut cursors: Vec<Cursor<S::Value>> = inputs
            .iter()
            .map(|r| Cursor {
                id: r.id,
                chunks: r.firsts.len(),
                next_chunk: 0,
                chunk: None,
                at: 0,
                current: None,
            })
            .collect();
        for c in &mut cursors {
            c.advance(self, store)?;
        }
        let mut key = Vec::new();
        loop {
            // The smallest key; of equal keys, the newest input's (inputs are newest first).
            let mut best: Option<usize> = None;
            for (i, c) in cursors.iter().enumerate() {
                if let Some(k) = c.key()
                    && best.is_none_or(|b| Some(k) < cursors[b].key())
                {
                    best = Some(i);
                }
            }
            let Some(b) = best else { break };
            key.clear();
            key.extend_from_slice(cursors[b].key().unwrap_or_default());
            writer.push(&key, cursors[b].value().unwrap_or_default())?;
            for c in &mut cursors {
                if c.key() == Some(key.as_slice()) {
                    c.advance(self, store)?;
                }
            }
            if writer.pending_bytes >= WRITE_BYTES {
                store.apply(self.tree, writer.take_ops())?;
            }
        }
        let (ops, run) = writer.finish();
        store.apply(self.tree, ops)?;
        Ok(run)
    }

    /// Removes chunks that no header names (left by a writer that was interrupted).
    fn sweep<S: Store>(&mut self, store: &S) -> Result<(), RunsError> {
        if self.swept {
            return Ok(());
        }
        let mut ids: Vec<u64> = self.runs.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let mut gaps = Vec::new();
        let mut from = 0u64;
        for id in ids {
            gaps.push((from, Some(id)));
            from = id + 1;
        }
        gaps.push((from, None));
        for (lo, hi) in gaps {
            let start = chunk_key(lo, 0);
            let end = hi.map(|h| chunk_key(h, 0));
            let ops: Vec<Op> = store
                .range(self.tree, &start, end.as_deref())
                .map(|e| e.map(|(k, _)| Op::Delete(k.as_ref().to_vec())))
                .collect::<Result<_, _>>()?;
            if !ops.is_empty() {
                store.apply(self.tree, ops)?;
            }
        }
        self.swept = true;
        Ok(())
    }

    fn read_chunk<S: Store>(&self, store: &S, id: u64, c: usize) -> Result<S::Value, RunsError> {
        store
            .get(self.tree, &chunk_key(id, chunk_no(c)))?
            .ok_or_else(|| self.chunk_damage(id, c, "it is missing"))
    }

    fn chunk_damage(&self, id: u64, c: usize, why: &str) -> RunsError {
        damaged(self.tree, &format!("chunk {c} of run {id}: {why}"))
    }
}

fn damaged(tree: Tree, why: &str) -> RunsError {
    RunsError::Damaged {
        tree: tree.name(),
        why: why.to_string(),
    }
}

/// Chunk numbers fit a u32: a run of 2^32 chunks of 8 KiB would be 32 TiB.
fn chunk_no(c: usize) -> u32 {
    u32::try_from(c).unwrap_or(u32::MAX)
}

fn count_distinct<'a>(probe_key: ProbeKey, keys: impl Iterator<Item = &'a [u8]>) -> u64 {
    let mut n = 0;
    let mut last: Option<&[u8]> = None;
    for k in keys {
        let p = probe_key(k);
        if last != Some(p) {
            n += 1;
            last = Some(p);
        }
    }
    n
}

/// Reads one input run of a merge, a chunk at a time, without copying entries.
struct Cursor<V> {
    id: u64,
    chunks: usize,
    next_chunk: usize,
    chunk: Option<V>,
    /// Offset of the current entry in `chunk`, and its key and value ranges.
    at: usize,
    current: Option<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

impl<V: AsRef<[u8]>> Cursor<V> {
    fn key(&self) -> Option<&[u8]> {
        let (k, _) = self.current.as_ref()?;
        Some(&self.chunk.as_ref()?.as_ref()[k.clone()])
    }

    fn value(&self) -> Option<&[u8]> {
        let (_, v) = self.current.as_ref()?;
        Some(&self.chunk.as_ref()?.as_ref()[v.clone()])
    }

    /// Moves to the next entry, loading chunks as needed; `current` is `None` at the end.
    fn advance<S: Store<Value = V>>(&mut self, runs: &Runs, store: &S) -> Result<(), RunsError> {
        loop {
            if let Some(chunk) = &self.chunk {
                let bytes = chunk.as_ref();
                if self.at < bytes.len() {
                    let mut rest = &bytes[self.at..];
                    let mut entries = Entries::new(rest);
                    let c = self.next_chunk - 1;
                    let (k, v) = match entries.next() {
                        Some(Ok(kv)) => kv,
                        Some(Err(why)) => return Err(runs.chunk_damage(self.id, c, why)),
                        None => return Err(runs.chunk_damage(self.id, c, "empty entry")),
                    };
                    rest = entries.bytes;
                    let base = bytes.as_ptr() as usize;
                    let k_at = k.as_ptr() as usize - base;
                    let v_at = v.as_ptr() as usize - base;
                    self.current = Some((k_at..k_at + k.len(), v_at..v_at + v.len()));
                    self.at = bytes.len() - rest.len();
                    return Ok(());
                }
            }
            if self.next_chunk >= self.chunks {
                self.chunk = None;
                self.current = None;
                return Ok(());
            }
            self.chunk = Some(runs.read_chunk(store, self.id, self.next_chunk)?);
            self.next_chunk += 1;
            self.at = 0;
        }
    }
}

/// Builds one run: chunks, their first keys, the Bloom filter.
struct RunWriter {
    tree: Tree,
    probe_key: ProbeKey,
    run: Run,
    chunk: Vec<u8>,
    ops: Vec<Op>,
    pending_bytes: usize,
    /// The key pushed last (empty before the first push).
    last_key: Vec<u8>,
    pushed: bool,
}

impl RunWriter {
    fn new(tree: Tree, id: u64, level: u8, hi: u64, distinct: u64, probe_key: ProbeKey) -> Self {
        RunWriter {
            tree,
            probe_key,
            run: Run {
                id,
                level,
                hi,
                entries: 0,
                distinct: 0,
                firsts: Vec::new(),
                bloom: Bloom::with_keys(distinct),
            },
            chunk: Vec::with_capacity(CHUNK_BYTES + 256),
            ops: Vec::new(),
            pending_bytes: 0,
            last_key: Vec::new(),
            pushed: false,
        }
    }

    /// Adds an entry; keys must come in strictly increasing order.
    fn push(&mut self, key: &[u8], value: &[u8]) -> Result<(), RunsError> {
        if self.pushed && self.last_key.as_slice() >= key {
            return Err(damaged(self.tree, "entries of a run out of order"));
        }
        let probe = (self.probe_key)(key);
        if !self.pushed || (self.probe_key)(&self.last_key) != probe {
            self.run.bloom.insert(BloomHash::of(probe));
            self.run.distinct += 1;
        }
        if self.chunk.is_empty() {
            self.run.firsts.push(key.to_vec());
        }
        put_varint(&mut self.chunk, key.len() as u64);
        self.chunk.extend_from_slice(key);
        put_varint(&mut self.chunk, value.len() as u64);
        self.chunk.extend_from_slice(value);
        self.run.entries += 1;
        self.last_key.clear();
        self.last_key.extend_from_slice(key);
        self.pushed = true;
        if self.chunk.len() >= CHUNK_BYTES {
            self.end_chunk();
        }
        Ok(())
    }

    fn end_chunk(&mut self) {
        if self.chunk.is_empty() {
            return;
        }
        let c = chunk_no(self.run.firsts.len() - 1);
        let bytes = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK_BYTES + 256));
        self.pending_bytes += bytes.len();
        self.ops.push(Op::Put(chunk_key(self.run.id, c), bytes));
    }

    fn take_ops(&mut self) -> Vec<Op> {
        self.pending_bytes = 0;
        std::mem::take(&mut self.ops)
    }

    /// The remaining chunk writes and the run's header.
    fn finish(mut self) -> (Vec<Op>, Run) {
        self.end_chunk();
        (self.ops, self.run)
    }
}

/// Entries of a chunk, in order.
struct Entries<'a> {
    bytes: &'a [u8],
}

impl<'a> Entries<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Entries { bytes }
    }

    fn field(&mut self) -> Result<&'a [u8], &'static str> {
        let len = get_varint(&mut self.bytes).ok_or("a length does not parse")?;
        let len = usize::try_from(len).map_err(|_| "a length is too large")?;
        if len > self.bytes.len() {
            return Err("an entry runs past the end");
        }
        let (field, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(field)
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<(&'a [u8], &'a [u8]), &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.bytes.is_empty() {
            return None;
        }
        let entry = self.field().and_then(|k| Ok((k, self.field()?)));
        if entry.is_err() {
            self.bytes = &[];
        }
        Some(entry)
    }
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn get_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        n |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

/// Two 64-bit hashes of a probe key, combined as `h1 + i * h2` for the i-th function.
#[derive(Clone, Copy)]
struct BloomHash(u64, u64);

impl BloomHash {
    fn of(key: &[u8]) -> Self {
        // FNV-1a, then a splitmix64 finaliser for the second hash.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        let mut z = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        BloomHash(h, z | 1)
    }
}

/// A Bloom filter over probe keys.
#[derive(Clone, Debug, PartialEq)]
struct Bloom {
    words: Vec<u64>,
}

impl Bloom {
    fn with_keys(keys: u64) -> Bloom {
        let bits = keys.saturating_mul(BLOOM_BITS_PER_KEY).max(64);
        Bloom {
            words: vec![0; usize::try_from(bits.div_ceil(64)).unwrap_or(1)],
        }
    }

    fn bits(&self) -> u64 {
        self.words.len() as u64 * 64
    }

    fn insert(&mut self, h: BloomHash) {
        let bits = self.bits();
        for i in 0..BLOOM_HASHES {
            let bit = h.0.wrapping_add(i.wrapping_mul(h.1)) % bits;
            self.words[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }

    fn may_contain(&self, h: BloomHash) -> bool {
        let bits = self.bits();
        (0..BLOOM_HASHES).all(|i| {
            let bit = h.0.wrapping_add(i.wrapping_mul(h.1)) % bits;
            self.words[(bit / 64) as usize] & (1 << (bit % 64)) != 0
        })
    }
}

fn encode_header(run: &Run) -> Vec<u8> {
    let mut out = vec![HEADER_VERSION, run.level];
    for n in [run.hi, run.entries, run.distinct, run.firsts.len() as u64] {
        put_varint(&mut out, n);
    }
    for f in &run.firsts {
        put_varint(&mut out, f.len() as u64);
        out.extend_from_slice(f);
    }
    put_varint(&mut out, run.bloom.words.len() as u64);
    for w in &run.bloom.words {
        out.extend_from_slice(&w.to_le_bytes());
    }
    out
}

fn decode_header(id: u64, bytes: &[u8]) -> Option<Run> {
    let (&version, rest) = bytes.split_first()?;
    let (&level, mut rest) = rest.split_first()?;
    if version != HEADER_VERSION {
        return None;
    }
    let hi = get_varint(&mut rest)?;
    let entries = get_varint(&mut rest)?;
    let distinct = get_varint(&mut rest)?;
    let chunks = get_varint(&mut rest)?;
    let mut firsts = Vec::new();
    for _ in 0..chunks {
        let len = usize::try_from(get_varint(&mut rest)?).ok()?;
        if len > rest.len() {
            return None;
        }
        let (f, r) = rest.split_at(len);
        firsts.push(f.to_vec());
        rest = r;
    }
    let words = usize::try_from(get_varint(&mut rest)?).ok()?;
    if words == 0 || rest.len() != words.checked_mul(8)? {
        return None;
    }
    let words = rest
        .chunks_exact(8)
        .map(|w| <[u8; 8]>::try_from(w).map(u64::from_le_bytes))
        .collect::<Result<_, _>>()
        .ok()?;
    // Chunk first keys increase strictly, or lookups would pick the wrong chunk.
    if firsts.windows(2).any(|w| w[0] >= w[1]) {
        return None;
    }
    Some(Run {
        id,
        level,
        hi,
        entries,
        distinct,
        firsts,
        bloom: Bloom { words },
    })
}

#[cfg(test)]
mod tests;
