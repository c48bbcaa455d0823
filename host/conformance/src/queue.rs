//! Cases for `JobQueue`: at-least-once delivery, visibility, release, dead
//! letters, stale receipts and volume. Each case expects a queue of its
//! own, empty at its start.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::Backend;
use crate::support::{eventually, receive_n, unique};

/// The visibility timeout the cases use: whole seconds (SQS's unit).
pub const VISIBILITY: Duration = Duration::from_secs(3);

/// Longer than [`VISIBILITY`]: after this, a received message is visible
/// again.
const PAST_VISIBILITY: Duration = Duration::from_secs(4);

/// Long enough that nothing reappears during a case.
const LONG: Duration = Duration::from_secs(120);

fn bodies(prefix: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("{{\"case\":\"{prefix}\",\"n\":{i}}}"))
        .collect()
}

async fn nothing_visible(b: &Backend, what: &str) {
    let got = b.queue.receive(10, LONG).await.expect("receive");
    assert!(got.is_empty(), "{what}: got {} deliveries", got.len());
}

/// Sent messages are received once each (count 1) and, once acknowledged,
/// never again.
pub async fn send_receive_ack(b: &Backend) {
    let prefix = unique("send");
    let sent = bodies(&prefix, 3);
    b.queue.send(sent.clone()).await.expect("send");
    let got = receive_n(b, 3, VISIBILITY).await;
    assert_eq!(got.len(), 3);
    let got_bodies: HashSet<&str> = got.iter().map(|d| d.body.as_str()).collect();
    assert_eq!(got_bodies, sent.iter().map(String::as_str).collect());
    assert!(got.iter().all(|d| d.receive_count == 1));
    let ids: HashSet<&str> = got.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), 3, "ids are distinct");
    for d in &got {
        b.queue.ack(&d.receipt).await.expect("ack");
    }
    b.wait(PAST_VISIBILITY).await;
    nothing_visible(b, "after acking everything").await;
}

/// Sending nothing is fine; receiving from an empty queue gives nothing.
pub async fn send_empty(b: &Backend) {
    b.queue.send(Vec::new()).await.expect("send nothing");
    nothing_visible(b, "an empty queue").await;
    assert!(
        b.queue
            .receive(0, VISIBILITY)
            .await
            .expect("receive 0")
            .is_empty()
    );
}

/// A received message stays hidden for the visibility timeout, then comes
/// back with the same id, a higher count and a new receipt.
pub async fn visibility_timeout_redelivers(b: &Backend) {
    let prefix = unique("visibility");
    b.queue.send(bodies(&prefix, 1)).await.expect("send");
    let first = receive_n(b, 1, VISIBILITY).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].receive_count, 1);
    nothing_visible(b, "during the visibility timeout").await;
    b.wait(PAST_VISIBILITY).await;
    let second = receive_n(b, 1, VISIBILITY).await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, first[0].id);
    assert_eq!(second[0].body, first[0].body);
    assert_eq!(second[0].receive_count, 2);
    assert_ne!(second[0].receipt, first[0].receipt);
    b.queue.ack(&second[0].receipt).await.expect("ack");
}

/// A released message comes back after the delay, not before.
pub async fn release_with_delay(b: &Backend) {
    let prefix = unique("release");
    b.queue.send(bodies(&prefix, 1)).await.expect("send");
    let first = receive_n(b, 1, LONG).await;
    assert_eq!(first.len(), 1);
    b.queue
        .release(&first[0].receipt, Duration::from_secs(2))
        .await
        .expect("release");
    nothing_visible(b, "before the release delay").await;
    b.wait(Duration::from_secs(3)).await;
    let again = receive_n(b, 1, LONG).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].receive_count, 2);
    b.queue.ack(&again[0].receipt).await.expect("ack");
}

/// A message released with no delay can be received at once.
pub async fn release_without_delay(b: &Backend) {
    let prefix = unique("release0");
    b.queue.send(bodies(&prefix, 1)).await.expect("send");
    let first = receive_n(b, 1, LONG).await;
    assert_eq!(first.len(), 1);
    b.queue
        .release(&first[0].receipt, Duration::ZERO)
        .await
        .expect("release");
    let again = receive_n(b, 1, LONG).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].receive_count, 2);
}

/// After `max_receives` deliveries a message is not delivered again; it is
/// in the dead-letter queue, with its body.
pub async fn dead_letter_after_max_receives(b: &Backend) {
    let prefix = unique("dead");
    let sent = bodies(&prefix, 1);
    b.queue.send(sent.clone()).await.expect("send");
    let max = b.queue.max_receives();
    assert!(
        (1..=20).contains(&max),
        "max_receives {max} is out of range for this case"
    );
    let mut id = None;
    for n in 1..=max {
        let got = receive_n(b, 1, VISIBILITY).await;
        assert_eq!(got.len(), 1, "delivery {n} of {max}");
        assert_eq!(got[0].receive_count, n);
        id = Some(got[0].id.clone());
        b.wait(PAST_VISIBILITY).await;
    }
    let id = id.expect("delivered at least once");
    nothing_visible(b, "after max_receives deliveries").await;
    eventually(b, "the message in the dead-letter queue", || {
        let (id, body) = (&id, &sent[0]);
        async move {
            let dead = b.queue.dead_letters(10).await.expect("dead_letters");
            dead.iter().any(|d| &d.id == id && &d.body == body)
        }
    })
    .await;
    // Reading dead letters does not remove them.
    assert!(
        !b.queue
            .dead_letters(10)
            .await
            .expect("dead_letters")
            .is_empty()
    );
}

/// Acknowledging with a receipt from an earlier delivery, or twice, is not
/// an error.
pub async fn ack_of_stale_receipt_is_fine(b: &Backend) {
    let prefix = unique("stale");
    b.queue.send(bodies(&prefix, 1)).await.expect("send");
    let first = receive_n(b, 1, VISIBILITY).await;
    assert_eq!(first.len(), 1);
    b.wait(PAST_VISIBILITY).await;
    let second = receive_n(b, 1, LONG).await;
    assert_eq!(second.len(), 1);
    b.queue
        .ack(&first[0].receipt)
        .await
        .expect("ack with a stale receipt");
    b.queue.ack(&second[0].receipt).await.expect("ack");
    b.queue.ack(&second[0].receipt).await.expect("ack twice");
    nothing_visible(b, "after acking").await;
}

/// Many messages (more than one send batch, more than one receive) are
/// each delivered exactly once when acknowledged promptly.
pub async fn many_messages_delivered_once(b: &Backend) {
    const N: usize = 250;
    let prefix = unique("many");
    let sent = bodies(&prefix, N);
    b.queue.send(sent.clone()).await.expect("send");
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut bodies_seen = HashSet::new();
    let mut empty = 0;
    for _ in 0..500 {
        if seen.len() == N || empty >= 20 {
            break;
        }
        let got = b.queue.receive(10, LONG).await.expect("receive");
        if got.is_empty() {
            empty += 1;
            b.wait(Duration::from_millis(50)).await;
        }
        for d in got {
            *seen.entry(d.id.clone()).or_default() += 1;
            bodies_seen.insert(d.body.clone());
            b.queue.ack(&d.receipt).await.expect("ack");
        }
    }
    assert_eq!(seen.len(), N, "every message delivered");
    assert!(seen.values().all(|&n| n == 1), "no message delivered twice");
    assert_eq!(bodies_seen, sent.into_iter().collect::<HashSet<_>>());
    nothing_visible(b, "after acking all").await;
}
