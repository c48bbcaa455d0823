//! [`S3Blobs`]: the `BlobStore` port on one S3 bucket.
//!
//! | port call | S3 call | how |
//! |-----------|---------|-----|
//! | `put` | `PutObject` | `x-amz-checksum-sha256` of the content (S3 refuses a body that does not match), the hex SHA-256 also as user metadata `sha256`, SSE-KMS when a key is configured |
//! | `PutCondition::Absent` / `Matches(etag)` | `If-None-Match: *` / `If-Match: etag` | S3's answer 412 (or 404 for `If-Match` on a missing object, or 409 for a concurrent conditional write) is `PortError::ConditionFailed` — unless the object holds this call's own write (below) |
//! | (every put) | user metadata `lethe-write-id` | a fresh random id per port call; on a condition failure (or `NoSuchUpload` on a multipart completion) one `HeadObject` tells whether the object holds this call's id: an SDK retry that met its own earlier, applied attempt (the answer was lost), which is a success (`write_id`) |
//! | `put_file` | `PutObject` up to the multipart threshold (8 MiB), else `CreateMultipartUpload` + `UploadPart` (each part with its SHA-256) + `CompleteMultipartUpload` carrying the condition | the file is hashed first (the metadata is set at creation), and hashed again while uploading: a file that changed in between aborts the upload |
//! | `get` | `GetObject` | the body streams (`ByteStream::into_async_read`) |
//! | `head` | `HeadObject` | |
//! | `list` | `ListObjectsV2` (paginated) + `HeadObject` per object, 16 at a time | a listing carries no user metadata, so each object's SHA-256 costs one `HeadObject` |
//! | `delete` | `DeleteObject` | idempotent on S3 |
//! | `download_link` | a presigned `GetObject` | expires at the asked time; SigV4 allows at most 7 days, and a link signed with temporary credentials (a Lambda role) stops working when they expire, whichever is first (so the engine only asks for links that last minutes, each time a download is opened) |
//!
//! `BlobMeta::sha256` is what this adapter computed and stored as metadata
//! (for a multipart object S3's own checksum is a checksum of the parts'
//! checksums, not of the content). An object written by someone else
//! without that metadata reads with S3's full-object SHA-256 checksum if it
//! has one, else with an empty `sha256`. `BlobMeta::etag` is S3's ETag,
//! quotes included.
//!
//! Keys are checked as the local blob directory checks them (non-empty, at
//! most 1024 bytes, no NUL or backslash, no leading `/`, no empty, `.` or
//! `..` segment), so a key that works on AWS works locally and back.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode, ServerSideEncryption};
use aws_smithy_types::base64;
use bytes::Bytes;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use jiff::Timestamp;
use lethe_core::digest::sha256_hex;
use lethe_core::ports::{BlobMeta, BlobReader, BlobStore, PortError, PutCondition};
use sha2::{Digest, Sha256};

use crate::error::{AwsError, Failure, failure, setup, unavailable};

mod multipart;

const PORT: &str = "blob store";

/// The user-metadata key holding the content's hex SHA-256.
pub const SHA256_METADATA: &str = "sha256";

/// The user-metadata key holding the id of the write that made the
/// object (see `write_id`).
const WRITE_ID_METADATA: &str = "lethe-write-id";

/// Longest object key, in bytes (S3's limit).
const MAX_KEY_BYTES: usize = 1024;

/// Objects larger than this go up in parts by default.
pub const DEFAULT_MULTIPART_THRESHOLD: u64 = 8 * 1024 * 1024;

/// The default part size (S3's minimum is 5 MiB, except the last part).
pub const DEFAULT_PART_SIZE: usize = 8 * 1024 * 1024;

/// S3's smallest part (all but the last).
const MIN_PART_SIZE: usize = 5 * 1024 * 1024;

/// SigV4's longest presigned link.
const MAX_LINK: Duration = Duration::from_secs(7 * 24 * 3600);

/// How many `HeadObject` calls a listing runs at once.
const LIST_CONCURRENCY: usize = 16;

/// The `BlobStore` port on one S3 bucket.
#[derive(Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
    kms_key_id: Option<String>,
    multipart_threshold: u64,
    part_size: usize,
}

impl std::fmt::Debug for S3Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Blobs")
            .field("bucket", &self.bucket)
            .field("sse_kms", &self.kms_key_id.is_some())
            .field("multipart_threshold", &self.multipart_threshold)
            .field("part_size", &self.part_size)
            .finish_non_exhaustive()
    }
}

