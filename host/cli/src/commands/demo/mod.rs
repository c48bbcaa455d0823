//! `lethe demo`: Lethe at work on synthetic customers, told step by step.
//!
//! Nothing printed here is a customer's personal data: customers are named
//! by their number in the synthetic set (`#12`) and their subject
//! reference (`sub_…`); requests, jobs and certificates by their ids;
//! everything else is counts and categories. (The synthetic values are
//! made up, but the demo treats them as it would real ones.)

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, ensure};
use jiff::{SignedDuration, Timestamp};
use lethe_core::engine::{EngineError, IngestItem};
use lethe_core::lookup::SubjectRef;
use lethe_core::ports::PutCondition;
use lethe_core::tenant::{AutoRedact, Region, Settings, Tenant};
use lethe_embedded::Node;
use lethe_synth::{Customer, Synth};

use crate::args::DemoArgs;
use crate::{node, table};

mod runs;
mod subjects;

/// The demo's tenant.
const TENANT: &str = "demo";
/// Who the demo acts as.
const OPERATOR: &str = "demo-operator";
/// The dataset file erasures must reach.
const DATASET: &str = "datasets/demo/crm-export.csv";
/// Customers in the CSV bulk redaction.
const BULK: usize = 20;

/// Runs `lethe demo`.
pub(crate) fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let (dir, fresh) = match &args.data_dir {
        Some(dir) => (dir.clone(), false),
        None => {
            let temp = tempfile::Builder::new()
                .prefix("lethe-demo-")
                .tempdir()
                .context("cannot create a temporary directory; pass --data-dir DIR")?;
            (temp.keep(), true)
        }
    };
    println!("Lethe demo");
    println!("==========");
    if fresh {
        println!(
            "Data directory: {} (a fresh temporary directory; delete it when done, or look \
             around first: `lethe jobs --data-dir {} --tenant {TENANT}`)",
            dir.display(),
            dir.display()
        );
    } else {
        println!("Data directory: {}", dir.display());
    }
    println!(
        "Customers are named by their number in the synthetic set (#12) and their subject \
         reference (sub_…); no personal data is printed."
    );
    let node = node::open(&dir)?;
    node::runtime()?.block_on(Demo::new(&node, &dir, args).run())?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's state between steps.
struct Demo<'a> {
    node: &'a Node,
    dir: &'a Path,
    customers: u64,
    workers: usize,
}

/// A synthetic customer and its number.
struct Known {
    n: u64,
    customer: Customer,
    days_inactive: i64,
}

impl<'a> Demo<'a> {
    fn new(node: &'a Node, dir: &'a Path, args: &DemoArgs) -> Self {
        Demo {
            node,
            dir,
            customers: args.customers,
            workers: usize::from(args.workers),
        }
    }

    async fn run(&self) -> anyhow::Result<()> {
        let tenant = self.tenant().await?;
        let people = self.ingest().await?;
        let active: Vec<&Known> = people.iter().filter(|k| k.days_inactive <= 30).collect();
        ensure!(
            active.len() >= BULK + 12,
            "too few active customers for the demo; use --customers 40 or more"
        );
        let access = active[0];
        let erase = active[1];
        let bulk: Vec<&Known> = active[2..2 + BULK].to_vec();
        let mut in_dataset: Vec<&Known> = vec![access, erase];
        in_dataset.extend(bulk.iter().take(4));
        in_dataset.extend(active[2 + BULK..2 + BULK + 4].iter());
        in_dataset.extend(people.iter().filter(|k| k.days_inactive > 30).take(2));
        self.put_dataset(&in_dataset).await?;
        self.access(&tenant, access).await?;
        self.erasure(&tenant, erase).await?;
        self.bulk(&tenant, &bulk).await?;
        self.night(&tenant).await?;
        self.audit(&tenant).await?;
        println!();
        println!(
            "Done. Look around with `lethe jobs --data-dir {} --tenant {TENANT}` and \
             `lethe job --data-dir {} --tenant {TENANT} JOB`.",
            self.dir.display(),
            self.dir.display()
        );
        Ok(())
    }

    fn who(&self, tenant: &Tenant, k: &Known) -> String {
        format!(
            "customer #{} ({})",
            k.n,
            SubjectRef::of(&tenant.keys().lookup, &k.customer.id)
        )
    }

    async fn tenant(&self) -> anyhow::Result<Tenant> {
        step("1. The tenant");
        let engine = &self.node.engine;
        let tenant = match engine.tenant(TENANT).await {
            Ok(t) => {
                println!("Tenant {TENANT:?} exists in this data directory; reusing it.");
                t
            }
            Err(EngineError::NotFound { .. }) => {
                let settings = Settings {
                    auto_redact: AutoRedact::AfterDays(30),
                    region: Region::Eu,
                    operator_email: Some("ops@demo.example".into()),
                    retention: BTreeMap::from([("conversation".into(), 14), ("log".into(), 7)]),
                    ..Settings::default()
                };
                let t = engine
                    .create_tenant(TENANT, "Demo Shop", settings)
                    .await
                    .context("cannot create the demo tenant")?;
                println!("Created tenant {TENANT:?} (\"Demo Shop\") with a fresh secret.");
                t
            }
            Err(e) => return Err(e).context("cannot read the demo tenant"),
        };
        let s = &tenant.settings;
        let retention = s
            .retention
            .iter()
            .map(|(k, d)| format!("{k} {d} days"))
            .collect::<Vec<_>>()
            .join(", ");
        table::print(
            &["setting", "value"],
            &[
                vec![
                    "auto-redact".into(),
                    match s.auto_redact {
                        AutoRedact::Off => "off".into(),
                        AutoRedact::AfterDays(d) => format!("customers inactive > {d} days"),
                    },
                ],
                vec![
                    "region".into(),
                    format!(
                        "{} (nights start 00:00 {})",
                        s.region.as_str(),
                        s.region.time_zone()
                    ),
                ],
                vec!["requests".into(), format!("{:?} handling", s.handling)],
                vec!["retention".into(), retention],
                vec![
                    "operator e-mail".into(),
                    s.operator_email.clone().unwrap_or_else(|| "-".into()),
                ],
                vec!["datasets".into(), format!("{:?}", s.datasets)],
            ],
        );
        Ok(tenant)
    }

