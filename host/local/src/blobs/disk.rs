//! The blocking file work of [`BlobDir`](super::BlobDir): atomic writes,
//! metadata sidecars, listing. Run on tokio's blocking pool.
//!
//! An object is its content file at `root/{key}` plus a sidecar at
//! `root/.lethe/meta/{key}.meta` caching its SHA-256. The sidecar records
//! the content file's size, modification time and inode; when they do not
//! match (a crash between the two renames, or a file copied in by hand) the
//! hash is recomputed and the sidecar rewritten, so it is never trusted
//! blindly.

use std::fs::{self, File};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use lethe_core::ports::{BlobMeta, PortError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::PORT;
use super::key::{INTERNAL, content_path, sidecar_path};

const CHUNK: usize = 64 * 1024;

/// The sidecar's content.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
struct Sidecar {
    sha256: String,
    size: u64,
    modified_ns: i128,
    inode: u64,
}

/// What identifies one version of a content file on disk.
fn identity(meta: &fs::Metadata) -> (u64, i128, u64) {
    let modified_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i128::try_from(d.as_nanos()).unwrap_or(0));
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0;
    (meta.len(), modified_ns, inode)
}

/// An I/O failure as [`PortError::Unavailable`] (paths are left out: they
/// hold keys).
pub(crate) fn io_error(e: &io::Error) -> PortError {
    PortError::unavailable(PORT, format!("file system: {}", e.kind()))
}

/// A file being written under `root/.lethe/tmp`, hashed as it goes, and
/// removed if dropped before [`Partial::commit`].
pub(crate) struct Partial {
    path: PathBuf,
    file: Option<File>,
    hasher: Sha256,
    size: u64,
}

