//! SQS: throttled and half-done sends, failed receives and deletes deliver
//! every message; lost answers are redelivered, not lost.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use lethe_aws::{AwsConfig, SqsQueue, create_queues};
use lethe_conformance::unique;
use lethe_core::ports::JobQueue;
use lethe_fault_proxy::{Fault, FaultPlan, Rule};

use crate::support::{direct, proxied, within};

/// Messages still in the queue, visible or not (moto's counts are exact).
async fn left_in(config: &AwsConfig, url: &str) -> u64 {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out = config
        .sqs()
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(A::ApproximateNumberOfMessages)
        .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
        .attribute_names(A::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .expect("queue attributes");
    out.attributes()
        .map(|a| {
            a.values()
                .filter_map(|v| v.parse::<u64>().ok())
                .sum::<u64>()
        })
        .unwrap_or(0)
}

/// Receives and acknowledges until `want` distinct messages came, or the
/// time is up; returns every delivery, in order.
async fn drain(
    q: &SqsQueue,
    want: usize,
    visibility: Duration,
    limit: Duration,
) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = Vec::new();
    let start = Instant::now();
    while start.elapsed() < limit {
        let batch = q.receive(10, visibility).await.expect("receive");
        for d in &batch {
            got.push((d.id.clone(), d.body.clone()));
            q.ack(&d.receipt).await.expect("ack");
        }
        let distinct: std::collections::HashSet<&String> = got.iter().map(|(id, _)| id).collect();
        if distinct.len() >= want {
            break;
        }
        if batch.is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_faults_deliver_every_message_once() {
    let name = unique("faults");
    let moto_config = direct().await;
    let moto_queue = create_queues(&moto_config.sqs(), &name, 5)
        .await
        .expect("queues");
    let plan = FaultPlan::new()
        .rule(
            Rule::new("sqs", Fault::Throttle)
                .operation("SendMessageBatch")
                .every(2)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("sqs", Fault::PartialBatch { held_back: 4 })
                .operation("SendMessageBatch")
                .every(3),
        )
        .rule(
            Rule::new("sqs", Fault::Unavailable)
                .operation("ReceiveMessage")
                .every(3)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("sqs", Fault::ThrottlingException)
                .operation("ReceiveMessage")
                .every(4)
                .up_to_attempt(1),
        )
        .rule(
            Rule::new("sqs", Fault::InternalError)
                .operation("DeleteMessage")
                .every(2)
                .up_to_attempt(1),
        );
    let (proxy, config) = proxied(FaultPlan::new()).await;
    let q = SqsQueue::open(&config.sqs(), &name).await.expect("open");
    proxy.set_plan(plan);

    const N: usize = 60;
    let bodies: Vec<String> = (0..N).map(|i| format!("{{\"chunk\":{i}}}")).collect();
    q.send(bodies.clone())
        .await
        .expect("send through throttling");

    let got = drain(&q, N, Duration::from_secs(60), Duration::from_secs(30)).await;
    let mut per_body: HashMap<&str, usize> = HashMap::new();
    for (_, b) in &got {
        *per_body.entry(b.as_str()).or_default() += 1;
    }
    assert_eq!(got.len(), N, "one delivery per message");
    for b in &bodies {
        assert_eq!(per_body.get(b.as_str()), Some(&1), "{b}");
    }
    // Nothing left, nothing dead-lettered (read from moto).
    assert_eq!(left_in(&moto_config, moto_queue.queue_url()).await, 0);
    assert_eq!(
        left_in(&moto_config, moto_queue.dead_letter_queue_url()).await,
        0
    );
    let injected = proxy.injected_counts();
    for op in ["SendMessageBatch", "ReceiveMessage", "DeleteMessage"] {
        assert!(
            injected.contains_key(&("sqs".to_owned(), op.to_owned())),
            "no fault on {op}: {injected:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqs_lost_answers_are_redelivered_not_lost() {
    let name = unique("faults");
    let moto_config = direct().await;
    let moto_queue = create_queues(&moto_config.sqs(), &name, 5)
        .await
        .expect("queues");
    let (proxy, config) = proxied(FaultPlan::new()).await;
    let q = SqsQueue::open(&config.sqs(), &name).await.expect("open");
    let lost = |op: &str, fault: Fault| {
        Rule::new("sqs", fault)
            .operation(op)
            .first(1)
            .after_forwarding()
    };
    proxy.set_plan(
        FaultPlan::new()
            .rule(lost("SendMessageBatch", Fault::Reset))
            .rule(lost("ReceiveMessage", Fault::InternalError))
            .rule(lost("DeleteMessage", Fault::InternalError)),
    );
    const N: usize = 5;
    let bodies: Vec<String> = (0..N).map(|i| format!("{{\"chunk\":{i}}}")).collect();
    q.send(bodies.clone()).await.expect("send");
    // The batch went in, its answer was lost, the SDK sent it again: SQS
    // standard queues keep both copies (the port is at-least-once; the
    // engine's chunk handling is idempotent).
    assert_eq!(
        left_in(&moto_config, moto_queue.queue_url()).await,
        2 * N as u64
    );

    // The first receive's messages went in flight with the answer lost:
    // they come back after the 1 s visibility timeout.
    let got = drain(&q, 2 * N, Duration::from_secs(1), Duration::from_secs(20)).await;
    let mut ids: Vec<&String> = got.iter().map(|(id, _)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "an acknowledged message came back");
    assert_eq!(got.len(), 2 * N, "every copy delivered");
    for b in &bodies {
        assert_eq!(got.iter().filter(|(_, x)| x == b).count(), 2, "{b}");
    }
    let empty = within(Duration::from_secs(5), || async {
        left_in(&moto_config, moto_queue.queue_url()).await == 0
    })
    .await;
    assert!(empty, "messages left in the queue");
    assert_eq!(
        left_in(&moto_config, moto_queue.dead_letter_queue_url()).await,
        0
    );
    assert_eq!(proxy.injected(), 3);
}
