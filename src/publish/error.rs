//! The errors of publishing and following.

use crate::import::ImportError;
use crate::ledger::LedgerError;
use crate::ledger::prove::AuditError;
use crate::tlog::TlogError;
use std::path::PathBuf;

/// Why a publish failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// The folder holds something that is not this ledger's log: a tile with other bytes,
    /// a checkpoint of another log or of a larger or different tree. Nothing of it is
    /// overwritten.
    #[error("{path}: {reason}")]
    Conflict {
        /// The file.
        path: PathBuf,
        /// What is there, and what to do.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {detail}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// The ledger cannot be published as it is (a record too long for a bundle).
    #[error(transparent)]
    Tlog(#[from] TlogError),
    /// The ledger failed underneath.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// Why a follow refused or failed. Anything refused leaves the replica as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FollowError {
    /// The log is not what it claims: a bad signature, a checkpoint that rolls back or
    /// forks what was accepted, a tile or record that does not hash to the checkpoint, a
    /// resource the checkpoint needs that the log does not have.
    #[error("{0}")]
    Refused(String),
    /// The source could not be read (network, file system).
    #[error("{0}")]
    Source(String),
    /// The records do not pass the checks every record of a ledger passes (chain,
    /// strict decoding, domain rules), each named.
    #[error(transparent)]
    Records(#[from] ImportError),
    /// The replica's folder could not be read or written.
    #[error("{path}: {detail}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// The replica failed underneath.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl From<AuditError> for FollowError {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::Ledger(e) => FollowError::Ledger(e),
            AuditError::Merkle(e) => FollowError::Ledger(e.into()),
            other => FollowError::Refused(other.to_string()),
        }
    }
}

impl From<TlogError> for FollowError {
    fn from(e: TlogError) -> Self {
        match e {
            TlogError::Ledger(e) => FollowError::Ledger(e),
            TlogError::Merkle(e) => FollowError::Ledger(e.into()),
            other => FollowError::Refused(other.to_string()),
        }
    }
}