fn sha256_b64(bytes: &[u8]) -> String {
    base64::encode(Sha256::digest(bytes))
}

/// Checks an object key as the local blob directory does (without its
/// private `.lethe` folder, which S3 has no use for).
fn check_key(key: &str) -> Result<(), PortError> {
    let refuse = |why: &str| Err(PortError::invalid(PORT, format!("bad object key: {why}")));
    if key.is_empty() {
        return refuse("empty");
    }
    if key.len() > MAX_KEY_BYTES {
        return refuse("longer than 1024 bytes");
    }
    if key.contains('\0') || key.contains('\\') {
        return refuse("it contains NUL or a backslash");
    }
    if key.starts_with('/') {
        return refuse("it is an absolute path");
    }
    for segment in key.split('/') {
        match segment {
            "" => return refuse("it has an empty segment"),
            "." | ".." => return refuse("it has a `.` or `..` segment"),
            _ => {}
        }
    }
    Ok(())
}

/// Whether a failed conditional write is S3 saying "the condition does not
/// hold": 412, a 409 conflict between conditional writes, or 404 for
/// `If-Match` on a missing object.
fn is_condition_failure(f: &Failure, condition: &PutCondition) -> bool {
    match condition {
        PutCondition::Any => false,
        PutCondition::Absent => {
            f.status == Some(412)
                || f.is("PreconditionFailed")
                || f.is("ConditionalRequestConflict")
        }
        PutCondition::Matches(_) => {
            f.status == Some(412)
                || f.is("PreconditionFailed")
                || f.is("ConditionalRequestConflict")
                || f.status == Some(404)
                || f.is("NoSuchKey")
        }
    }
}

fn put_error(call: &str, f: &Failure, condition: &PutCondition) -> PortError {
    if is_condition_failure(f, condition) {
        PortError::ConditionFailed { what: "object" }
    } else if f.is("BadDigest") || f.is("InvalidDigest") || f.is("InvalidRequest") {
        PortError::invalid(PORT, format!("S3 refused the {call} ({})", f.detail))
    } else {
        unavailable(PORT, call, f)
    }
}

/// The SHA-256 from metadata, else from S3's full-object checksum.
fn sha256_of(
    metadata: Option<&std::collections::HashMap<String, String>>,
    checksum: Option<&str>,
) -> String {
    if let Some(hex) = metadata.and_then(|m| m.get(SHA256_METADATA)) {
        return hex.clone();
    }
    checksum
        .and_then(|c| base64::decode(c).ok())
        .filter(|raw| raw.len() == 32)
        .map(hex::encode)
        .unwrap_or_default()
}

impl S3Blobs {
    /// The adapter on `bucket` (which must exist), without SSE-KMS, with
    /// the default multipart threshold and part size.
    pub fn new(client: Client, bucket: impl Into<String>) -> S3Blobs {
        S3Blobs {
            client,
            bucket: bucket.into(),
            kms_key_id: None,
            multipart_threshold: DEFAULT_MULTIPART_THRESHOLD,
            part_size: DEFAULT_PART_SIZE,
        }
    }

    /// Encrypts every put under this KMS key (SSE-KMS).
    #[must_use]
    pub fn with_kms_key(mut self, key_id: impl Into<String>) -> S3Blobs {
        self.kms_key_id = Some(key_id.into());
        self
    }

