//! The local queue's own promises beyond the shared suite: oldest first,
//! exact dead-lettering, stale receipts doing nothing, limits, counts.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use lethe_core::ports::{JobQueue, ManualClock, PortError};
use lethe_local::{Durability, LocalQueue, LocalStore, MAX_MESSAGE_BYTES, QueueStats};

struct Fixture {
    _dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    queue: LocalQueue,
}

fn fixture(max_receives: u32, durability: Durability) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = LocalStore::open(dir.path(), durability).expect("open");
    let clock = Arc::new(ManualClock::new(
        Timestamp::from_second(1_750_000_000).expect("valid"),
    ));
    let queue = LocalQueue::new(&store, "test", clock.clone(), max_receives);
    Fixture {
        _dir: dir,
        clock,
        queue,
    }
}

const VIS: Duration = Duration::from_secs(10);

#[tokio::test]
async fn oldest_first() {
    let f = fixture(5, Durability::Immediate);
    f.queue
        .send((0..5).map(|i| format!("m{i}")).collect())
        .await
        .expect("send");
    f.queue.send(vec!["m5".into()]).await.expect("send");
    let got = f.queue.receive(4, VIS).await.expect("receive");
    let bodies: Vec<&str> = got.iter().map(|d| d.body.as_str()).collect();
    assert_eq!(bodies, ["m0", "m1", "m2", "m3"]);
    // Released m1 goes back to its place in line.
    f.queue
        .release(&got[1].receipt, Duration::ZERO)
        .await
        .expect("release");
    let next = f.queue.receive(10, VIS).await.expect("receive");
    let bodies: Vec<&str> = next.iter().map(|d| d.body.as_str()).collect();
    assert_eq!(bodies, ["m1", "m4", "m5"]);
}

#[tokio::test]
async fn dead_letters_after_exactly_max_receives() {
    let f = fixture(2, Durability::Immediate);
    f.queue
        .send(vec!["poison".into(), "fine".into()])
        .await
        .expect("send");
    for round in 1..=2 {
        let got = f.queue.receive(10, VIS).await.expect("receive");
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|d| d.receive_count == round));
        // "fine" is acked on its second delivery.
        if round == 2 {
            let fine = got.iter().find(|d| d.body == "fine").expect("fine");
            f.queue.ack(&fine.receipt).await.expect("ack");
        }
        f.clock.advance(SignedDuration::from_secs(11));
    }
    assert!(f.queue.receive(10, VIS).await.expect("receive").is_empty());
    let dead = f.queue.dead_letters(10).await.expect("dead");
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].body.as_str(), dead[0].receive_count),
        ("poison", 2)
    );
    assert_eq!(
        f.queue.stats().expect("stats"),
        QueueStats {
            pending: 0,
            dead: 1
        }
    );
    assert_eq!(f.queue.dead_letters(0).await.expect("dead").len(), 0);
}

#[tokio::test]
async fn a_stale_receipt_does_nothing() {
    let f = fixture(5, Durability::Immediate);
    f.queue.send(vec!["m".into()]).await.expect("send");
    let first = f.queue.receive(1, VIS).await.expect("receive").remove(0);
    f.clock.advance(SignedDuration::from_secs(11));
    let second = f.queue.receive(1, VIS).await.expect("receive").remove(0);
    // Acking or releasing the first delivery leaves the second alone.
    f.queue.ack(&first.receipt).await.expect("stale ack");
    f.queue
        .release(&first.receipt, Duration::ZERO)
        .await
        .expect("stale release");
    assert!(f.queue.receive(1, VIS).await.expect("receive").is_empty());
    assert_eq!(f.queue.stats().expect("stats").pending, 1);
    f.queue.ack(&second.receipt).await.expect("ack");
    assert_eq!(f.queue.stats().expect("stats").pending, 0);
}

#[tokio::test]
async fn an_ack_after_the_timeout_but_before_redelivery_still_counts() {
    let f = fixture(5, Durability::Immediate);
    f.queue.send(vec!["m".into()]).await.expect("send");
    let d = f.queue.receive(1, VIS).await.expect("receive").remove(0);
    f.clock.advance(SignedDuration::from_secs(60));
    f.queue.ack(&d.receipt).await.expect("late ack");
    assert!(f.queue.receive(1, VIS).await.expect("receive").is_empty());
}

#[tokio::test]
async fn malformed_receipts_and_oversized_messages_are_invalid() {
    let f = fixture(5, Durability::Immediate);
    assert!(matches!(
        f.queue.ack("garbage").await,
        Err(PortError::Invalid { .. })
    ));
    assert!(matches!(
        f.queue.release("", Duration::ZERO).await,
        Err(PortError::Invalid { .. })
    ));
    let big = "x".repeat(MAX_MESSAGE_BYTES + 1);
    assert!(matches!(
        f.queue.send(vec!["ok".into(), big]).await,
        Err(PortError::Invalid { .. })
    ));
    assert_eq!(
        f.queue.stats().expect("stats").pending,
        0,
        "nothing of a refused send is queued"
    );
}

#[tokio::test]
async fn no_durability_still_works_within_the_process() {
    let f = fixture(5, Durability::None);
    f.queue
        .send((0..100).map(|i| i.to_string()).collect())
        .await
        .expect("send");
    let mut seen = 0;
    loop {
        let got = f.queue.receive(7, VIS).await.expect("receive");
        if got.is_empty() {
            break;
        }
        for d in got {
            f.queue.ack(&d.receipt).await.expect("ack");
            seen += 1;
        }
    }
    assert_eq!(seen, 100);
}
