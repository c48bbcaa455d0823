//! [`SqsQueue`]: the `JobQueue` port on an SQS standard queue and its
//! dead-letter queue.
//!
//! | port call | SQS call | how |
//! |-----------|----------|-----|
//! | `send` | `SendMessageBatch` | groups of at most 10 messages and 256 KiB; entries SQS could not take are retried with exponential backoff and jitter, a bounded number of times; entries it refuses (sender fault) are `PortError::Invalid` |
//! | `receive` | `ReceiveMessage` | `VisibilityTimeout` = the asked visibility in whole seconds (rounded up; SQS's unit), at most 10 messages (SQS's limit), `receive_count` from `ApproximateReceiveCount` |
//! | `ack` | `DeleteMessage` | a stale or already-used receipt is not an error (the port says so) |
//! | `release` | `ChangeMessageVisibility` | the delay becomes the new visibility timeout; a stale receipt is ignored, as the local queue ignores it |
//! | dead-lettering | the queue's redrive policy | SQS moves a message to the DLQ when it would be received more than `maxReceiveCount` times; [`SqsQueue::open`] reads that count from the policy |
//! | `dead_letters` | `ReceiveMessage` on the DLQ, `VisibilityTimeout: 0` | a peek that leaves the messages where they are; deduplicated by id, sorted by `SentTimestamp`. SQS samples servers on a short poll, so this is best effort for large DLQs (an operator's view, not an exact count) |
//!
//! Message bodies keep the local queue's limit (256 KiB) and are refused
//! as `Invalid` if they hold characters SQS does not accept.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{
    MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry,
};
use lethe_core::ports::{Delivery, JobQueue, PortError, QueueMessage};

use crate::backoff;
use crate::error::{AwsError, failure, setup, unavailable};

const PORT: &str = "job queue";

/// Largest message body, in bytes (the local queue's limit, SQS's classic
/// one).
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// Most entries in one `SendMessageBatch` / `ReceiveMessage` (SQS's limit).
const BATCH_MAX: usize = 10;

/// Longest visibility timeout SQS accepts, in seconds (12 hours).
const MAX_VISIBILITY_SECS: u64 = 43_200;

/// The `JobQueue` port on an SQS queue with a redrive policy.
#[derive(Clone)]
pub struct SqsQueue {
    client: Client,
    queue_url: String,
    dlq_url: String,
    max_receives: u32,
    wait_time_secs: i32,
}

impl std::fmt::Debug for SqsQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqsQueue")
            .field("queue_url", &self.queue_url)
            .field("dlq_url", &self.dlq_url)
            .field("max_receives", &self.max_receives)
            .finish_non_exhaustive()
    }
}

/// Whole seconds, rounded up, within SQS's range.
fn whole_seconds(d: Duration) -> i32 {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    i32::try_from(secs.min(MAX_VISIBILITY_SECS)).unwrap_or(i32::MAX)
}

/// Whether SQS accepts every character of `body`.
fn sqs_accepts(body: &str) -> bool {
    body.chars().all(|c| {
        matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
    })
}

/// Splits messages into `SendMessageBatch` groups: at most 10 entries and
/// at most 256 KiB of bodies each; returns index ranges.
fn batches(messages: &[QueueMessage]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, m) in messages.iter().enumerate() {
        if i > start && (i - start == BATCH_MAX || bytes + m.len() > MAX_MESSAGE_BYTES) {
            out.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += m.len();
    }
    if start < messages.len() {
        out.push(start..messages.len());
    }
    out
}

fn delivery(m: &aws_sdk_sqs::types::Message) -> Option<Delivery> {
    Some(Delivery {
        id: m.message_id()?.to_owned(),
        receipt: m.receipt_handle()?.to_owned(),
        body: m.body().unwrap_or_default().to_owned(),
        receive_count: m
            .attributes()
            .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
            .and_then(|c| c.parse().ok())
            .unwrap_or(1),
    })
}

