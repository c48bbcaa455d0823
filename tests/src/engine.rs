//! A Lethe node on a temporary data directory with a settable clock, and a
//! checker that searches *everything* stored for erased subjects' values.

use std::sync::Arc;

use jiff::Timestamp;
use lethe_core::engine::{Engine, IngestItem};
use lethe_core::ports::ManualClock;
use lethe_core::tenant::Settings;
use lethe_embedded::{Node, NodeOptions};
use lethe_synth::{Customer, Synth};
use serde_json::Value;

/// The instant every fixture's clock starts at: noon UTC, 20 Nov 2026.
pub fn start_time() -> Timestamp {
    "2026-11-20T12:00:00Z".parse().expect("a valid timestamp")
}

/// Default tenant settings with an operator address, so that what the
/// engine tells an operator (deadlines, failed jobs) has somewhere to go.
pub fn operator_settings() -> Settings {
    Settings {
        operator_email: Some("ops@acme.example".into()),
        ..Settings::default()
    }
}

/// A node over a temp dir, a tenant `acme`, and the clock.
pub struct Fixture {
    /// Keeps the data directory alive.
    pub dir: tempfile::TempDir,
    /// The node.
    pub node: Node,
    /// The node's clock.
    pub clock: Arc<ManualClock>,
    /// The tenant's id.
    pub tenant: String,
}

impl Fixture {
    /// A fresh node with tenant `acme` under `settings`.
    pub async fn new(settings: Settings) -> Fixture {
        Fixture::with_chunk_size(settings, 100).await
    }

    /// Like [`Fixture::new`], with `chunk_size` customers per queue message.
    pub async fn with_chunk_size(settings: Settings, chunk_size: usize) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(ManualClock::new(start_time()));
        let mut options = NodeOptions {
            clock: clock.clone(),
            ..NodeOptions::default()
        };
        options.engine.chunk_size = chunk_size;
        let node = Node::open(dir.path(), options).expect("node opens");
        node.engine
            .create_tenant("acme", "Acme Shop", settings)
            .await
            .expect("tenant created");
        Fixture {
            dir,
            node,
            clock,
            tenant: "acme".into(),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.node.engine
    }

    /// Ingests `count` synthetic customers (seed 42), customer `n` last
    /// active `days_ago(n)` days before now.
    pub async fn seed(&self, count: u64, days_ago: impl Fn(u64) -> i64) -> Vec<Customer> {
        let customers: Vec<Customer> = Synth::new(42)
            .customers(count, self.clock.now_ts(), days_ago)
            .collect();
        let items: Vec<IngestItem> = customers.iter().flat_map(|c| c.items.clone()).collect();
        for batch in items.chunks(500) {
            let outcome = self
                .engine()
                .ingest(&self.tenant, batch.to_vec())
                .await
                .expect("ingest");
            assert!(outcome.refused.is_empty());
        }
        customers
    }

    /// Runs the workers until the queue is empty. The fixture's clock
    /// stands still, so while they run it is moved on a second every few
    /// milliseconds: a released message (a retry) becomes visible again.
    /// Gives up after a minute of real time.
    pub async fn drain(&self) {
        let drain = self.node.drain(2, |_| {});
        tokio::pin!(drain);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            tokio::select! {
                done = &mut drain => {
                    done.expect("workers drain");
                    return;
                }
                () = tokio::time::sleep(std::time::Duration::from_millis(20)) => {
                    assert!(std::time::Instant::now() < deadline, "the queue did not drain within a minute");
                    self.clock.advance(jiff::SignedDuration::from_secs(1));
                }
            }
        }
    }

    /// Every stored string (data and control tables, every blob but plugin
    /// code), for the checker.
    pub async fn everything(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (table, records) in [
            ("data", self.node.local.data.scan_all().expect("scan")),
            ("control", self.node.local.control.scan_all().expect("scan")),
        ] {
            for r in records {
                out.push((
                    format!("{table}:{}|{}", r.key.pk, r.key.sk),
                    format!("{} {} {}", r.key.pk, r.key.sk, r.body),
                ));
            }
        }
        use lethe_core::ports::BlobStore;
        for blob in self.node.local.blobs.list("").await.expect("list") {
            // Plugin code (uploaded components, compiled artifacts) holds
            // no customer data, and megabytes of machine code contain any
            // short run of digits by chance.
            if blob.key.starts_with("plugins/") || blob.key.starts_with("artifacts/") {
                continue;
            }
            let (_, bytes) = lethe_core::ports::read_all(self.node.local.blobs.as_ref(), &blob.key)
                .await
                .expect("read blob");
            out.push((
                format!("blob:{}", blob.key),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
        out
    }
}

/// Extension: the manual clock's time.
pub trait ClockExt {
    /// Now.
    fn now_ts(&self) -> Timestamp;
}

impl ClockExt for ManualClock {
    fn now_ts(&self) -> Timestamp {
        lethe_core::ports::Clock::now(self)
    }
}

/// The searchable forms of a customer's identifying values: e-mail (lower
/// case), full name (lower case, diacritics folded), phone (last 9
/// digits), card and IP.
pub fn identifying_needles(c: &Customer) -> Vec<String> {
    let mut out = vec![c.email.to_lowercase()];
    out.push(fold(&c.pii[0]));
    let digits: String = c.phone.chars().filter(char::is_ascii_digit).collect();
    out.push(digits[digits.len().saturating_sub(9)..].to_string());
    out.push(c.pii[3].clone()); // card
    out.push(c.pii[4].to_lowercase()); // ip
    out
}

fn fold(s: &str) -> String {
    deunicode::deunicode(s).to_lowercase()
}

/// Where each needle of the erased customers was found, searching every
/// stored string in lower case, with diacritics folded, and as bare digits.
/// Needles that also belong to a customer who was *not* erased (a shared
/// name) are left out: finding them proves nothing.
pub fn find_leftovers(
    everything: &[(String, String)],
    erased: &[&Customer],
    kept: &[&Customer],
) -> Vec<(String, String)> {
    let kept_needles: std::collections::HashSet<String> =
        kept.iter().flat_map(|c| identifying_needles(c)).collect();
    let needles: Vec<String> = erased
        .iter()
        .flat_map(|c| identifying_needles(c))
        .filter(|n| !kept_needles.contains(n))
        .collect();
    let mut found = Vec::new();
    for (place, text) in everything {
        let folded = fold(text);
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        for n in &needles {
            let hit = if n.chars().all(|c| c.is_ascii_digit()) {
                digits.contains(n.as_str())
                    || folded
                        .replace([' ', '-', '.', '(', ')'], "")
                        .contains(n.as_str())
            } else {
                folded.contains(n.as_str())
            };
            if hit {
                found.push((place.clone(), n.clone()));
            }
        }
    }
    found
}

/// Every non-personal attribute of `customers` that is no longer exactly
/// what it was: (kind, item id, attribute).
pub fn changed_non_pii(
    everything: &[(String, String)],
    data: &[lethe_core::ports::Record],
    customers: &[&Customer],
) -> Vec<(String, String, String)> {
    let _ = everything;
    let mut changed = Vec::new();
    for c in customers {
        for (kind, id, attr, value) in &c.non_pii {
            let sk = format!("{kind}#{id}");
            let found = data.iter().find(|r| r.key.sk == sk);
            let now: Option<&Value> = found.and_then(|r| r.body["data"].get(attr));
            if now != Some(value) {
                changed.push((kind.clone(), id.clone(), attr.clone()));
            }
        }
    }
    changed
}
