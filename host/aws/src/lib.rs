//! Lethe's AWS backend: the engine's ports on DynamoDB, S3, SQS and SESv2,
//! through the AWS SDK for Rust.
//!
//! | port (`lethe_core::ports`) | adapter | AWS resource | setup helper |
//! |----------------------------|---------|--------------|--------------|
//! | `ItemStore` | [`DynamoTable`] | one DynamoDB table: `pk`/`sk`, GSI `gsi1` (`gsi1pk`/`gsi1sk`), TTL on `expires_at` | [`create_table`] |
//! | `BlobStore` | [`S3Blobs`] | one bucket; SHA-256 checksums, optional SSE-KMS | [`create_bucket`] |
//! | `JobQueue` | [`SqsQueue`] | a standard queue with a redrive policy to its dead-letter queue | [`create_queues`] |
//! | `Notifier` | [`SesMailer`] | SESv2 from one verified sender | [`create_email_identity`] |
//!
//! Each module's docs map the port's calls to AWS calls. The shared rules:
//!
//! - **Same behaviour as the local backend.** One conformance suite
//!   (`lethe-conformance`) runs against both; limits the local backend
//!   enforces (key lengths, 400 KB records, 256 KiB messages, blob key
//!   shapes) are enforced here before any call, so the two refuse the
//!   same requests the same way (`PortError::Invalid`).
//! - **Conditions are answers.** DynamoDB's `ConditionalCheckFailed` and
//!   S3's `412 Precondition Failed` become `PortError::ConditionFailed`,
//!   on which the engine builds its idempotency.
//! - **Retries.** The SDK's standard retry strategy (exponential backoff
//!   with jitter, bounded attempts: [`AwsConfig`]) retries throttling, 5xx
//!   and timeouts on every call; the adapters retry what a successful batch
//!   call left undone. What still fails is `PortError::Unavailable`.
//! - **A retry that meets its own write is a success.** When a write
//!   happened but its answer was lost (a 500 or a dropped connection after
//!   the service applied it), the SDK's retry finds the write already
//!   there and a conditional write fails its own condition. Every
//!   DynamoDB put and S3 put carries a random write id; a condition
//!   failure whose record or object holds this call's id is the call's
//!   own earlier attempt, and the adapter answers success (see
//!   `write_id`).
//! - **No personal data in errors or logs.** Keys can hold customer ids:
//!   errors carry the call, the AWS error code, the HTTP status and the
//!   request id, never the service's message, a key or a value.
//!
//! [`AwsConfig::from_env`] reads endpoints, credentials, region and
//! resource names from the environment ([`AwsConfig::emulator`] pins an
//! emulator's endpoint and test credentials); [`Aws::open`] builds every
//! adapter from it.
//!
//! Tests: `scripts/with-moto.sh cargo test -p lethe-aws --features
//! moto-tests` runs the shared conformance suite and this crate's own moto
//! cases against a moto server started on a free loopback port.

#![forbid(unsafe_code)]

mod backoff;
mod config;
mod dynamo;
mod error;
mod s3;
mod ses;
pub mod settings;
mod sqs;
mod write_id;

use std::sync::Arc;

pub use config::{
    AwsConfig, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_MAX_ATTEMPTS, DEFAULT_REGION, RETRY_QUOTA,
    RETRY_REFILL_PER_SEC, RETRY_REWARD,
};
pub use dynamo::{BATCH_CONCURRENCY, DynamoTable, create_table};
pub use error::AwsError;
pub use s3::{
    DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, S3Blobs, SHA256_METADATA, create_bucket,
};
pub use ses::{SesMailer, create_email_identity};
pub use settings::SettingsError;
pub use sqs::{MAX_MESSAGE_BYTES, SqsQueue, create_queues};

/// Every adapter, on the resources an [`AwsConfig`] names.
#[derive(Clone, Debug)]
pub struct Aws {
    /// The data table.
    pub data: Arc<DynamoTable>,
    /// The control table.
    pub control: Arc<DynamoTable>,
    /// The bucket.
    pub blobs: Arc<S3Blobs>,
    /// The chunk queue.
    pub queue: Arc<SqsQueue>,
    /// The mailer.
    pub mailer: Arc<SesMailer>,
}

impl Aws {
    /// Builds every adapter on existing resources (the queue is opened to
    /// find its dead-letter queue; nothing else is called).
    ///
    /// # Errors
    /// [`AwsError`] if the queue cannot be opened.
    pub async fn open(config: &AwsConfig) -> Result<Aws, AwsError> {
        let ddb = config.dynamodb();
        let mut blobs = S3Blobs::new(config.s3(), &config.bucket);
        if let Some(key) = &config.kms_key_id {
            blobs = blobs.with_kms_key(key);
        }
        Ok(Aws {
            data: Arc::new(DynamoTable::new(ddb.clone(), &config.data_table)),
            control: Arc::new(DynamoTable::new(ddb, &config.control_table)),
            blobs: Arc::new(blobs),
            queue: Arc::new(SqsQueue::open(&config.sqs(), &config.queue).await?),
            mailer: Arc::new(SesMailer::new(config.sesv2(), &config.mail_from)),
        })
    }
}
