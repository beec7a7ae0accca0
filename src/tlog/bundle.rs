//! Entry bundles: a tile's entries, each as a big-endian `u16` length and its bytes.

use super::{TilePath, TlogError};

/// The longest entry a bundle can hold: its length is a `u16`.
pub const MAX_ENTRY_BYTES: usize = u16::MAX as usize;

/// The entries of one bundle, in order.
///
/// ```
/// use pactlog::tlog::{EntryBundle, TilePath};
/// let bundle = EntryBundle::encode([b"ab".as_slice(), b"".as_slice()])?;
/// assert_eq!(bundle, [0, 2, b'a', b'b', 0, 0]);
/// let path = TilePath::entries(0, 2)?;
/// let entries = EntryBundle::parse(&path, &bundle)?;
/// assert_eq!(entries.entries(), [b"ab".to_vec(), Vec::new()]);
/// assert!(EntryBundle::parse(&TilePath::entries(0, 3)?, &bundle).is_err());
/// # Ok::<(), pactlog::tlog::TlogError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryBundle {
    entries: Vec<Vec<u8>>,
}

impl EntryBundle {
    /// The bundle bytes of `entries`.
    ///
    /// # Errors
    /// [`TlogError::EntryTooLarge`] for an entry longer than [`MAX_ENTRY_BYTES`] (its
    /// `seq` is its position in `entries`; [`super::read_tile`] names the record).
    pub fn encode<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<u8>, TlogError> {
        let mut out = Vec::new();
        for (i, entry) in entries.into_iter().enumerate() {
            let len = u16::try_from(entry.len()).map_err(|_| TlogError::EntryTooLarge {
                seq: i as u64,
                len: entry.len(),
            })?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(entry);
        }
        Ok(out)
    }

    /// Splits the bytes of bundle `path` into its entries: exactly `path.width()` of
    /// them, with nothing after the last.
    ///
    /// # Errors
    /// [`TlogError::BadBundle`] for a bundle cut short, with bytes left over, or with
    /// another number of entries.
    pub fn parse(path: &TilePath, bytes: &[u8]) -> Result<EntryBundle, TlogError> {
        let bad = |reason: String| TlogError::BadBundle {
            path: path.to_string(),
            reason,
        };
        let want = usize::from(path.width());
        let mut entries = Vec::with_capacity(want);
        let mut rest = bytes;
        while !rest.is_empty() {
            if entries.len() == want {
                return Err(bad(format!(
                    "{} bytes follow its {want} entries",
                    rest.len()
                )));
            }
            let Some((len, after)) = rest.split_first_chunk::<2>() else {
                return Err(bad("it ends inside an entry's length".into()));
            };
            let len = usize::from(u16::from_be_bytes(*len));
            let Some((entry, after)) = after.split_at_checked(len) else {
                return Err(bad(format!(
                    "entry {} says it is {len} bytes, but {} are left",
                    entries.len(),
                    after.len()
                )));
            };
            entries.push(entry.to_vec());
            rest = after;
        }
        if entries.len() != want {
            return Err(bad(format!(
                "it holds {} entries, not {want}",
                entries.len()
            )));
        }
        Ok(EntryBundle { entries })
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[Vec<u8>] {
        &self.entries
    }

    /// The entries, taken.
    pub fn into_entries(self) -> Vec<Vec<u8>> {
        self.entries
    }
}
