//! The ledger as a C2SP tlog-tiles log (<https://c2sp.org/tlog-tiles>): the names of its
//! static resources ([`TilePath`]), their bytes at a tree size ([`read_tile`]), and entry
//! bundles ([`EntryBundle`]). `pactlog publish` writes these resources to a folder and a
//! server answers GETs of the same paths from the same functions, so both serve the same
//! bytes.
//!
//! # The resources
//!
//! * `checkpoint` ([`CHECKPOINT_PATH`]): the signed checkpoint (C2SP tlog-checkpoint) of
//!   the published size; the only resource that changes.
//! * `tile/<L>/<N>[.p/<W>]`: hash tiles. Tile `N` of level `L` holds the Merkle Tree
//!   Hashes of tree level `8L`, numbers `256N .. 256N + W` (32 bytes each). A full tile
//!   has `W = 256` and no `.p/<W>` suffix; in a tree of `s` leaves the partial tile of
//!   level `L` has `floor(s / 256^L) mod 256` hashes. These are exactly the tiles the
//!   ledger stores (see the Merkle module), so a hash tile is a prefix of a stored one.
//! * `tile/entries/<N>[.p/<W>]`: entry bundles: records `256N .. 256N + W`, each as its
//!   canonical bytes after a big-endian `u16` length. An entry's leaf hash, `SHA-256(0x00
//!   || bytes)`, is hash `i` of level-0 tile `N`.
//!
//! `<N>` is written in groups of three digits, all but the last prefixed by `x`: 1234067
//! is `x001/x234/067`, 5 is `005`. `<L>` and `<W>` are decimal without leading zeros.
//! Paths are parsed strictly ([`TilePath::parse`]): the one spelling of each tile, nothing
//! else (no `..`, no empty or extra components, no leading zeros, widths 1 to 255, levels
//! and indexes no tree of fewer than 2^64 leaves could have).
//!
//! A tile of width `W` is the same bytes at every tree size that holds it: full tiles and
//! bundles never change, and a partial tile of width `W` is the tile as it stood when its
//! row held `W` hashes. [`read_tile`] answers every width the tree holds, not only the
//! current one, so a reader that verified an older checkpoint can still fetch its tiles.
//!
//! # Limits
//!
//! An entry bundle's lengths are `u16`: a record longer than 65 535 bytes
//! ([`MAX_ENTRY_BYTES`]) cannot be published. Records may be up to
//! 4 MiB (the codec's limit), so [`read_tile`] refuses such a bundle with
//! [`TlogError::EntryTooLarge`], naming the record.

mod bundle;
mod error;
mod path;
mod read;

pub use bundle::{EntryBundle, MAX_ENTRY_BYTES};
pub use error::TlogError;
pub use path::{TileKind, TilePath, new_tiles};
pub(crate) use read::hash_tile;
pub use read::read_tile;

/// The path of the checkpoint, relative to the log's prefix.
pub const CHECKPOINT_PATH: &str = "checkpoint";

/// Hashes (or entries) in a full tile.
pub const FULL_WIDTH: u16 = 256;

#[cfg(test)]
mod tests;
