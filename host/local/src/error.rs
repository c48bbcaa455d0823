//! Errors of opening the embedded backend, and the mapping of redb failures
//! to [`PortError`].

use std::path::PathBuf;

use lethe_core::ports::PortError;

/// Why the embedded backend could not be opened. Each message says what to
/// do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalError {
    /// Another process holds the database open.
    #[error(
        "the data directory {} is locked by another lethe process; stop it or choose another --data-dir",
        dir.display()
    )]
    Locked {
        /// The data directory.
        dir: PathBuf,
    },
    /// The data directory (or one inside it) could not be created or read.
    #[error(
        "cannot use the directory {}: {source}; check that it exists and is writable, or choose another --data-dir",
        path.display()
    )]
    Directory {
        /// The directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The database file was written by an older redb and must be upgraded.
    #[error(
        "the database {} is in an old file format (version {version}); export its data with the lethe release that wrote it, or choose another --data-dir",
        path.display()
    )]
    UpgradeRequired {
        /// The database file.
        path: PathBuf,
        /// The file format version found.
        version: u8,
    },
    /// The database file could not be opened or initialised.
    #[error(
        "cannot open the database {}: {reason}; if the file is damaged, restore it from a backup or choose another --data-dir",
        path.display()
    )]
    Database {
        /// The database file.
        path: PathBuf,
        /// redb's explanation.
        reason: String,
    },
}

/// A redb (or encoding) failure inside the adapters, as text free of keys and
/// values; every redb error type converts into it, so `?` works across them.
#[derive(Debug)]
pub(crate) struct DbError(String);

impl DbError {
    /// A failure described by `text` (which must hold no key or value).
    pub(crate) fn from_text(text: impl Into<String>) -> Self {
        DbError(text.into())
    }

    /// As the [`PortError::Unavailable`] of `port`.
    pub(crate) fn port(self, port: &'static str) -> PortError {
        PortError::unavailable(port, self.0)
    }
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! from_redb {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for DbError {
            fn from(e: $t) -> Self {
                DbError(e.to_string())
            }
        }
    )*};
}

from_redb!(
    redb::Error,
    redb::StorageError,
    redb::TableError,
    redb::TransactionError,
    redb::CommitError,
    redb::SetDurabilityError,
);

impl From<serde_json::Error> for DbError {
    fn from(e: serde_json::Error) -> Self {
        // serde_json's messages can quote input; keep only the category.
        DbError(format!(
            "stored data is not readable ({:?} error)",
            e.classify()
        ))
    }
}