impl Partial {
    /// A new empty partial file.
    pub(crate) fn create(root: &Path) -> io::Result<Partial> {
        let dir = root.join(INTERNAL).join("tmp");
        fs::create_dir_all(&dir)?;
        let mut name = [0u8; 12];
        getrandom::fill(&mut name).map_err(|e| io::Error::other(e.to_string()))?;
        let path = dir.join(format!("{}.part", hex::encode(name)));
        let file = File::options().write(true).create_new(true).open(&path)?;
        Ok(Partial {
            path,
            file: Some(file),
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// Appends `bytes`.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
        match &mut self.file {
            Some(f) => f.write_all(bytes),
            None => Err(io::Error::other("partial file already closed")),
        }
    }

    /// Appends everything `source` reads, a chunk at a time.
    pub(crate) fn copy_from(&mut self, source: &mut impl Read) -> io::Result<()> {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.write(&buf[..n])?;
        }
    }

    /// Flushes to disk and gives the SHA-256 (hex) and size written.
    pub(crate) fn finish(&mut self) -> io::Result<(String, u64)> {
        if let Some(f) = &mut self.file {
            f.sync_all()?;
        }
        self.file = None;
        let sha = hex::encode(std::mem::take(&mut self.hasher).finalize());
        Ok((sha, self.size))
    }

    /// Moves the finished file to `key`'s place (atomically replacing any
    /// object there) and writes its sidecar.
    pub(crate) fn commit(mut self, root: &Path, key: &str, sha256: &str) -> Result<(), PortError> {
        let target = content_path(root, key);
        let parent = target.parent().unwrap_or(root).to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| conflict_or_io(&e))?;
        fs::rename(&self.path, &target).map_err(|e| conflict_or_io(&e))?;
        self.path = PathBuf::new();
        sync_dir(&parent).map_err(|e| io_error(&e))?;
        let meta = fs::metadata(&target).map_err(|e| io_error(&e))?;
        write_sidecar(root, key, sha256, &meta).map_err(|e| io_error(&e))
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        self.file = None;
        if !self.path.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// A key that collides with another key's folder (`a` vs `a/b`) cannot be
/// stored as files; say so rather than report an I/O failure.
fn conflict_or_io(e: &io::Error) -> PortError {
    match e.kind() {
        io::ErrorKind::IsADirectory
        | io::ErrorKind::NotADirectory
        | io::ErrorKind::DirectoryNotEmpty
        | io::ErrorKind::AlreadyExists => PortError::invalid(
            PORT,
            "the key collides with another object's folder (`a` and `a/b` cannot both exist locally)",
        ),
        _ => io_error(e),
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn write_sidecar(root: &Path, key: &str, sha256: &str, meta: &fs::Metadata) -> io::Result<()> {
    let (size, modified_ns, inode) = identity(meta);
    let sidecar = Sidecar {
        sha256: sha256.to_owned(),
        size,
        modified_ns,
        inode,
    };
    let path = sidecar_path(root, key);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    // Written without fsync: a torn sidecar fails to parse or to match, and
    // is recomputed.
    let tmp = path.with_extension("meta.tmp");
    fs::write(
        &tmp,
        serde_json::to_vec(&sidecar).map_err(io::Error::other)?,
    )?;
    fs::rename(&tmp, &path)
}

/// The metadata of the object whose content is `file` (with metadata
/// `meta`): from its sidecar if that matches, otherwise by hashing the file
/// (which is left positioned at its start).
fn describe(root: &Path, key: &str, file: &mut File, meta: &fs::Metadata) -> io::Result<BlobMeta> {
    let (size, modified_ns, inode) = identity(meta);
    let cached = fs::read(sidecar_path(root, key))
        .ok()
        .and_then(|b| serde_json::from_slice::<Sidecar>(&b).ok())
        .filter(|s| s.size == size && s.modified_ns == modified_ns && s.inode == inode);
    let sha256 = match cached {
        Some(s) => s.sha256,
        None => {
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; CHUNK];
            loop {
                match file.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => hasher.update(&buf[..n]),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            file.rewind()?;
            let sha = hex::encode(hasher.finalize());
            // Best effort: a sidecar that cannot be written is recomputed next time.
            let _ = write_sidecar(root, key, &sha, meta);
            sha
        }
    };
    Ok(BlobMeta {
        key: key.to_owned(),
        size,
        etag: sha256.clone(),
        sha256,
    })
}

/// Opens the object `key`: its metadata and its content, positioned at the
/// start. `None` if there is no such object.
pub(crate) fn open(root: &Path, key: &str) -> io::Result<Option<(BlobMeta, File)>> {
    let mut file = match File::open(content_path(root, key)) {
        Ok(f) => f,
        Err(e) if is_absent(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(None);
    }
    let described = describe(root, key, &mut file, &meta)?;
    Ok(Some((described, file)))
}

fn is_absent(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// Deletes the object `key` (and folders left empty); absent is fine.
pub(crate) fn remove(root: &Path, key: &str) -> io::Result<()> {
    let content = content_path(root, key);
    match fs::symlink_metadata(&content) {
        Ok(m) if m.is_file() => fs::remove_file(&content)?,
        Ok(_) => return Ok(()),
        Err(e) if is_absent(&e) => {}
        Err(e) => return Err(e),
    }
    let sidecar = sidecar_path(root, key);
    match fs::remove_file(&sidecar) {
        Err(e) if !is_absent(&e) => return Err(e),
        _ => {}
    }
    prune(root, content.parent());
    prune(&root.join(INTERNAL).join("meta"), sidecar.parent());
    Ok(())
}

/// Removes empty folders from `dir` up to (not including) `stop`.
fn prune(stop: &Path, mut dir: Option<&Path>) {
    while let Some(d) = dir {
        if d == stop || !d.starts_with(stop) || fs::remove_dir(d).is_err() {
            return;
        }
        dir = d.parent();
    }
}

/// Every object whose key starts with `prefix`, sorted by key.
pub(crate) fn list(root: &Path, prefix: &str) -> io::Result<Vec<BlobMeta>> {
    // Walk only the folder the prefix names (up to its last `/`).
    let dir_part = prefix.rfind('/').map_or("", |i| &prefix[..i]);
    if !dir_part.is_empty() && super::key::check(dir_part).is_err() {
        return Ok(Vec::new()); // no valid key can start with it
    }
    let start = if dir_part.is_empty() {
        root.to_path_buf()
    } else {
        content_path(root, dir_part)
    };
    let mut keys = Vec::new();
    walk(&start, dir_part, &mut keys)?;
    keys.retain(|k| k.starts_with(prefix));
    keys.sort();
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        // Deleted since the walk: skip.
        if let Some((meta, _)) = open(root, &key)? {
            out.push(meta);
        }
    }
    Ok(out)
}

fn walk(dir: &Path, key_prefix: &str, out: &mut Vec<String>) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if is_absent(&e) => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue; // not UTF-8: not a key this store wrote
        };
        if key_prefix.is_empty() && name == INTERNAL {
            continue;
        }
        let key = if key_prefix.is_empty() {
            name
        } else {
            format!("{key_prefix}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), &key, out)?;
        } else if kind.is_file() {
            out.push(key);
        }
    }
    Ok(())
}

/// Removes partial files older than an hour: leftovers of a crash.
pub(crate) fn sweep_partials(root: &Path) {
    let Ok(entries) = fs::read_dir(root.join(INTERNAL).join("tmp")) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
}