    /// The first customer number not used yet by an earlier run.
    fn first_number(&self) -> anyhow::Result<u64> {
        let prefix = format!("T#{TENANT}#C#cust-");
        let mut next = 0;
        for record in self.node.local.data.scan_all()? {
            if let Some(n) = record
                .key
                .pk
                .strip_prefix(&prefix)
                .and_then(|n| n.parse::<u64>().ok())
            {
                next = next.max(n + 1);
            }
        }
        // Keep the one-in-twenty e-mail ids on the same numbers.
        Ok(next.div_ceil(20) * 20)
    }

    async fn ingest(&self) -> anyhow::Result<Vec<Known>> {
        step("2. Customers");
        let first = self.first_number()?;
        let synth = Synth::new(2026);
        let now = Timestamp::now();
        let people: Vec<Known> = (first..first + self.customers)
            .map(|n| {
                let days = i64::try_from(((n - first) * 13) % 45).unwrap_or(0);
                Known {
                    n,
                    customer: synth.customer(n, now - SignedDuration::from_hours(24 * days)),
                    days_inactive: days,
                }
            })
            .collect();
        let items: Vec<IngestItem> = people
            .iter()
            .flat_map(|k| k.customer.items.iter().cloned())
            .collect();
        let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
        for item in &items {
            *kinds.entry(item.kind.clone()).or_default() += 1;
        }
        let started = Instant::now();
        let (mut stored, mut refused) = (0, 0);
        for batch in items.chunks(1_000) {
            let outcome = self.node.engine.ingest(TENANT, batch.to_vec()).await?;
            stored += outcome.stored;
            refused += outcome.refused.len();
        }
        let inactive = people.iter().filter(|k| k.days_inactive > 30).count();
        println!(
            "Ingested {} synthetic customers (#{} to #{}) in {}: {} items stored{}.",
            people.len(),
            first,
            first + self.customers - 1,
            ms(started),
            stored,
            if refused > 0 {
                format!(", {refused} refused (they concern erased customers)")
            } else {
                String::new()
            }
        );
        let rows: Vec<Vec<String>> = kinds
            .iter()
            .map(|(k, n)| vec![k.clone(), n.to_string(), what_kind_holds(k).into()])
            .collect();
        table::print(&["kind", "items", "personal data in it"], &rows);
        println!(
            "Each customer was last active 0 to 44 days ago; {inactive} of them more than 30 \
             days ago, so tonight's auto-redact is due for them. One customer in twenty is \
             known by its e-mail address as its id."
        );
        Ok(people)
    }

    async fn put_dataset(&self, rows: &[&Known]) -> anyhow::Result<()> {
        let mut csv = String::from("customer_id,email,phone,segment,lifetime_value\n");
        for (i, k) in rows.iter().enumerate() {
            let c = &k.customer;
            csv.push_str(&format!(
                "{},{},{},{},{}\n",
                c.id,
                c.email,
                c.phone,
                ["gold", "silver", "bronze"][i % 3],
                100 + 37 * i
            ));
        }
        self.node
            .engine
            .ports()
            .blobs
            .put(
                DATASET,
                csv.into_bytes().into(),
                "text/csv",
                PutCondition::Any,
            )
            .await?;
        println!(
            "Put a dataset file {DATASET} in the blob store: {} rows (customer id, e-mail, \
             phone, segment, value), one for each of {} customers. Erasure must reach it too \
             (this tenant removes the rows).",
            rows.len(),
            rows.len()
        );
        Ok(())
    }
}

/// Whether `needle` occurs in `text` as a whole token: not glued to a
/// letter, digit or `:` on either side (so `2001:db8::1` is not found in
/// `2001:db8::10`).
fn contains_token(text: &str, needle: &str) -> bool {
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == ':');
    text.match_indices(needle).any(|(at, _)| {
        !glued(text[..at].chars().next_back()) && !glued(text[at + needle.len()..].chars().next())
    })
}

/// What the synthetic generator puts in an item kind.
fn what_kind_holds(kind: &str) -> &'static str {
    match kind {
        "profile" => "name, e-mail, phone, address",
        "order" => "shipping name and address, card's last 4 digits",
        "conversation" => "free text mentioning e-mail, phone, card, name",
        "log" => "IP address",
        _ => "",
    }
}

/// Prints a certificate's counts and categories.
fn print_certificate(counts: &BTreeMap<String, u64>, categories: &BTreeMap<String, u64>) {
    let mut rows: Vec<Vec<String>> = counts
        .iter()
        .map(|(k, v)| vec![k.replace('_', " "), v.to_string()])
        .collect();
    for (k, v) in categories {
        rows.push(vec![format!("{k} fields/spans"), v.to_string()]);
    }
    table::print(&["certified", "count"], &rows);
}

/// A step's heading.
fn step(title: &str) {
    println!();
    println!("{title}");
    println!("{}", "-".repeat(title.chars().count()));
}

/// Milliseconds since `since`, for humans.
fn ms(since: Instant) -> String {
    let ms = since.elapsed().as_secs_f64() * 1e3;
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1e3)
    } else {
        format!("{ms:.0} ms")
    }
}
