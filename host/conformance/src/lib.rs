//! One conformance suite for every backend of Lethe's ports.
//!
//! The ports (`lethe_core::ports`) define behaviour in their docs; this
//! crate turns each documented behaviour into a test case, written once
//! against a [`Backend`] of trait objects, so that `lethe-local` (redb,
//! files) and `lethe-aws` (DynamoDB, S3, SQS, SESv2, tested against moto)
//! are held to the same contract.
//!
//! | module | port | what the cases check |
//! |--------|------|----------------------|
//! | [`items`] | `ItemStore` | versions, every `Condition` passing and failing, key ranges, paging, the sparse index, batches, limits |
//! | [`blobs`] | `BlobStore` | round trips, SHA-256, `Absent` / `Matches`, large files, streaming reads, prefixes, links |
//! | [`queue`] | `JobQueue` | at-least-once delivery, visibility, release, dead letters, stale receipts, volume |
//! | [`notify`] | `Notifier` | every kind sends |
//!
//! A backend's test file runs them all with [`suite!`], which makes one
//! `#[tokio::test]` per case (named `items::query_ranges` and so on):
//!
//! ```ignore
//! async fn backend() -> lethe_conformance::Backend { /* a fresh backend */ }
//! lethe_conformance::suite!(backend());
//! ```
//!
//! Every case keys its records and objects under a random prefix of its
//! own, so item tables and buckets may be shared between cases (and runs).
//! The queue may not: a case counts every message it receives, so the
//! backend expression must give each case a fresh queue. Time passes only
//! through [`Backend::wait`]: a `ManualClock` advance for local backends, a
//! real sleep for servers, so each case is short and bounded either way.

#![forbid(unsafe_code)]

pub mod blobs;
pub mod items;
pub mod notify;
pub mod queue;
mod support;

use std::any::Any;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use lethe_core::ports::{BlobStore, ItemStore, JobQueue, Notifier};

pub use support::{read_pages, unique};

/// A boxed, sendable future: the same type as `futures::future::BoxFuture`,
/// spelled out so this crate needs no `futures`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The ports under test, as one case sees them.
#[derive(Clone)]
pub struct Backend {
    /// One item table.
    pub items: Arc<dyn ItemStore>,
    /// The blob store.
    pub blobs: Arc<dyn BlobStore>,
    /// A queue of this case's own (empty at the start of the case).
    pub queue: Arc<dyn JobQueue>,
    /// The notifier.
    pub notifier: Arc<dyn Notifier>,
    /// Lets time pass: advances the clock the backend was given, or sleeps
    /// for a real server.
    pub wait: Arc<dyn Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync>,
    /// Whatever must live as long as the case (a temporary directory, a
    /// server handle); dropped after it.
    pub guard: Option<Arc<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend").finish_non_exhaustive()
    }
}

impl Backend {
    /// Lets `by` pass.
    pub async fn wait(&self, by: Duration) {
        (self.wait)(by).await;
    }
}

/// How long one case may take before it fails: generous for real servers
/// (the dead-letter case waits out several visibility timeouts).
pub const CASE_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs one case under [`CASE_TIMEOUT`]; used by [`suite!`].
///
/// # Panics
/// If the case panics (fails) or runs out of time.
pub async fn run_case(name: &str, case: impl Future<Output = ()>) {
    if tokio::time::timeout(CASE_TIMEOUT, case).await.is_err() {
        panic!("conformance case {name} took longer than {CASE_TIMEOUT:?}");
    }
}

/// Expands to one `#[tokio::test]` per conformance case, grouped in modules
/// `items`, `blobs`, `queue` and `notify` (so the calling file must not
/// define modules of those names). `$make` is an expression of type
/// `impl Future<Output = Backend>`, evaluated afresh for every case; it may
/// name items of the calling module. The calling crate needs `tokio` with
/// the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! suite {
    ($make:expr) => {
        $crate::__cases! { $make;
            items {
                put_get_roundtrip,
                versions_bump_on_every_write,
                condition_absent,
                condition_exists,
                condition_version,
                delete_conditions,
                query_ranges,
                query_does_not_leak_partitions,
                query_pagination,
                query_pagination_with_prefix,
                query_index_sparse,
                query_index_moves_and_removals,
                query_index_pagination,
                write_batch_mixed_conditions,
                write_batch_empty,
                invalid_requests,
                expires_at_roundtrip,
            }
            blobs {
                put_get_head_delete,
                sha256_and_etag,
                empty_object,
                put_absent,
                put_matches,
                put_any_overwrites,
                put_file_large,
                streaming_get,
                list_by_prefix,
                missing_objects,
                download_link_differs_by_expiry,
            }
            queue {
                send_receive_ack,
                send_empty,
                visibility_timeout_redelivers,
                release_with_delay,
                release_without_delay,
                dead_letter_after_max_receives,
                ack_of_stale_receipt_is_fine,
                many_messages_delivered_once,
            }
            notify {
                send_every_kind,
            }
        }
    };
}

/// The expansion of [`suite!`]; not for direct use.
#[doc(hidden)]
#[macro_export]
macro_rules! __cases {
    ($make:expr; $($module:ident { $($case:ident),* $(,)? })*) => {
        $(
            mod $module {
                #[allow(unused_imports)]
                use super::*;
                $(
                    #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $case() {
                        let backend: $crate::Backend = $make.await;
                        $crate::run_case(
                            concat!(stringify!($module), "::", stringify!($case)),
                            $crate::$module::$case(&backend),
                        )
                        .await;
                    }
                )*
            }
        )*
    };
}
