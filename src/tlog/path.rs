//! Tile paths: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, parsed and written
//! (see the encoding in the [module docs](super)).

use super::{FULL_WIDTH, TlogError};
use crate::merkle::TileKey;
use std::fmt;

/// Highest tile level of a tree of fewer than 2^64 leaves (tree level 56).
const MAX_LEVEL: u8 = 7;

/// The longest tile path: `tile/entries/` and seven groups of `x` and three digits, then
/// `.p/255`. Anything longer is refused before it is split.
const MAX_PATH_LEN: usize = 64;

/// Digits in one group of an index.
const GROUP: u64 = 1000;

/// What a tile holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileKind {
    /// Merkle Tree Hashes of tree level `8 * level`.
    Hashes {
        /// The tile level, 0 to 7.
        level: u8,
    },
    /// Records, as an entry bundle.
    Entries,
}

/// The name of one tlog-tiles resource other than the checkpoint: a hash tile or an entry
/// bundle, its index within its level, and its width.
///
/// ```
/// use pactlog::tlog::{TileKind, TilePath};
/// let path = TilePath::parse("tile/0/x001/x234/067.p/8")?;
/// assert_eq!(path.kind(), TileKind::Hashes { level: 0 });
/// assert_eq!((path.index(), path.width()), (1_234_067, 8));
/// assert_eq!(path.to_string(), "tile/0/x001/x234/067.p/8");
/// assert_eq!(TilePath::entries(5, 256)?.to_string(), "tile/entries/005");
/// for bad in ["tile/0/../001", "tile/0/x000/001", "tile/0/001.p/0", "tile/0/1", "tile/8/000"] {
///     assert!(TilePath::parse(bad).is_err(), "{bad}");
/// }
/// # Ok::<(), pactlog::tlog::TlogError>(())
/// ```
// INVARIANT: 1 <= width <= 256; a hash tile's level is at most 7; the tile's last item,
// `256 * index + width - 1`, is below 2^64 >> (8 * level) (some tree of fewer than 2^64
// leaves holds it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TilePath {
    kind: TileKind,
    index: u64,
    width: u16,
}

impl TilePath {
    /// Hash tile `index` of tile level `level`, `width` hashes wide (256: full).
    ///
    /// # Errors
    /// [`TlogError::BadPath`] for a width outside 1..=256, a level above 7, or a tile no
    /// tree of fewer than 2^64 leaves holds.
    pub fn hashes(level: u8, index: u64, width: u16) -> Result<TilePath, TlogError> {
        TilePath::checked(TileKind::Hashes { level }, index, width)
    }

    /// Entry bundle `index`, `width` entries wide (256: full).
    ///
    /// # Errors
    /// As [`TilePath::hashes`].
    pub fn entries(index: u64, width: u16) -> Result<TilePath, TlogError> {
        TilePath::checked(TileKind::Entries, index, width)
    }

    fn checked(kind: TileKind, index: u64, width: u16) -> Result<TilePath, TlogError> {
        let path = TilePath { kind, index, width };
        let bad = |reason| TlogError::BadPath {
            path: format!("{kind:?} {index} width {width}"),
            reason,
        };
        if width == 0 || width > FULL_WIDTH {
            return Err(bad("a tile is 1 to 256 items wide"));
        }
        if path.level() > MAX_LEVEL {
            return Err(bad(
                "no tree of fewer than 2^64 leaves has a tile above level 7",
            ));
        }
        // The last item, 256 * index + width - 1, must be a number of the row: below
        // 2^64 >> 8L.
        let row = u64::MAX >> (8 * u32::from(path.level()));
        let last = index
            .checked_mul(u64::from(FULL_WIDTH))
            .and_then(|first| first.checked_add(u64::from(width) - 1));
        match last {
            Some(last) if last <= row => Ok(path),
            _ => Err(bad("no tree of fewer than 2^64 leaves holds this tile")),
        }
    }

    /// Parses the one spelling of a tile path (no leading `/`).
    ///
    /// # Errors
    /// [`TlogError::BadPath`] saying what is wrong.
    pub fn parse(text: &str) -> Result<TilePath, TlogError> {
        let bad = |reason| TlogError::BadPath {
            path: crate::model::shorten(text),
            reason,
        };
        if text.len() > MAX_PATH_LEN {
            return Err(bad("longer than any tile path"));
        }
        let parts: Vec<&str> = text.split('/').collect();
        let (kind, rest) = match parts.as_slice() {
            ["tile", "entries", rest @ ..] => (TileKind::Entries, rest),
            ["tile", level, rest @ ..] => {
                let level = decimal(level)
                    .and_then(|l| u8::try_from(l).ok())
                    .ok_or_else(|| {
                        bad("the level is not a decimal number without leading zeros")
                    })?;
                (TileKind::Hashes { level }, rest)
            }
            _ => {
                return Err(bad(
                    "a tile path starts with tile/<level>/ or tile/entries/",
                ));
            }
        };
        let (groups, width) = match rest {
            [groups @ .., last, w] if last.ends_with(".p") => {
                let width = decimal(w)
                    .and_then(|w| u16::try_from(w).ok())
                    .filter(|w| (1..FULL_WIDTH).contains(w))
                    .ok_or_else(|| bad("a partial width is 1 to 255, without leading zeros"))?;
                let mut groups = groups.to_vec();
                groups.push(&last[..last.len() - 2]);
                (groups, width)
            }
            groups => (groups.to_vec(), FULL_WIDTH),
        };
        let index = index_of(&groups).ok_or_else(|| {
            bad("the index is groups of three digits, all but the last after an x, without leading zero groups")
        })?;
        TilePath::checked(kind, index, width).map_err(|e| match e {
            TlogError::BadPath { reason, .. } => bad(reason),
            other => other,
        })
    }

