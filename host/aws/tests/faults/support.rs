//! What the fault tests share: where moto is, configurations straight to
//! it and through a proxy, and keys and values that look like a customer's
//! so errors can be checked for leaks.

use std::time::{Duration, Instant};

use lethe_aws::AwsConfig;
use lethe_core::ports::{Notification, NotificationKind, PortError, RecordKey};
use lethe_fault_proxy::{FaultPlan, FaultProxy};
use serde_json::{Value, json};

/// The moto server (`scripts/with-moto.sh` exports it; loopback only).
pub(crate) fn moto() -> String {
    let endpoint = std::env::var("LETHE_AWS_ENDPOINT").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "LETHE_AWS_ENDPOINT must name a loopback moto server; run \
         `scripts/with-moto.sh cargo test -p lethe-aws --features moto-tests --test faults`"
    );
    endpoint
}

/// Straight to moto: setup and the final checks.
pub(crate) async fn direct() -> AwsConfig {
    AwsConfig::emulator(&moto()).await.expect("AWS settings")
}

/// A proxy to moto applying `plan`, and a configuration that goes through it.
pub(crate) async fn proxied(plan: FaultPlan) -> (FaultProxy, AwsConfig) {
    let proxy = FaultProxy::start(&moto(), plan)
        .await
        .expect("start the proxy");
    let config = AwsConfig::emulator(&proxy.endpoint())
        .await
        .expect("AWS settings");
    (proxy, config)
}

/// A key that looks like a customer's, to check errors never repeat it.
pub(crate) fn key(tenant: &str, n: usize) -> RecordKey {
    RecordKey::new(
        format!("T#{tenant}#C#secret-subject"),
        format!("item#{n:04}"),
    )
}

pub(crate) fn body(n: usize, round: u32) -> Value {
    json!({ "n": n, "round": round, "note": "secret-value" })
}

pub(crate) fn assert_names_nothing(e: &PortError) {
    let text = format!("{e} {e:?}");
    assert!(
        !text.contains("secret-") && !text.contains("item#"),
        "an error names a key or a value: {text}"
    );
}

/// Waits for `cond`, at most `limit`.
pub(crate) async fn within<F, Fut>(limit: Duration, mut cond: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if cond().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

/// A notification to send (no customer data in it).
pub(crate) fn notification(to: &str) -> Notification {
    Notification {
        kind: NotificationKind::JobCompleted,
        to: to.to_owned(),
        subject: "Job finished".to_owned(),
        body: "Your job finished.".to_owned(),
    }
}
