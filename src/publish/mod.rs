//! The ledger beyond one machine: written as a static C2SP tlog-tiles log that any web
//! host, object store or CDN can serve ([`publish`]), and followed from such a log, or
//! from a running `pactlog serve`, into a verified local replica ([`follow`]).
//!
//! # Publishing
//!
//! [`publish`] writes the resources of [`crate::tlog`] into a folder: `checkpoint`,
//! `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`. A run writes only what the
//! folder's log lacks: every tile is written once, to a fresh temporary name
//! (`create_new`) then renamed into place, and a tile already there must be byte for byte
//! the one the ledger has (else the folder holds another log, and nothing is written).
//! The tiles are made durable (fsync of each file and of each folder) before the
//! checkpoint is replaced, by one rename, so that a reader who fetches the checkpoint
//! first always finds every tile it needs, whenever a run is stopped. Partial tiles of
//! earlier sizes stay: the spec allows them, and a reader of an older checkpoint may still
//! want them.
//!
//! # Following
//!
//! [`follow`] fetches a log's checkpoint through a [`TileSource`] (a folder:
//! [`DirSource`]; the `pactlog` binary adds HTTP), accepts it only if the log's key signed
//! it and it does not roll back or fork what this follower accepted before
//! ([`accept_checkpoint`]), then fetches the new hash tiles and entry bundles, and checks
//! that every record's leaf hash is in the tiles, that the tree of the replica's records
//! and the new ones has the checkpoint's root, that every tile fetched is the tree's, and
//! that the chain and its head are the signed ones. Only then are the records appended,
//! through the same admission as a restore ([`crate::import::restore_records`]), and the
//! checkpoint recorded as accepted in the file [`FOLLOWED_FILE`] of the replica's folder.
//! Anything refused leaves the replica as it was.

mod dir;
mod error;
mod follow;
mod source;

pub use dir::{PublishReport, publish};
pub use error::{FollowError, PublishError};
pub use follow::{
    Accepted, FOLLOWED_FILE, FollowReport, Trust, accept_checkpoint, follow, read_followed,
};
pub use source::{DirSource, TileSource, limit_of};
