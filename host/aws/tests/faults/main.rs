//! Fault tests: throttling, 5xx, dropped connections, half-done batches
//! and lost answers, injected between the adapters and moto by
//! `lethe-fault-proxy`; the final state is read directly from moto (a
//! second configuration, without the proxy).
//!
//! ```text
//! scripts/with-moto.sh cargo test -p lethe-aws --features moto-tests --test faults
//! ```
//!
//! One module per service (`dynamodb`, `s3`, `sqs`, `ses`), the outage of
//! all of them (`outage`), and stalled calls (`timeouts`); `support` holds
//! what they share.
//!
//! What each case shows:
//!
//! | case | faults | shows |
//! |------|--------|-------|
//! | `dynamodb_throttling_loses_and_duplicates_nothing` | every 2nd write / query throttled, half-done `BatchWriteItem`s, short query pages, 500s on reads | every record once, at the expected version |
//! | `dynamodb_concurrent_throttling_keeps_its_retries` | 800 concurrent writes, each throttled once | the retry quota holds: every write lands (the SDK's default quota leaked under concurrency; `AwsConfig` now sets its own) |
//! | `dynamodb_lost_answers_on_conditional_writes` | conditional `UpdateItem`s done, then answered 500 or dropped | the SDK's retry meets its own write; the adapter recognises it and answers success with the right version (no false `ConditionFailed`, no double bump); real conflicts still fail |
//! | `s3_faults_keep_contents_exact` | 5xx / `SlowDown` / dropped connections on puts, gets, heads, parts, listing | contents and SHA-256 exact |
//! | `s3_lost_answers_on_conditional_puts` | `If-Match` / `If-None-Match` puts and multipart completions done, then answered 500 | success, not `ConditionFailed`; real conflicts still fail |
//! | `sqs_faults_deliver_every_message_once` | throttled / half-done sends, 503 receives, 500 deletes | every message delivered and acknowledged once; queue and DLQ empty |
//! | `sqs_lost_answers_are_redelivered_not_lost` | a send, a receive and a delete done, then failed | at-least-once: the resent batch is a duplicate (SQS standard queues cannot dedupe), the lost receive comes back after its visibility timeout, the repeated delete is harmless; nothing lost, DLQ empty |
//! | `ses_throttling_sends_once` | 429 `TooManyRequestsException`, then a send done and answered 500 | one mail after throttling; a lost answer sends twice (SES has no idempotency token) |
//! | `a_permanent_outage_is_unavailable_within_a_bound` | 503 on every call | `Unavailable` after the configured attempts, in bounded time, naming no key or value |
//! | `a_stalled_attempt_is_given_up_and_retried` | the first `GetItem` and the first `PutObject` held 5 s | each call succeeds on its second attempt, well before the stall would have ended |
//! | `a_service_that_stays_stalled_is_unavailable_within_a_bound` | every `GetItem` held 5 s | `Unavailable` ("timed out") after the configured attempts, naming no key |
//!
//! Each case has its own table, bucket and queues (`cf-faults-*`), so
//! cases run in parallel against one moto server.

#![cfg(feature = "moto-tests")]

mod dynamodb;
mod outage;
mod s3;
mod ses;
mod sqs;
mod support;
mod timeouts;
