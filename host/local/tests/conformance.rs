//! The shared conformance suite, run against the embedded backend: a fresh
//! data directory and a `ManualClock` per case.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use lethe_conformance::Backend;
use lethe_core::ports::ManualClock;
use lethe_local::{Local, LocalOptions};

async fn local_backend() -> Backend {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_second(1_750_000_000).expect("valid"),
    ));
    let local = Local::open(dir.path(), clock.clone(), LocalOptions::default()).expect("open");
    Backend {
        items: local.data.clone(),
        blobs: local.blobs.clone(),
        queue: local.queue.clone(),
        notifier: local.mailbox.clone(),
        wait: Arc::new(move |by| {
            clock.advance(SignedDuration::try_from(by).expect("a short wait"));
            Box::pin(async {})
        }),
        guard: Some(Arc::new(dir)),
    }
}

lethe_conformance::suite!(local_backend());
