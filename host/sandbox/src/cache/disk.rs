//! The disk tier: artifacts as files under one directory (the Lambda's
//! `/tmp`, or `{data_dir}/plugin-cache` on one machine).
//!
//! ```text
//! {dir}/{engine hash}/{module sha256}.cwasm        an artifact
//! {dir}/records/{engine hash}/{module sha256}.json its record, only when the
//!                                                  cache has no control table
//! ```
//!
//! Files are written whole to a temporary name in the same directory and
//! renamed into place, so a reader sees the old file or the new one, never
//! half of one (and a torn file after a crash fails its digest check
//! anyway). A file's size is compared with the record before it is read,
//! so a swapped, huge file is refused without being loaded into memory.
//!
//! With a budget, the least recently used artifacts of the engine (by
//! modification time, which a hit refreshes) are deleted after a write
//! until the directory fits.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use crate::digest::{Digest, EngineHash};

/// What reading an artifact file found.
pub(crate) enum Read {
    /// No file.
    Missing,
    /// A file of another size than recorded: refused unread.
    WrongSize,
    /// The file's bytes (not yet checked against the record's digest).
    Bytes(Vec<u8>),
}

/// The artifact directory.
#[derive(Clone, Debug)]
pub(crate) struct DiskDir {
    root: PathBuf,
    budget: Option<u64>,
}

impl DiskDir {
    pub(crate) fn new(root: PathBuf, budget: Option<u64>) -> Self {
        DiskDir { root, budget }
    }

    /// Where the artifact of `module` under `engine` lives.
    pub(crate) fn artifact_path(&self, engine: &EngineHash, module: &Digest) -> PathBuf {
        self.root
            .join(engine.to_string())
            .join(format!("{module}.cwasm"))
    }

    /// Where the record of `module` under `engine` lives, when records are
    /// kept on disk.
    pub(crate) fn record_path(&self, engine: &EngineHash, module: &Digest) -> PathBuf {
        self.root
            .join("records")
            .join(engine.to_string())
            .join(format!("{module}.json"))
    }

    /// Writes `bytes` to `path` atomically, then keeps the engine's
    /// artifacts within the budget.
    pub(crate) fn write_artifact(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        write_atomic(path, bytes)?;
        if let (Some(budget), Some(dir)) = (self.budget, path.parent()) {
            prune(dir, budget, path);
        }
        Ok(())
    }
}

/// Reads `path` if it is exactly `size` bytes.
pub(crate) fn read(path: &Path, size: u64) -> io::Result<Read> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Read::Missing),
        Err(e) => return Err(e),
    };
    if !meta.is_file() || meta.len() != size {
        return Ok(Read::WrongSize);
    }
    match fs::read(path) {
        Ok(bytes) if bytes.len() as u64 == size => Ok(Read::Bytes(bytes)),
        Ok(_) => Ok(Read::WrongSize),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Read::Missing),
        Err(e) => Err(e),
    }
}

/// Reads a small file (a record) of at most `limit` bytes; `None` if absent.
pub(crate) fn read_small(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    match fs::metadata(path) {
        Ok(meta) if meta.len() > limit => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "record file larger than any record",
        )),
        Ok(_) => fs::read(path).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Marks `path` as just used (its modification time), for the budget.
pub(crate) fn touch(path: &Path) {
    let _ = fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()));
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no parent directory"))?;
    fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Deletes the least recently used `.cwasm` files of `dir` (never `keep`)
/// until they total at most `budget` bytes.
fn prune(dir: &Path, budget: u64, keep: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((meta.modified().ok()?, meta.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
    files.sort();
    for (_, len, path) in files {
        if total <= budget {
            break;
        }
        if path != keep && fs::remove_file(&path).is_ok() {
            total = total.saturating_sub(len);
        }
    }
}
