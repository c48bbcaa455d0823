//! `lethe seed`: synthetic customers into a tenant, in batches, with
//! throughput.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use lethe_core::engine::{EngineError, IngestItem};
use lethe_core::tenant::Settings;
use lethe_synth::Synth;

use crate::args::SeedArgs;
use crate::node;
use crate::progress::{Progress, Show};

/// The generator's seed: the same customer numbers always give the same
/// customers, so checkers can regenerate them.
pub(crate) const SYNTH_SEED: u64 = 42;

/// A generator making `items` items per customer: a profile, then up to 3
/// conversations, a web-log item, and orders for the rest.
pub(crate) fn synth_for(items: u64) -> Synth {
    let mut synth = Synth::new(SYNTH_SEED);
    let rest = usize::try_from(items.saturating_sub(1)).unwrap_or(usize::MAX);
    synth.conversations = rest.min(3);
    synth.logs = (rest - synth.conversations).min(1);
    synth.orders = rest - synth.conversations - synth.logs;
    synth
}

/// Runs `lethe seed`.
pub(crate) fn run(args: &SeedArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.data_dir.path;
    let node = node::open(dir)?;
    node::runtime()?.block_on(async {
        let engine = &node.engine;
        match engine.tenant(&args.tenant).await {
            Ok(_) => println!("Tenant {} exists; adding customers to it.", args.tenant),
            Err(EngineError::NotFound { .. }) => {
                engine
                    .create_tenant(&args.tenant, &args.tenant, Settings::default())
                    .await
                    .context("cannot create the tenant")?;
                println!("Created tenant {} (default settings).", args.tenant);
            }
            Err(e) => return Err(e).context("cannot read the tenant"),
        }
        let synth = synth_for(args.items_per_customer);
        let active_at =
            Timestamp::now() - SignedDuration::from_hours(24 * i64::from(args.inactive_days));
        let show = Show::for_stdout(args.quiet);
        let mut progress = Progress::new(show, args.customers, "customers");
        let batch = usize::try_from(args.batch).unwrap_or(usize::MAX);
        let started = Instant::now();
        let (mut items_total, mut refused, mut stripped) = (0u64, 0u64, 0u64);
        let mut pending: Vec<IngestItem> = Vec::with_capacity(batch);
        let last = args.first + args.customers;
        for (done, n) in (args.first..last).enumerate() {
            pending.extend(synth.customer(n, active_at).items);
            if pending.len() >= batch || n + 1 == last {
                let items = std::mem::take(&mut pending);
                items_total += items.len() as u64;
                let outcome = engine
                    .ingest(&args.tenant, items)
                    .await
                    .context("ingest failed")?;
                refused += outcome.refused.len() as u64;
                stripped += outcome.stripped;
                progress.set(done as u64 + 1);
            }
        }
        progress.finish(args.customers);
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        println!(
            "Seeded {} customers ({} items, {} per customer) into tenant {} in {:.1} s: \
             {:.0} customers/s, {:.0} items/s.",
            args.customers,
            items_total,
            args.items_per_customer,
            args.tenant,
            secs,
            args.customers as f64 / secs,
            items_total as f64 / secs,
        );
        if refused + stripped > 0 {
            println!(
                "{refused} items were refused and {stripped} stored stripped: they concern \
                 customers who were erased before (suppression)."
            );
        }
        println!(
            "Customer ids are cust-{:06} to cust-{:06} (every 20th is an e-mail address \
             instead, as some shops use).",
            args.first,
            last - 1
        );
        Ok(ExitCode::SUCCESS)
    })
}