    /// Sends `put_file` uploads larger than `threshold` bytes in parts of
    /// `part_size` bytes (at least 5 MiB, S3's minimum).
    #[must_use]
    pub fn with_multipart(mut self, threshold: u64, part_size: usize) -> S3Blobs {
        self.multipart_threshold = threshold;
        self.part_size = part_size.max(MIN_PART_SIZE);
        self
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    async fn head_meta(&self, key: &str) -> Result<Option<BlobMeta>, PortError> {
        Ok(self.head_with_write_id(key).await?.map(|(meta, _)| meta))
    }

    /// `HeadObject`: the object's meta and the id of the write that made
    /// it, if it has one.
    async fn head_with_write_id(
        &self,
        key: &str,
    ) -> Result<Option<(BlobMeta, Option<String>)>, PortError> {
        let out = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await;
        match out {
            Ok(o) => Ok(Some((
                BlobMeta {
                    key: key.to_owned(),
                    size: o
                        .content_length()
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(0),
                    sha256: sha256_of(o.metadata(), o.checksum_sha256()),
                    etag: o.e_tag().unwrap_or_default().to_owned(),
                },
                o.metadata().and_then(|m| m.get(WRITE_ID_METADATA)).cloned(),
            ))),
            Err(e) => {
                let f = failure(&e);
                if f.status == Some(404) || f.is("NotFound") || f.is("NoSuchKey") {
                    Ok(None)
                } else {
                    Err(unavailable(PORT, "HeadObject", &f))
                }
            }
        }
    }

    /// After a failed put that may have been applied (a condition failure
    /// of a retried attempt): the object's meta if it holds write
    /// `write_id`, that is, if this call's own write landed.
    async fn landed(&self, key: &str, write_id: &str) -> Result<Option<BlobMeta>, PortError> {
        Ok(self
            .head_with_write_id(key)
            .await?
            .and_then(|(meta, id)| (id.as_deref() == Some(write_id)).then_some(meta)))
    }

    /// Fails early when `condition` already does not hold (saves a large
    /// upload); the authoritative check is the conditional request itself.
    async fn precheck(&self, key: &str, condition: &PutCondition) -> Result<(), PortError> {
        let holds = match condition {
            PutCondition::Any => return Ok(()),
            PutCondition::Absent => self.head_meta(key).await?.is_none(),
            PutCondition::Matches(etag) => self
                .head_meta(key)
                .await?
                .is_some_and(|m| m.etag.trim_matches('"') == etag.trim_matches('"')),
        };
        if holds {
            Ok(())
        } else {
            Err(PortError::ConditionFailed { what: "object" })
        }
    }
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn put(
        &self,
        key: &str,
        content: Bytes,
        content_type: &str,
        condition: PutCondition,
    ) -> Result<BlobMeta, PortError> {
        check_key(key)?;
        let sha256 = sha256_hex(&content);
        let size = content.len() as u64;
        let write_id = crate::write_id::new_hex();
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .checksum_sha256(sha256_b64(&content))
            .metadata(SHA256_METADATA, &sha256)
            .metadata(WRITE_ID_METADATA, &write_id)
            .body(ByteStream::from(content));
        if let Some(kms) = &self.kms_key_id {
            req = req
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(kms);
        }
        req = match &condition {
            PutCondition::Any => req,
            PutCondition::Absent => req.if_none_match("*"),
            PutCondition::Matches(etag) => req.if_match(etag),
        };
        let out = match req.send().await {
            Ok(out) => out,
            Err(e) => {
                let f = failure(&e);
                if is_condition_failure(&f, &condition)
                    && let Some(meta) = self.landed(key, &write_id).await?
                {
                    tracing::debug!("a retried put met its own earlier attempt");
                    return Ok(meta);
                }
                return Err(put_error("PutObject", &f, &condition));
            }
        };
        Ok(BlobMeta {
            key: key.to_owned(),
            size,
            sha256,
            etag: out.e_tag().unwrap_or_default().to_owned(),
        })
    }

    async fn put_file(
        &self,
        key: &str,
        file: &Path,
        content_type: &str,
        condition: PutCondition,
    ) -> Result<BlobMeta, PortError> {
        check_key(key)?;
        let size = tokio::fs::metadata(file)
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    PortError::invalid(PORT, "the file to upload does not exist")
                }
                kind => PortError::unavailable(PORT, format!("reading the file: {kind}")),
            })?
            .len();
        if size <= self.multipart_threshold {
            let content = tokio::fs::read(file).await.map_err(|e| {
                PortError::unavailable(PORT, format!("reading the file: {}", e.kind()))
            })?;
            return self
                .put(key, Bytes::from(content), content_type, condition)
                .await;
        }
        self.put_multipart(key, file, size, content_type, condition)
            .await
    }

    async fn get(&self, key: &str) -> Result<(BlobMeta, BlobReader), PortError> {
        check_key(key)?;
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                let f = failure(&e);
                return Err(if f.status == Some(404) || f.is("NoSuchKey") {
                    PortError::NotFound { what: "object" }
                } else {
                    unavailable(PORT, "GetObject", &f)
                });
            }
        };
        let meta = BlobMeta {
            key: key.to_owned(),
            size: out
                .content_length()
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0),
            sha256: sha256_of(out.metadata(), out.checksum_sha256()),
            etag: out.e_tag().unwrap_or_default().to_owned(),
        };
        let reader: BlobReader = Box::pin(out.body.into_async_read());
        Ok((meta, reader))
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, PortError> {
        check_key(key)?;
        self.head_meta(key).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, PortError> {
        let mut keys = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| unavailable(PORT, "ListObjectsV2", &failure(&e)))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_owned)),
            );
        }
        let metas: Vec<Option<BlobMeta>> = stream::iter(keys)
            .map(|key| async move { self.head_meta(&key).await })
            .buffered(LIST_CONCURRENCY)
            .try_collect()
            .await?;
        // An object deleted between the listing and its HEAD is gone.
        Ok(metas.into_iter().flatten().collect())
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        check_key(key)?;
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| unavailable(PORT, "DeleteObject", &failure(&e)))?;
        Ok(())
    }

    async fn download_link(&self, key: &str, expires_at: Timestamp) -> Result<String, PortError> {
        check_key(key)?;
        let left = expires_at.duration_since(Timestamp::now());
        let secs = left.as_secs() + i64::from(left.subsec_nanos() > 0);
        if secs <= 0 {
            return Err(PortError::invalid(PORT, "the link's expiry is in the past"));
        }
        let expires_in = Duration::from_secs(secs.unsigned_abs());
        if expires_in > MAX_LINK {
            return Err(PortError::invalid(
                PORT,
                "a presigned link cannot last more than 7 days",
            ));
        }
        let presign = PresigningConfig::expires_in(expires_in)
            .map_err(|_| PortError::invalid(PORT, "the link's expiry is out of range"))?;
        let req = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(presign)
            .await
            .map_err(|e| unavailable(PORT, "presigning GetObject", &failure(&e)))?;
        Ok(req.uri().to_owned())
    }
}