    /// What the tile holds.
    pub fn kind(&self) -> TileKind {
        self.kind
    }

    /// The tile level: that of a hash tile, 0 for an entry bundle (its entries are the
    /// leaves of level-0 tiles).
    pub fn level(&self) -> u8 {
        match self.kind {
            TileKind::Hashes { level } => level,
            TileKind::Entries => 0,
        }
    }

    /// Its index within its level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Items (hashes or entries) it holds: 256 for a full tile.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether it has fewer than 256 items.
    pub fn is_partial(&self) -> bool {
        self.width < FULL_WIDTH
    }

    /// The number, within its row, of its first item.
    pub fn first(&self) -> u64 {
        // INVARIANT (of the type): 256 * index fits a u64.
        self.index << 8
    }

    /// The number, within its row, after its last item.
    pub fn end(&self) -> u64 {
        self.first() + u64::from(self.width)
    }

    /// The same tile at another width (`width` of 1 to 256).
    ///
    /// # Errors
    /// As [`TilePath::hashes`].
    pub fn with_width(&self, width: u16) -> Result<TilePath, TlogError> {
        TilePath::checked(self.kind, self.index, width)
    }

    /// The ledger's storage key of the hash tile (level-0 tile for an entry bundle).
    pub fn key(&self) -> TileKey {
        TileKey {
            level: self.level(),
            index: self.index,
        }
    }

    /// The tile `kind`, `index` as a tree of `size` leaves has it, if it has it.
    pub fn at_size(kind: TileKind, index: u64, size: u64) -> Option<TilePath> {
        let path = TilePath {
            kind,
            index,
            width: FULL_WIDTH,
        };
        let row = row_len(size, path.level());
        let have = row.checked_sub(path.first())?.min(u64::from(FULL_WIDTH));
        let width = u16::try_from(have).ok().filter(|w| *w > 0)?;
        Some(TilePath { width, ..path })
    }
}

/// Hashes in level-`8 * level` of a tree of `size` leaves.
fn row_len(size: u64, level: u8) -> u64 {
    size.checked_shr(8 * u32::from(level)).unwrap_or(0)
}

impl fmt::Display for TilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TileKind::Hashes { level } => write!(f, "tile/{level}/")?,
            TileKind::Entries => f.write_str("tile/entries/")?,
        }
        let mut groups = Vec::new();
        let mut n = self.index;
        loop {
            groups.push(n % GROUP);
            n /= GROUP;
            if n == 0 {
                break;
            }
        }
        for (i, g) in groups.iter().rev().enumerate() {
            let prefix = if i + 1 < groups.len() { "x" } else { "" };
            let slash = if i + 1 < groups.len() { "/" } else { "" };
            write!(f, "{prefix}{g:03}{slash}")?;
        }
        if self.is_partial() {
            write!(f, ".p/{}", self.width)?;
        }
        Ok(())
    }
}

/// A decimal number without leading zeros ("0" itself is fine), at most 19 digits.
fn decimal(s: &str) -> Option<u64> {
    let digits = !s.is_empty() && s.len() < 20 && s.bytes().all(|b| b.is_ascii_digit());
    (digits && (s == "0" || !s.starts_with('0')))
        .then(|| s.parse().ok())
        .flatten()
}

/// The index spelled by `groups`: `xDDD` groups, then one `DDD`; the first group is not
/// `x000` (that would be a leading zero).
fn index_of(groups: &[&str]) -> Option<u64> {
    let (last, upper) = groups.split_last()?;
    if upper.first() == Some(&"x000") {
        return None;
    }
    let mut n: u64 = 0;
    for g in upper {
        n = n
            .checked_mul(GROUP)?
            .checked_add(three_digits(g.strip_prefix('x')?)?)?;
    }
    n.checked_mul(GROUP)?.checked_add(three_digits(last)?)
}

/// The number spelled by exactly three ASCII digits.
fn three_digits(g: &str) -> Option<u64> {
    (g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
        .then(|| g.parse().ok())
        .flatten()
}

/// The tiles and bundles a tree of `new` leaves has that one of `old` leaves does not
/// (`old <= new`): for each level, the full tiles completed since `old`, then the partial
/// tile of `new` if it has one; then the entry bundles, the same way. Hash tiles come
/// level by level from level 0.
pub fn new_tiles(old: u64, new: u64) -> Vec<TilePath> {
    let mut out = Vec::new();
    let kinds = (0..=MAX_LEVEL)
        .map(|level| TileKind::Hashes { level })
        .chain(std::iter::once(TileKind::Entries));
    for kind in kinds {
        let probe = TilePath {
            kind,
            index: 0,
            width: FULL_WIDTH,
        };
        let (was, now) = (row_len(old, probe.level()), row_len(new, probe.level()));
        if now <= was {
            continue;
        }
        for index in (was >> 8)..=(now >> 8) {
            out.extend(TilePath::at_size(kind, index, new));
        }
    }
    out
}
