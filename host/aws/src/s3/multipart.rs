//! Files larger than the multipart threshold: `CreateMultipartUpload`,
//! each part with its SHA-256, and `CompleteMultipartUpload` carrying the
//! put's condition; the file is hashed first (the metadata is set at
//! creation) and again while its parts go up, so a file that changed in
//! between aborts the upload.

use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart, ServerSideEncryption,
};
use lethe_core::ports::{BlobMeta, PortError, PutCondition};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use super::{
    PORT, S3Blobs, SHA256_METADATA, WRITE_ID_METADATA, is_condition_failure, put_error, sha256_b64,
};
use crate::error::{failure, unavailable};

impl S3Blobs {
    pub(super) async fn put_multipart(
        &self,
        key: &str,
        file: &Path,
        size: u64,
        content_type: &str,
        condition: PutCondition,
    ) -> Result<BlobMeta, PortError> {
        self.precheck(key, &condition).await?;
        let sha256 = hash_file(file).await?;
        let write_id = crate::write_id::new_hex();
        let mut create = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .checksum_algorithm(ChecksumAlgorithm::Sha256)
            .metadata(SHA256_METADATA, &sha256)
            .metadata(WRITE_ID_METADATA, &write_id);
        if let Some(kms) = &self.kms_key_id {
            create = create
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(kms);
        }
        let created = create
            .send()
            .await
            .map_err(|e| unavailable(PORT, "CreateMultipartUpload", &failure(&e)))?;
        let upload_id = created
            .upload_id()
            .ok_or_else(|| PortError::unavailable(PORT, "CreateMultipartUpload: no upload id"))?
            .to_owned();
        let result = self
            .upload_parts(
                key,
                file,
                &upload_id,
                (&sha256, &write_id),
                size,
                &condition,
            )
            .await;
        if result.is_err() {
            let aborted = self
                .client
                .abort_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(&upload_id)
                .send()
                .await;
            if let Err(e) = aborted {
                tracing::warn!(error = %failure(&e).detail, "could not abort a multipart upload (a lifecycle rule should)");
            }
        }
        result
    }

    async fn upload_parts(
        &self,
        key: &str,
        file: &Path,
        upload_id: &str,
        (sha256, write_id): (&str, &str),
        size: u64,
        condition: &PutCondition,
    ) -> Result<BlobMeta, PortError> {
        let mut f = tokio::fs::File::open(file)
            .await
            .map_err(|e| PortError::unavailable(PORT, format!("reading the file: {}", e.kind())))?;
        let mut whole = Sha256::new();
        let mut parts = Vec::new();
        let mut sent: u64 = 0;
        let mut number = 1;
        loop {
            let chunk = read_up_to(&mut f, self.part_size).await?;
            if chunk.is_empty() && number > 1 {
                break;
            }
            whole.update(&chunk);
            sent += chunk.len() as u64;
            let part_sum = sha256_b64(&chunk);
            let last = chunk.len() < self.part_size;
            let out = self
                .client
                .upload_part()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .checksum_algorithm(ChecksumAlgorithm::Sha256)
                .checksum_sha256(&part_sum)
                .body(ByteStream::from(chunk))
                .send()
                .await
                .map_err(|e| put_error("UploadPart", &failure(&e), &PutCondition::Any))?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(out.e_tag().map(str::to_owned))
                    .checksum_sha256(out.checksum_sha256().unwrap_or(&part_sum))
                    .build(),
            );
            number += 1;
            if last {
                break;
            }
        }
        if hex::encode(whole.finalize()) != sha256 || sent != size {
            return Err(PortError::invalid(
                PORT,
                "the file changed while it was uploaded",
            ));
        }
        let mut complete = self
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            );
        complete = match condition {
            PutCondition::Any => complete,
            PutCondition::Absent => complete.if_none_match("*"),
            PutCondition::Matches(etag) => complete.if_match(etag),
        };
        let out = match complete.send().await {
            Ok(out) => out,
            Err(e) => {
                let f = failure(&e);
                // A retried completion whose first attempt was applied
                // finds the upload gone, or the condition moved by itself.
                let maybe_ours = is_condition_failure(&f, condition) || f.is("NoSuchUpload");
                if maybe_ours && let Some(meta) = self.landed(key, write_id).await? {
                    tracing::debug!("a retried completion met its own earlier attempt");
                    return Ok(meta);
                }
                return Err(put_error("CompleteMultipartUpload", &f, condition));
            }
        };
        Ok(BlobMeta {
            key: key.to_owned(),
            size,
            sha256: sha256.to_owned(),
            etag: out.e_tag().unwrap_or_default().to_owned(),
        })
    }
}

/// Reads up to `n` bytes (fewer only at the end of the file).
async fn read_up_to(f: &mut tokio::fs::File, n: usize) -> Result<Vec<u8>, PortError> {
    let mut buf = Vec::with_capacity(n);
    let read = f
        .take(n as u64)
        .read_to_end(&mut buf)
        .await
        .map_err(|e| PortError::unavailable(PORT, format!("reading the file: {}", e.kind())))?;
    buf.truncate(read);
    Ok(buf)
}

/// The hex SHA-256 of a file, streamed.
async fn hash_file(file: &Path) -> Result<String, PortError> {
    let mut f = tokio::fs::File::open(file)
        .await
        .map_err(|e| PortError::unavailable(PORT, format!("reading the file: {}", e.kind())))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1024 * 1024];
    loop {
        let n = f
            .read(&mut buf)
            .await
            .map_err(|e| PortError::unavailable(PORT, format!("reading the file: {}", e.kind())))?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}