impl SqsQueue {
    /// Opens queue `name`: finds its URL, and its dead-letter queue and
    /// `maxReceiveCount` through its redrive policy.
    ///
    /// # Errors
    /// [`AwsError`] if a call fails or the queue has no redrive policy.
    pub async fn open(client: &Client, name: &str) -> Result<SqsQueue, AwsError> {
        let queue_url = client
            .get_queue_url()
            .queue_name(name)
            .send()
            .await
            .map_err(|e| setup("SQS GetQueueUrl", &e))?
            .queue_url
            .ok_or_else(|| AwsError::Setup("SQS GetQueueUrl returned no URL".into()))?;
        let attrs = client
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::RedrivePolicy)
            .send()
            .await
            .map_err(|e| setup("SQS GetQueueAttributes", &e))?;
        let policy = attrs
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::RedrivePolicy))
            .ok_or_else(|| {
                AwsError::Setup(format!(
                    "queue {name} has no redrive policy (no dead-letter queue)"
                ))
            })?;
        let policy: serde_json::Value = serde_json::from_str(policy)
            .map_err(|_| AwsError::Setup(format!("queue {name}: unreadable redrive policy")))?;
        let max_receives = match &policy["maxReceiveCount"] {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        }
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| AwsError::Setup(format!("queue {name}: no maxReceiveCount")))?;
        let arn = policy["deadLetterTargetArn"]
            .as_str()
            .ok_or_else(|| AwsError::Setup(format!("queue {name}: no deadLetterTargetArn")))?;
        // arn:aws:sqs:region:account:name
        let mut parts = arn.rsplitn(3, ':');
        let dlq_name = parts.next().unwrap_or_default();
        let account = parts.next().unwrap_or_default();
        let dlq_url = client
            .get_queue_url()
            .queue_name(dlq_name)
            .queue_owner_aws_account_id(account)
            .send()
            .await
            .map_err(|e| setup("SQS GetQueueUrl (dead-letter queue)", &e))?
            .queue_url
            .ok_or_else(|| AwsError::Setup("SQS GetQueueUrl returned no URL".into()))?;
        Ok(SqsQueue {
            client: client.clone(),
            queue_url,
            dlq_url,
            max_receives,
            wait_time_secs: 0,
        })
    }

    /// Long-polls `receive` for up to `wait` (at most 20 s, SQS's limit);
    /// the default, zero, answers at once (a short poll).
    #[must_use]
    pub fn with_wait_time(mut self, wait: Duration) -> SqsQueue {
        self.wait_time_secs = whole_seconds(wait).min(20);
        self
    }

    /// The queue's URL.
    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    /// The dead-letter queue's URL.
    pub fn dead_letter_queue_url(&self) -> &str {
        &self.dlq_url
    }

    async fn send_batch(&self, messages: &[QueueMessage]) -> Result<(), PortError> {
        let mut pending: Vec<SendMessageBatchRequestEntry> = Vec::with_capacity(messages.len());
        for (i, body) in messages.iter().enumerate() {
            pending.push(
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .map_err(|_| {
                        PortError::unavailable(
                            PORT,
                            "SendMessageBatch: the request could not be built",
                        )
                    })?,
            );
        }
        let mut attempt = 0;
        loop {
            let out = self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(pending.clone()))
                .send()
                .await;
            let out = match out {
                Ok(o) => o,
                Err(e) => {
                    let f = failure(&e);
                    return Err(match e.as_service_error() {
                        Some(se)
                            if se.is_batch_request_too_long() || se.is_invalid_batch_entry_id() =>
                        {
                            PortError::invalid(
                                PORT,
                                format!("SQS refused the batch ({})", f.detail),
                            )
                        }
                        _ => unavailable(PORT, "SendMessageBatch", &f),
                    });
                }
            };
            let failed = out.failed();
            if failed.is_empty() {
                return Ok(());
            }
            if let Some(bad) = failed.iter().find(|f| f.sender_fault()) {
                return Err(PortError::invalid(
                    PORT,
                    format!("SQS refused a message ({})", bad.code()),
                ));
            }
            let retry: HashSet<&str> = failed.iter().map(|f| f.id()).collect();
            pending.retain(|e| retry.contains(e.id()));
            if attempt >= backoff::MAX_BATCH_RETRIES {
                return Err(PortError::unavailable(
                    PORT,
                    format!(
                        "SendMessageBatch: {} messages not accepted after retries",
                        pending.len()
                    ),
                ));
            }
            backoff::sleep(attempt).await;
            attempt += 1;
        }
    }

    async fn receive_from(
        &self,
        url: &str,
        max: usize,
        visibility_secs: i32,
        wait_secs: i32,
    ) -> Result<Vec<aws_sdk_sqs::types::Message>, PortError> {
        let out = self
            .client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(i32::try_from(max.min(BATCH_MAX)).unwrap_or(1))
            .visibility_timeout(visibility_secs)
            .wait_time_seconds(wait_secs)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .message_system_attribute_names(MessageSystemAttributeName::SentTimestamp)
            .send()
            .await
            .map_err(|e| unavailable(PORT, "ReceiveMessage", &failure(&e)))?;
        Ok(out.messages.unwrap_or_default())
    }
}

#[async_trait]
impl JobQueue for SqsQueue {
    async fn send(&self, messages: Vec<QueueMessage>) -> Result<(), PortError> {
        if messages.iter().any(|m| m.len() > MAX_MESSAGE_BYTES) {
            return Err(PortError::invalid(
                PORT,
                format!("a message is larger than {MAX_MESSAGE_BYTES} bytes"),
            ));
        }
        if messages.iter().any(|m| m.is_empty() || !sqs_accepts(m)) {
            return Err(PortError::invalid(
                PORT,
                "a message is empty or holds characters SQS does not accept",
            ));
        }
        for range in batches(&messages) {
            self.send_batch(&messages[range]).await?;
        }
        Ok(())
    }

