//! The engine end to end on the embedded store (redb, blob directory,
//! in-process workers, the standard plugins in the sandbox): a bulk erasure
//! of many customers, and an access export of one large subject.
//!
//! Seeding is not measured. Each measurement runs on a fresh data
//! directory, once with every commit flushed to disk
//! ([`Durability::Immediate`], the reported figure and the default) and
//! once without flushing ([`Durability::None`], for comparison).

use std::time::Instant;

use jiff::Timestamp;
use lethe_core::bulk_input::from_ids;
use lethe_core::engine::model::{RequestKind, RequestStatus, SubjectBy};
use lethe_core::engine::{IngestItem, NewRequest};
use lethe_core::tenant::Settings;
use lethe_embedded::{Node, NodeOptions};
use lethe_local::Durability;
use lethe_synth::Synth;

use crate::table::{Row, Table};

const TENANT: &str = "bench";

/// Sizes of the engine group.
pub(crate) struct EngineSizes {
    /// Customers erased by the bulk job (10 items each).
    pub(crate) customers: u64,
    /// Items of the access-export subject.
    pub(crate) access_items: usize,
    /// Access exports timed (best of).
    pub(crate) access_rounds: usize,
}

/// Adds the engine rows.
pub(crate) fn rows(table: &mut Table, sizes: &EngineSizes) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    for durability in [Durability::Immediate, Durability::None] {
        let label = match durability {
            Durability::Immediate => "fsync",
            Durability::None => "no fsync",
        };
        let flushed = durability == Durability::Immediate;
        let erasure = rt.block_on(erasure(sizes.customers, durability))?;
        let items = sizes.customers * 10;
        table.push(Row::single(
            format!("ingest {items} items, items/s ({label})"),
            erasure.ingest_items_per_s,
            "(seeding; not a target)",
            true,
        ));
        table.push(Row::single(
            format!(
                "erase {}k customers x 10 items, s ({label})",
                sizes.customers / 1000
            ),
            erasure.seconds,
            if flushed {
                "<= 20 s for 50k x 10 (fsync)"
            } else {
                "(comparison)"
            },
            !flushed || sizes.customers < 50_000 || erasure.seconds <= 20.0,
        ));
        table.push(Row::single(
            format!("erase, items redacted/s ({label})"),
            items as f64 / erasure.seconds,
            "(follows from the row above)",
            true,
        ));
        let ms = rt.block_on(access(sizes.access_items, sizes.access_rounds, durability))?;
        table.push(Row::single(
            format!(
                "access export of {} items, ms ({label})",
                sizes.access_items
            ),
            ms,
            if flushed {
                "<= 200 ms (fsync)"
            } else {
                "(comparison)"
            },
            !flushed || ms <= 200.0,
        ));
    }
    table.note(
        "engine rows: embedded store (redb) in a fresh temp dir, standard plugins in the sandbox, \
         2 in-process workers, chunks of 500 customers; \"fsync\" = Durability::Immediate (the \
         default, every commit flushed), \"no fsync\" = Durability::None. Seeding is not timed; \
         the erasure is timed from confirming the bulk job to the job's completion.",
    );
    Ok(())
}

struct Erasure {
    seconds: f64,
    ingest_items_per_s: f64,
}

fn open(durability: Durability) -> anyhow::Result<(tempfile::TempDir, Node)> {
    let dir = tempfile::tempdir()?;
    let node = Node::open(
        dir.path(),
        NodeOptions {
            durability,
            ..NodeOptions::default()
        },
    )?;
    Ok((dir, node))
}

async fn erasure(customers: u64, durability: Durability) -> anyhow::Result<Erasure> {
    let (_dir, node) = open(durability)?;
    let engine = &node.engine;
    engine
        .create_tenant(TENANT, "Bench", Settings::default())
        .await?;
    let synth = Synth::new(42);
    let now = Timestamp::now();
    let mut ids = Vec::with_capacity(usize::try_from(customers)?);
    let mut batch: Vec<IngestItem> = Vec::with_capacity(2_000);
    let mut items = 0u64;
    let seeding = Instant::now();
    for n in 0..customers {
        let c = synth.customer(n, now);
        ids.push(c.id);
        batch.extend(c.items);
        if batch.len() >= 2_000 || n + 1 == customers {
            items += batch.len() as u64;
            engine.ingest(TENANT, std::mem::take(&mut batch)).await?;
        }
    }
    let ingest_items_per_s = items as f64 / seeding.elapsed().as_secs_f64();
    let job = engine
        .create_bulk_job(TENANT, &from_ids(ids)?, "bench")
        .await?;
    let started = Instant::now();
    engine.confirm_job(TENANT, &job.id, "bench").await?;
    node.drain(2, |_| {}).await?;
    let seconds = started.elapsed().as_secs_f64();
    let job = engine.job(TENANT, &job.id).await?;
    anyhow::ensure!(
        job.status.is_terminal() && job.counts.succeeded == customers,
        "the erasure job ended {} with {:?}",
        job.status.as_str(),
        job.counts
    );
    Ok(Erasure {
        seconds,
        ingest_items_per_s,
    })
}

async fn access(items: usize, rounds: usize, durability: Durability) -> anyhow::Result<f64> {
    let (_dir, node) = open(durability)?;
    let engine = &node.engine;
    engine
        .create_tenant(TENANT, "Bench", Settings::default())
        .await?;
    let mut synth = Synth::new(42);
    synth.conversations = 3;
    synth.logs = 1;
    synth.orders = items.saturating_sub(5);
    let customer = synth.customer(1, Timestamp::now());
    anyhow::ensure!(
        customer.items.len() == items,
        "the subject has {items} items"
    );
    for batch in customer.items.chunks(2_000) {
        engine.ingest(TENANT, batch.to_vec()).await?;
    }
    let mut best = f64::MAX;
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        let (request, _) = engine
            .create_request(
                TENANT,
                NewRequest {
                    kind: RequestKind::Access,
                    subject: SubjectBy::CustomerId(customer.id.clone()),
                    contact: Some("subject@example.invalid".into()),
                },
                "bench",
            )
            .await?;
        let took = started.elapsed().as_secs_f64() * 1e3;
        anyhow::ensure!(
            request.status == RequestStatus::Completed
                && request
                    .export
                    .as_ref()
                    .is_some_and(|e| e.items == items as u64),
            "the access request ended {} without a full export",
            request.status.as_str()
        );
        best = best.min(took);
    }
    Ok(best)
}
