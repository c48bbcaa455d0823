//! `lethe demo`: Lethe at work on synthetic customers, told step by step.
//!
//! Nothing printed here is a customer's personal data: customers are named
//! by their number in the synthetic set (`#12`) and their subject
//! reference (`sub_…`); requests, jobs and certificates by their ids;
//! everything else is counts and categories. (The synthetic values are
//! made up, but the demo treats them as it would real ones.)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, anyhow, ensure};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use lethe_core::audit;
use lethe_core::engine::model::{Job, RequestKind, RequestStatus, SubjectBy};
use lethe_core::engine::{EngineError, IngestItem, NewRequest, NightKind};
use lethe_core::lookup::SubjectRef;
use lethe_core::ports::{NotificationKind, PutCondition, read_all};
use lethe_core::tenant::{AutoRedact, Region, Settings, Tenant};
use lethe_embedded::Node;
use lethe_synth::{Customer, Synth};

use crate::args::DemoArgs;
use crate::commands::redact::{print_counts, print_preview, read_csv};
use crate::progress::{self, Show};
use crate::{node, table};

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

    async fn access(&self, tenant: &Tenant, k: &Known) -> anyhow::Result<()> {
        step("3. (a) An access request");
        let engine = &self.node.engine;
        let started = Instant::now();
        let (request, _) = engine
            .create_request(
                TENANT,
                NewRequest {
                    kind: RequestKind::Access,
                    subject: SubjectBy::Email(k.customer.email.clone()),
                    contact: None,
                },
                OPERATOR,
            )
            .await
            .context("the access request failed")?;
        println!(
            "{} asked, by e-mail address, for a copy of their data: request {} is {} after {} \
             (automatic handling).",
            self.who(tenant, k),
            request.id,
            request.status.as_str(),
            ms(started)
        );
        let export = request
            .export
            .as_ref()
            .ok_or_else(|| anyhow!("the access request completed without an export"))?;
        let subjects: Vec<String> = request.subjects.iter().map(ToString::to_string).collect();
        let root = self.node.local.blobs.root();
        table::print(
            &["export", "value"],
            &[
                vec!["subjects found".into(), subjects.join(", ")],
                vec!["items".into(), export.items.to_string()],
                vec!["JSON sha256".into(), export.json_sha256.clone()],
                vec!["CSV sha256".into(), export.csv_sha256.clone()],
                vec![
                    "JSON file".into(),
                    root.join(&export.json_key).display().to_string(),
                ],
                vec![
                    "CSV file".into(),
                    root.join(&export.csv_key).display().to_string(),
                ],
                vec!["expires".into(), table::time(Some(export.expires_at))],
            ],
        );
        println!(
            "The subject was e-mailed a download link that expires in 24 hours (see the \
             mailbox); every item is labelled with the categories of its fields."
        );
        Ok(())
    }

    async fn erasure(&self, tenant: &Tenant, k: &Known) -> anyhow::Result<()> {
        step("4. (b) An erasure request");
        let engine = &self.node.engine;
        let (request, link) = engine
            .create_request(
                TENANT,
                NewRequest {
                    kind: RequestKind::Erasure,
                    subject: SubjectBy::Email(k.customer.email.clone()),
                    contact: None,
                },
                OPERATOR,
            )
            .await
            .context("the erasure request failed")?;
        let link = link.ok_or_else(|| anyhow!("an erasure request came without a link"))?;
        println!(
            "{} asked to be erased: request {} is {}; nothing happens until the subject \
             confirms through the link e-mailed to them.",
            self.who(tenant, k),
            request.id,
            request.status.as_str()
        );
        // Read the link back from the mailbox, as the subject would.
        let mail = self
            .node
            .local
            .mailbox
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.kind == Some(NotificationKind::Verification) && m.body.contains(&link.url))
            .ok_or_else(|| anyhow!("the verification e-mail is not in the mailbox"))?;
        let url = mail
            .body
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("http"))
            .ok_or_else(|| anyhow!("the verification e-mail holds no link"))?;
        let (base, token) = url
            .split_once("?token=")
            .ok_or_else(|| anyhow!("the verification link has no token"))?;
        println!(
            "The mailbox holds the e-mail ({}); its link is {base}?token=… (the token is \
             signed with the tenant's link key, expires in 72 hours, works once).",
            mail.path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let started = Instant::now();
        let verified = engine
            .verify_request(TENANT, &link.request, token)
            .await
            .context("the verification link was refused")?;
        let job_id = verified
            .job
            .clone()
            .ok_or_else(|| anyhow!("the verified erasure has no job"))?;
        println!(
            "Link opened: the request is {}, carried out by job {job_id}.",
            verified.status.as_str()
        );
        self.node.drain(self.workers, |_| {}).await?;
        let done = engine.request(TENANT, &request.id).await?;
        let job = engine.job(TENANT, &job_id).await?;
        println!(
            "The workers ran the job: it is {}; the request is {} after {}.",
            job.status.as_str(),
            done.status.as_str(),
            ms(started)
        );
        ensure!(
            done.status == RequestStatus::Completed,
            "the erasure did not complete: {}",
            done.error.as_deref().unwrap_or("no reason given")
        );
        let cert = done
            .certificate
            .as_ref()
            .ok_or_else(|| anyhow!("the completed erasure has no certificate"))?;
        audit::verify_certificate(
            engine.ports().control.as_ref(),
            cert,
            &tenant.keys().certificate,
        )
        .await
        .context("the erasure certificate does not verify")?;
        println!(
            "Certificate {} verified: its signature holds under the tenant's key and the \
             audit chain still holds event {} with the hash it pins.",
            cert.id, cert.chain_head.seq
        );
        print_certificate(&cert.counts, &cert.categories);
        let (records, blobs) = self.search(&k.customer).await?;
        println!(
            "Checked: the customer's e-mail, phone, card number and IP address appear in none \
             of the {records} records of the data and control tables, nor in the {blobs} \
             files of the blob store (the dataset file included)."
        );
        Ok(())
    }

    /// Searches every table record and blob for the customer's unique
    /// values (e-mail, phone, card, IP; names repeat between customers).
    /// Returns how many records and files were searched.
    async fn search(&self, c: &Customer) -> anyhow::Result<(usize, usize)> {
        let card = c
            .pii
            .iter()
            .find(|v| v.len() == 16 && v.bytes().all(|b| b.is_ascii_digit()))
            .cloned();
        let ip = c.pii.iter().find(|v| v.starts_with("2001:db8::")).cloned();
        let needles: Vec<String> = [
            Some(c.email.to_lowercase()),
            Some(c.phone.clone()),
            card,
            ip,
        ]
        .into_iter()
        .flatten()
        .collect();
        let found = |text: &str| {
            let lower = text.to_lowercase();
            needles
                .iter()
                .any(|n| contains_token(&lower, &n.to_lowercase()))
        };
        let mut records = 0;
        for table in [&self.node.local.data, &self.node.local.control] {
            for r in table.scan_all()? {
                records += 1;
                let text = format!("{} {} {}", r.key.pk, r.key.sk, r.body);
                ensure!(
                    !found(&text),
                    "an erased customer's value is still stored (a record of the {} table)",
                    table.name()
                );
            }
        }
        let mut blobs = 0;
        for meta in self.node.engine.ports().blobs.list("").await? {
            blobs += 1;
            let (_, bytes) = read_all(self.node.engine.ports().blobs.as_ref(), &meta.key).await?;
            ensure!(
                !found(&String::from_utf8_lossy(&bytes)),
                "an erased customer's value is still in the blob store"
            );
        }
        Ok((records, blobs))
    }

    async fn bulk(&self, tenant: &Tenant, bulk: &[&Known]) -> anyhow::Result<()> {
        step("5. (c) A bulk redaction from a CSV file");
        let engine = &self.node.engine;
        let path: PathBuf = self.dir.join("bulk-redaction.csv");
        let mut csv = String::from("customer_id\n");
        for k in bulk {
            csv.push_str(&k.customer.id);
            csv.push('\n');
        }
        csv.push_str("no-such-customer\n");
        csv.push_str(&bulk[2].customer.id);
        csv.push('\n');
        csv.push_str("   \n");
        std::fs::write(&path, csv).with_context(|| format!("cannot write {}", path.display()))?;
        let list = read_csv(&path)?;
        println!(
            "An operator wrote {} with {} rows: {BULK} customers to redact, an id that names \
             no customer, one id given twice and a row with no id.",
            path.display(),
            BULK + 3
        );
        let job = engine
            .create_bulk_job(TENANT, &list, OPERATOR)
            .await
            .context("cannot create the bulk job")?;
        println!("Job {} is {}; its preview:", job.id, job.status.as_str());
        if let Some(preview) = &job.preview {
            print_preview(preview);
        }
        let rows: Vec<Vec<String>> = bulk
            .iter()
            .take(5)
            .enumerate()
            .map(|(i, k)| vec![(i + 1).to_string(), self.who(tenant, k)])
            .collect();
        println!("  The first positions, as customers:");
        table::print(&["position", "customer"], &rows);
        let job = engine.confirm_job(TENANT, &job.id, OPERATOR).await?;
        println!(
            "The operator confirmed: {} customers in {} chunk(s) on the queue.",
            job.total, job.chunks
        );
        let started = Instant::now();
        progress::drain_job(
            self.node,
            self.workers,
            TENANT,
            &job.id,
            job.total,
            Show::for_stdout(false),
        )
        .await?;
        let job = engine.job(TENANT, &job.id).await?;
        println!("Job {} finished in {}:", job.id, ms(started));
        print_counts(&job);
        self.job_certificate(tenant, &job).await
    }

    async fn job_certificate(&self, tenant: &Tenant, job: &Job) -> anyhow::Result<()> {
        let Some(cert) = &job.certificate else {
            println!("(The job has no certificate.)");
            return Ok(());
        };
        audit::verify_certificate(
            self.node.engine.ports().control.as_ref(),
            cert,
            &tenant.keys().certificate,
        )
        .await
        .context("the job's certificate does not verify")?;
        println!("Its certificate {} verifies:", cert.id);
        print_certificate(&cert.counts, &cert.categories);
        Ok(())
    }

    async fn night(&self, tenant: &Tenant) -> anyhow::Result<()> {
        step("6. (d) An auto-redact night");
        let engine = &self.node.engine;
        let zone = TimeZone::get(Region::Eu.time_zone())?;
        let midnight = Timestamp::now().to_zoned(zone).start_of_day()?.timestamp();
        let started = Instant::now();
        let report = engine
            .run_nightly(Region::Eu, NightKind::All, midnight)
            .await
            .context("the nightly run failed")?;
        println!(
            "The scheduler fired tonight's run for region eu (00:00 Europe/Paris, {}): \
             auto-redact, retention sweep, deadline watch.",
            report.night
        );
        let auto = report.auto_jobs.iter().find(|(t, _, _)| t == TENANT);
        table::print(
            &["nightly", "result"],
            &[
                vec!["tenants in region".into(), report.tenants.to_string()],
                vec![
                    "auto-redact".into(),
                    match auto {
                        Some((_, job, n)) => format!("job {job}: {n} inactive customers"),
                        None => "nothing new".into(),
                    },
                ],
                vec![
                    "retention".into(),
                    format!(
                        "{} items past their retention deleted",
                        report.retention_deleted
                    ),
                ],
                vec![
                    "deadline watch".into(),
                    format!(
                        "{} reminders, {} expired exports destroyed",
                        report.reminders, report.exports_destroyed
                    ),
                ],
                vec!["already ran tonight".into(), report.already_ran.to_string()],
            ],
        );
        let Some((_, job_id, count)) = auto else {
            println!(
                "Tonight's runs already happened in this data directory (each runs once per \
                 tenant and night), so there is nothing more to do."
            );
            return Ok(());
        };
        progress::drain_job(
            self.node,
            self.workers,
            TENANT,
            job_id,
            *count,
            Show::for_stdout(false),
        )
        .await?;
        let job = engine.job(TENANT, job_id).await?;
        println!("Auto-redact job {} finished in {}:", job.id, ms(started));
        print_counts(&job);
        self.job_certificate(tenant, &job).await
    }

    async fn audit(&self, tenant: &Tenant) -> anyhow::Result<()> {
        step("7. (e) The audit trail");
        let engine = &self.node.engine;
        let head = audit::verify(engine.ports().control.as_ref(), &tenant.id)
            .await
            .context("the audit chain does not verify")?;
        println!(
            "The audit chain of tenant {TENANT} verifies: {} events, each hashing the one \
             before it, from the genesis to head {}….",
            head.seq,
            &head.hash[..16.min(head.hash.len())]
        );
        let blobs = engine.ports().blobs.as_ref();
        let (_, dataset) = read_all(blobs, DATASET).await?;
        let left = String::from_utf8_lossy(&dataset)
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .count();
        println!(
            "The dataset file {DATASET} has {left} rows left: the rows of the customers erased \
             or redacted were removed."
        );
        let messages = self.node.local.mailbox.messages();
        let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
        for m in &messages {
            let kind = m
                .kind
                .map_or_else(|| "other".to_string(), |k| format!("{k:?}"));
            *kinds.entry(kind).or_default() += 1;
        }
        println!(
            "The mailbox ({}) holds {} messages:",
            self.node.local.mailbox.dir().display(),
            messages.len()
        );
        let rows: Vec<Vec<String>> = kinds
            .into_iter()
            .map(|(k, n)| vec![k, n.to_string()])
            .collect();
        table::print(&["kind", "messages"], &rows);
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
