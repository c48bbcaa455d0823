//! The blob store: an S3-shaped store of objects with checksums.

use std::path::Path;
use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncRead;

use super::PortError;

/// What the store knows of one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobMeta {
    /// Its key, such as `exports/acme/req-1/export.json`.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lowercase hex; checked by the backend on
    /// upload.
    pub sha256: String,
    /// An opaque version tag for [`PutCondition::Matches`]: changes whenever
    /// the object is written.
    pub etag: String,
}

/// When a put may happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PutCondition {
    /// Always (create or overwrite).
    Any,
    /// Only if no object exists under the key.
    Absent,
    /// Only if the object exists and its etag is this one (`If-Match`): the
    /// object has not changed since it was read.
    Matches(String),
}

/// A streaming read of an object's content.
pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

/// An S3-shaped object store. Keys are `/`-separated paths.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `content` under `key` if `condition` holds, with its SHA-256.
    async fn put(
        &self,
        key: &str,
        content: Bytes,
        content_type: &str,
        condition: PutCondition,
    ) -> Result<BlobMeta, PortError>;

    /// Stores the content of a local file, streaming (multipart on S3), for
    /// objects too large to hold in memory.
    async fn put_file(
        &self,
        key: &str,
        file: &Path,
        content_type: &str,
        condition: PutCondition,
    ) -> Result<BlobMeta, PortError>;

    /// A streaming read of the object; [`PortError::NotFound`] if absent.
    async fn get(&self, key: &str) -> Result<(BlobMeta, BlobReader), PortError>;

    /// The object's metadata, if it exists.
    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, PortError>;

    /// Every object whose key starts with `prefix`, in key order.
    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, PortError>;

    /// Deletes the object; deleting an absent object is not an error.
    async fn delete(&self, key: &str) -> Result<(), PortError>;

    /// A link anyone holding it can download the object through, until
    /// `expires_at` (a presigned GET on S3, a signed URL locally).
    async fn download_link(&self, key: &str, expires_at: Timestamp) -> Result<String, PortError>;
}

/// Reads a whole object into memory. For objects known to be small.
///
/// # Errors
/// [`PortError::NotFound`] or a read failure.
pub async fn read_all(blobs: &dyn BlobStore, key: &str) -> Result<(BlobMeta, Vec<u8>), PortError> {
    use tokio::io::AsyncReadExt;
    let (meta, mut reader) = blobs.get(key).await?;
    let mut out = Vec::with_capacity(usize::try_from(meta.size).unwrap_or(0));
    reader
        .read_to_end(&mut out)
        .await
        .map_err(|e| PortError::unavailable("blob store", e))?;
    Ok((meta, out))
}
