//! [`BlobDir`]: an S3-shaped object store over a directory.
//!
//! Object `a/b.json` is the file `root/a/b.json`, so the objects can be
//! read with ordinary tools. Writes go to a partial file under
//! `root/.lethe/tmp`, are fsynced, and are renamed into place: a reader
//! sees the old object or the new one, never half of one. The SHA-256 (also
//! the etag) is cached in a sidecar under `root/.lethe/meta` (see
//! [`disk`]). Conditional puts check and rename under one mutex, so they
//! are race-free within the process that owns the directory.

mod disk;
mod key;
mod link;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use jiff::Timestamp;
use lethe_core::ports::{BlobMeta, BlobReader, BlobStore, PortError, PutCondition};

use crate::error::LocalError;
pub use link::LinkError;

const PORT: &str = "blob store";

/// An object store in a directory, implementing [`BlobStore`], with signed
/// download links served by the local server.
#[derive(Clone)]
pub struct BlobDir {
    inner: Arc<Inner>,
}

struct Inner {
    root: PathBuf,
    link_base: String,
    link_key: [u8; 32],
    /// Held while a write checks its condition and moves into place, and
    /// while a delete runs.
    commit: Mutex<()>,
}

impl std::fmt::Debug for BlobDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobDir")
            .field("root", &self.inner.root)
            .field("link_base", &self.inner.link_base)
            .finish_non_exhaustive()
    }
}

/// Where a put's content comes from.
enum Source {
    Bytes(Bytes),
    File(PathBuf),
}

impl BlobDir {
    /// The store rooted at `root` (created if missing). Download links start
    /// with `link_base` (such as `http://127.0.0.1:8080`) and are signed
    /// with `link_key`.
    ///
    /// # Errors
    /// [`LocalError::Directory`] if `root` cannot be created.
    pub fn new(root: &Path, link_base: String, link_key: [u8; 32]) -> Result<BlobDir, LocalError> {
        std::fs::create_dir_all(root.join(key::INTERNAL).join("tmp")).map_err(|source| {
            LocalError::Directory {
                path: root.to_path_buf(),
                source,
            }
        })?;
        disk::sweep_partials(root);
        Ok(BlobDir {
            inner: Arc::new(Inner {
                root: root.to_path_buf(),
                link_base,
                link_key,
                commit: Mutex::new(()),
            }),
        })
    }

    /// The directory the objects live in.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// Checks a download link's parts: `key` (URL-decoded), `expires` (unix
    /// seconds) and `sig` (hex), as [`BlobStore::download_link`] made them,
    /// at time `now`. The signature is compared in constant time.
    ///
    /// # Errors
    /// [`LinkError::BadSignature`] for a link this store did not sign (or
    /// one changed since), [`LinkError::Expired`] after its expiry.
    pub fn verify_link(
        &self,
        key: &str,
        expires: i64,
        sig: &str,
        now: Timestamp,
    ) -> Result<(), LinkError> {
        link::verify(&self.inner.link_key, key, expires, sig, now)
    }

    async fn put_from(
        &self,
        key: &str,
        source: Source,
        condition: PutCondition,
    ) -> Result<BlobMeta, PortError> {
        key::check(key)?;
        let inner = Arc::clone(&self.inner);
        let key = key.to_owned();
        blocking(move || inner.put(&key, source, &condition)).await
    }
}

impl Inner {
    fn put(
        &self,
        key: &str,
        source: Source,
        condition: &PutCondition,
    ) -> Result<BlobMeta, PortError> {
        let io = |e: std::io::Error| disk::io_error(&e);
        let mut partial = disk::Partial::create(&self.root).map_err(io)?;
        match source {
            Source::Bytes(bytes) => partial.write(&bytes).map_err(io)?,
            Source::File(path) => {
                let mut file = std::fs::File::open(&path).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        PortError::invalid(PORT, "the file to upload does not exist")
                    } else {
                        io(e)
                    }
                })?;
                partial.copy_from(&mut file).map_err(io)?;
            }
        }
        let (sha256, size) = partial.finish().map_err(io)?;
        let _guard = self
            .commit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = disk::open(&self.root, key)
            .map_err(io)?
            .map(|(meta, _)| meta);
        let holds = match (condition, &current) {
            (PutCondition::Any, _) | (PutCondition::Absent, None) => true,
            (PutCondition::Matches(etag), Some(meta)) => meta.etag == *etag,
            (PutCondition::Absent, Some(_)) | (PutCondition::Matches(_), None) => false,
        };
        if !holds {
            return Err(PortError::ConditionFailed { what: "object" });
        }
        partial.commit(&self.root, key, &sha256)?;
        Ok(BlobMeta {
            key: key.to_owned(),
            size,
            etag: sha256.clone(),
            sha256,
        })
    }
}

/// Runs file work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, PortError> + Send + 'static,
) -> Result<T, PortError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| PortError::unavailable(PORT, format!("blob task failed: {e}")))?
}

#[async_trait]
impl BlobStore for BlobDir {
    async fn put(
        &self,
        key: &str,
        content: Bytes,
        _content_type: &str,
        condition: PutCondition,
    ) -> Result<BlobMeta, PortError> {
        self.put_from(key, Source::Bytes(content), condition).await
    }

    async fn put_file(
        &self,
        key: &str,
        file: &Path,
        _content_type: &str,
        condition: PutCondition,
    ) -> Result<BlobMeta, PortError> {
        self.put_from(key, Source::File(file.to_path_buf()), condition)
            .await
    }

    async fn get(&self, key: &str) -> Result<(BlobMeta, BlobReader), PortError> {
        key::check(key)?;
        let root = self.inner.root.clone();
        let key = key.to_owned();
        let (meta, file) =
            blocking(move || disk::open(&root, &key).map_err(|e| disk::io_error(&e)))
                .await?
                .ok_or(PortError::NotFound { what: "object" })?;
        let reader: BlobReader = Box::pin(tokio::fs::File::from_std(file));
        Ok((meta, reader))
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, PortError> {
        key::check(key)?;
        let root = self.inner.root.clone();
        let key = key.to_owned();
        blocking(move || {
            disk::open(&root, &key)
                .map(|found| found.map(|(meta, _)| meta))
                .map_err(|e| disk::io_error(&e))
        })
        .await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, PortError> {
        let root = self.inner.root.clone();
        let prefix = prefix.to_owned();
        blocking(move || disk::list(&root, &prefix).map_err(|e| disk::io_error(&e))).await
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        key::check(key)?;
        let inner = Arc::clone(&self.inner);
        let key = key.to_owned();
        blocking(move || {
            let _guard = inner
                .commit
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            disk::remove(&inner.root, &key).map_err(|e| disk::io_error(&e))
        })
        .await
    }

    async fn download_link(&self, key: &str, expires_at: Timestamp) -> Result<String, PortError> {
        key::check(key)?;
        Ok(link::sign(
            &self.inner.link_base,
            &self.inner.link_key,
            key,
            expires_at.as_second(),
        ))
    }
}
