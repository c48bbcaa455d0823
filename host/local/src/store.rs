//! The redb database behind the item tables and the queue: one file,
//! `lethe.redb`, in the data directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};

use crate::error::{DbError, LocalError};
use crate::items::LocalTable;

/// The database file's name inside the data directory.
pub const DATABASE_FILE: &str = "lethe.redb";

/// Small settings the backend keeps for itself (the link key).
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("lethe/meta");

/// How hard a commit works to survive a crash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// Every commit is on disk when it returns (fsync). The default, and
    /// the only choice for real data.
    #[default]
    Immediate,
    /// Commits are not flushed: fast, for benchmarks and throw-away demos.
    /// A crash (or a kill) loses every write since the last flushed commit,
    /// and the queue's at-least-once promise does not hold across it.
    None,
}

/// The embedded item store: one redb database file holding any number of
/// tables (see [`LocalStore::table`]) and the local queue's tables.
#[derive(Clone)]
pub struct LocalStore {
    db: Arc<Database>,
    durability: Durability,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore")
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

impl LocalStore {
    /// Opens (or creates) `dir/lethe.redb`, creating `dir` if missing.
    ///
    /// # Errors
    /// [`LocalError::Locked`] if another process has it open, or why the
    /// directory or file cannot be used.
    pub fn open(dir: &Path, durability: Durability) -> Result<LocalStore, LocalError> {
        std::fs::create_dir_all(dir).map_err(|source| LocalError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DATABASE_FILE);
        let db = Database::create(&path).map_err(|e| open_error(dir, &path, e))?;
        Ok(LocalStore {
            db: Arc::new(db),
            durability,
        })
    }

    /// The item table `name` (such as `"data"` or `"control"`), created on
    /// its first write. Tables of one store share the database file but
    /// never each other's keys.
    pub fn table(&self, name: &'static str) -> LocalTable {
        LocalTable::new(self.clone(), name)
    }

    /// The durability commits are made with.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    /// Begins a write transaction with the store's durability.
    pub(crate) fn begin_write(&self) -> Result<WriteTransaction, DbError> {
        let mut txn = self.db.begin_write()?;
        if self.durability == Durability::None {
            txn.set_durability(redb::Durability::None)?;
        }
        Ok(txn)
    }

    /// Begins a read transaction.
    pub(crate) fn begin_read(&self) -> Result<redb::ReadTransaction, DbError> {
        Ok(self.db.begin_read()?)
    }

    /// The 32-byte secret under `name` in the meta table, generated (from
    /// the operating system's randomness) and stored on first use.
    pub(crate) fn secret(&self, name: &str) -> Result<[u8; 32], DbError> {
        let txn = self.begin_write()?;
        let key = {
            let mut meta = txn.open_table(META)?;
            let existing = meta
                .get(name)?
                .and_then(|v| <[u8; 32]>::try_from(v.value()).ok());
            match existing {
                Some(key) => key,
                None => {
                    let mut key = [0u8; 32];
                    getrandom::fill(&mut key)
                        .map_err(|e| DbError::from_text(format!("no randomness: {e}")))?;
                    meta.insert(name, key.as_slice())?;
                    key
                }
            }
        };
        txn.commit()?;
        Ok(key)
    }
}

fn open_error(dir: &Path, path: &Path, e: redb::DatabaseError) -> LocalError {
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen => LocalError::Locked {
            dir: dir.to_path_buf(),
        },
        redb::DatabaseError::UpgradeRequired(version) => LocalError::UpgradeRequired {
            path: path.to_path_buf(),
            version,
        },
        redb::DatabaseError::Storage(redb::StorageError::Io(source))
            if source.kind() == std::io::ErrorKind::PermissionDenied =>
        {
            LocalError::Directory {
                path: dir.to_path_buf(),
                source,
            }
        }
        other => LocalError::Database {
            path: PathBuf::from(path),
            reason: other.to_string(),
        },
    }
}