    async fn receive(&self, max: usize, visibility: Duration) -> Result<Vec<Delivery>, PortError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let got = self
            .receive_from(
                &self.queue_url,
                max,
                whole_seconds(visibility),
                self.wait_time_secs,
            )
            .await?;
        Ok(got.iter().filter_map(delivery).collect())
    }

    async fn ack(&self, receipt: &str) -> Result<(), PortError> {
        let out = self
            .client
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt)
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                // Already deleted, or a receipt from an earlier delivery.
                Some(se) if se.is_receipt_handle_is_invalid() || se.is_invalid_id_format() => {
                    Ok(())
                }
                _ => Err(unavailable(PORT, "DeleteMessage", &failure(&e))),
            },
        }
    }

    async fn release(&self, receipt: &str, delay: Duration) -> Result<(), PortError> {
        let out = self
            .client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(receipt)
            .visibility_timeout(whole_seconds(delay))
            .send()
            .await;
        match out {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                // Acknowledged already, or delivered again since.
                Some(se) if se.is_message_not_inflight() || se.is_receipt_handle_is_invalid() => {
                    Ok(())
                }
                _ => Err(unavailable(PORT, "ChangeMessageVisibility", &failure(&e))),
            },
        }
    }

    async fn dead_letters(&self, max: usize) -> Result<Vec<Delivery>, PortError> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let mut seen: HashMap<String, (u64, Delivery)> = HashMap::new();
        let rounds = max.div_ceil(BATCH_MAX) + 2;
        for _ in 0..rounds {
            let got = self.receive_from(&self.dlq_url, BATCH_MAX, 0, 0).await?;
            let mut new = 0;
            for m in &got {
                let sent = m
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::SentTimestamp))
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(u64::MAX);
                if let Some(d) = delivery(m)
                    && !seen.contains_key(&d.id)
                {
                    new += 1;
                    seen.insert(d.id.clone(), (sent, d));
                }
            }
            if new == 0 || seen.len() >= max {
                break;
            }
        }
        let mut out: Vec<(u64, Delivery)> = seen.into_values().collect();
        out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        Ok(out.into_iter().take(max).map(|(_, d)| d).collect())
    }

    fn max_receives(&self) -> u32 {
        self.max_receives
    }
}

/// Creates queue `name` and its dead-letter queue `{name}-dlq` (14 days'
/// retention), with a redrive policy moving a message there after
/// `max_receives` receives, and opens it. Queues that already exist with
/// the same attributes are reused.
///
/// # Errors
/// [`AwsError`] if a call fails.
pub async fn create_queues(
    client: &Client,
    name: &str,
    max_receives: u32,
) -> Result<SqsQueue, AwsError> {
    let dlq_url = client
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .attributes(QueueAttributeName::MessageRetentionPeriod, "1209600")
        .send()
        .await
        .map_err(|e| setup("SQS CreateQueue (dead-letter queue)", &e))?
        .queue_url
        .ok_or_else(|| AwsError::Setup("SQS CreateQueue returned no URL".into()))?;
    let arn = client
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| setup("SQS GetQueueAttributes", &e))?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .ok_or_else(|| AwsError::Setup("the dead-letter queue has no ARN".into()))?;
    let policy = serde_json::json!({
        "deadLetterTargetArn": arn,
        "maxReceiveCount": max_receives.max(1).to_string(),
    });
    client
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
        .send()
        .await
        .map_err(|e| setup("SQS CreateQueue", &e))?;
    SqsQueue::open(client, name).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_count_and_size() {
        let small: Vec<String> = (0..25).map(|i| format!("m{i}")).collect();
        assert_eq!(batches(&small), vec![0..10, 10..20, 20..25]);
        assert!(batches(&[]).is_empty());
        let big = "x".repeat(100 * 1024);
        let mixed = vec![big.clone(), big.clone(), big.clone(), "y".into()];
        assert_eq!(batches(&mixed), vec![0..2, 2..4]);
    }

    #[test]
    fn visibility_rounds_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::ZERO), 0);
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(3)), 3);
        assert_eq!(whole_seconds(Duration::from_secs(100_000)), 43_200);
    }

    #[test]
    fn refuses_what_sqs_refuses() {
        assert!(sqs_accepts("{\"job\":\"j-1\",\"chunk\":3} é ✓ 🎉\n\t"));
        assert!(!sqs_accepts("a\u{0}b"));
        assert!(!sqs_accepts("\u{FFFF}"));
    }
}