/// Creates `bucket` (in the client's region) if it does not exist, and
/// returns the adapter on it.
///
/// # Errors
/// [`AwsError`] if a call fails.
pub async fn create_bucket(client: &Client, bucket: &str) -> Result<S3Blobs, AwsError> {
    let region = client
        .config()
        .region()
        .map(|r| r.as_ref().to_owned())
        .unwrap_or_else(|| crate::config::DEFAULT_REGION.to_owned());
    let mut req = client.create_bucket().bucket(bucket);
    if region != "us-east-1" {
        req = req.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                    region.as_str(),
                ))
                .build(),
        );
    }
    if let Err(e) = req.send().await {
        let f = failure(&e);
        if !(f.is("BucketAlreadyOwnedByYou") || f.is("BucketAlreadyExists")) {
            return Err(setup("S3 CreateBucket", &e));
        }
    }
    Ok(S3Blobs::new(client.clone(), bucket))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_like_the_local_store() {
        for good in ["a", "exports/t/r/export.json", "a/b.c/d", ".hidden/x"] {
            assert!(check_key(good).is_ok(), "{good}");
        }
        let long = "x".repeat(1025);
        for bad in [
            "",
            "/a",
            "a//b",
            "a/./b",
            "a/../b",
            "a\\b",
            "a\0b",
            "a/",
            long.as_str(),
        ] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sha256_prefers_metadata_then_a_full_checksum() {
        let content = b"one";
        let hex = sha256_hex(content);
        let meta = std::collections::HashMap::from([(SHA256_METADATA.to_owned(), hex.clone())]);
        assert_eq!(sha256_of(Some(&meta), None), hex);
        assert_eq!(sha256_of(None, Some(&sha256_b64(content))), hex);
        assert_eq!(sha256_of(None, Some("abc-2")), "");
        assert_eq!(sha256_of(None, None), "");
    }

    #[test]
    fn condition_failures_are_recognised() {
        let f = |code: &str, status: u16| Failure {
            code: Some(code.to_owned()),
            status: Some(status),
            detail: String::new(),
        };
        let m = PutCondition::Matches("\"e\"".into());
        assert!(is_condition_failure(
            &f("PreconditionFailed", 412),
            &PutCondition::Absent
        ));
        assert!(is_condition_failure(
            &f("ConditionalRequestConflict", 409),
            &PutCondition::Absent
        ));
        assert!(is_condition_failure(&f("NoSuchKey", 404), &m));
        assert!(!is_condition_failure(
            &f("NoSuchKey", 404),
            &PutCondition::Absent
        ));
        assert!(!is_condition_failure(
            &f("PreconditionFailed", 412),
            &PutCondition::Any
        ));
        assert!(!is_condition_failure(&f("InternalError", 500), &m));
    }
}
