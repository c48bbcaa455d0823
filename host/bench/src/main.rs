//! `lethe-bench`: one table comparing the same detectors and field maps run
//! natively and inside the WebAssembly sandbox, plus instantiation, compile
//! and load costs, and the engine end to end on the embedded store (a bulk
//! erasure, an access export), each against its target; and the compiled-plugin
//! cache (`--only cache`: each tier, first call cold vs warm, upload to active).
//!
//! `cargo run --release -p lethe-bench` for real numbers (single thread;
//! the engine rows use 2 workers); `--quick` runs tiny sizes only to prove
//! the benchmark still works.
#![forbid(unsafe_code)]

mod cache;
mod corpus;
mod engine;
mod native;
mod table;

use std::hint::black_box;
use std::time::{Duration, Instant};

use lethe_core::{FieldMap, Policy, PseudonymKey, Redactor, TextScanner};
use lethe_detectors::Scanner;
use lethe_sandbox::{DEFAULT_BATCH_BYTES, Plugin, Sandbox, SandboxConfig};

use crate::native::{NativeCommerce, NativeScrubber};
use crate::table::{Row, Table};

struct Sizes {
    transcript_lines: usize,
    items_per_kind: usize,
    instantiations: usize,
    loads: usize,
    rounds: usize,
}

/// Which group of rows to run alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Group {
    Scan,
    Items,
    Instantiate,
    Compile,
    Cache,
    Engine,
}

/// Prints the benchmark table: native vs WASM, instantiation, compile and
/// load, the plugin cache, and the engine on the embedded store.
#[derive(Debug, clap::Parser)]
#[command(name = "lethe-bench")]
struct Args {
    /// Tiny sizes, one round: proves the benchmark still runs, measures nothing.
    #[arg(long)]
    quick: bool,
    /// Times each group this many times and keeps the best (default 5; 1 with --quick).
    #[arg(long, value_name = "N")]
    rounds: Option<usize>,
    /// Runs one group of rows only (for profiling).
    #[arg(long, value_enum)]
    only: Option<Group>,
    /// Measures without the pooling allocator, for comparison.
    #[arg(long)]
    on_demand: bool,
    /// Writes /tmp/perf-PID.map so `perf record -e cpu-clock` names guest functions.
    #[arg(long)]
    perf_map: bool,
}

fn main() -> anyhow::Result<()> {
    let args = <Args as clap::Parser>::parse();
    let quick = args.quick;
    let mut sizes = if quick {
        Sizes {
            transcript_lines: 500,
            items_per_kind: 50,
            instantiations: 50,
            loads: 2,
            rounds: 1,
        }
    } else {
        Sizes {
            transcript_lines: 40_000,
            items_per_kind: 4_000,
            instantiations: 20_000,
            loads: 30,
            rounds: 5,
        }
    };
    if let Some(n) = args.rounds {
        sizes.rounds = n;
    }
    let sandbox = Sandbox::with_config(
        SandboxConfig::default()
            .pooling(!args.on_demand)
            .perf_map(args.perf_map),
    )?;
    let scrubber = sandbox.compile(lethe_std_plugins::STD_SCRUBBER)?;
    let commerce = sandbox.compile(lethe_std_plugins::FIELDMAP_COMMERCE)?;
    let mut table = Table::new(quick, format!("{:?}", sandbox.allocation()));

    let wanted = |group: Group| args.only.is_none_or(|o| o == group);
    if wanted(Group::Scan) {
        scan_rows(&mut table, &scrubber.plugin, sandbox.config(), &sizes)?;
    }
    if wanted(Group::Items) {
        item_rows(&mut table, &commerce.plugin, &scrubber.plugin, &sizes)?;
    }
    if wanted(Group::Instantiate) {
        instantiate_row(&mut table, &scrubber.plugin, &sizes)?;
    }
    if wanted(Group::Compile) {
        compile_and_load_rows(&mut table, &sandbox, &sizes)?;
    }
    if wanted(Group::Cache) {
        cache::rows(&mut table, &sandbox, sizes.rounds)?;
    }
    if wanted(Group::Engine) {
        let engine_sizes = engine::EngineSizes {
            customers: if quick { 2_000 } else { 50_000 },
            access_items: 1_000,
            access_rounds: if quick { 1 } else { 5 },
        };
        engine::rows(&mut table, &engine_sizes)?;
    }
    table.print();
    Ok(())
}

/// Best of `rounds` timings of `f`.
fn best<T>(rounds: usize, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..rounds.max(1) {
        let started = Instant::now();
        black_box(f()?);
        best = best.min(started.elapsed());
    }
    Ok(best)
}

fn scan_rows(
    table: &mut Table,
    plugin: &Plugin,
    config: &SandboxConfig,
    sizes: &Sizes,
) -> anyhow::Result<()> {
    let texts = corpus::transcripts(sizes.transcript_lines);
    let mb = texts.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let scanner = Scanner::new();
    let mut findings = Vec::new();
    let native = best(sizes.rounds, || {
        for t in &texts {
            findings.clear();
            scanner.scan_into(t, None, &mut findings);
        }
        Ok(findings.len())
    })?;
    let wasm = best(sizes.rounds, || Ok(plugin.scan(&texts, None)?.len()))?;
    let (n, w) = (mb / native.as_secs_f64(), mb / wasm.as_secs_f64());
    table.push(Row::compare(
        "scan, MB/s (higher is better)",
        n,
        w,
        n / w,
        "WASM >= 50 MB/s, native/WASM <= 1.3x",
        w >= 50.0 && n / w <= 1.3,
    ));
    dense_row(table, plugin, config, sizes)
}

/// The slowest text known, as one full batch: short digit groups, where
/// every group starts the phone detector. Its time in the plugin against
/// the budget the sandbox gives a batch of that size shows the margin a
/// loaded machine has before such a transcript would fail its batch.
fn dense_row(
    table: &mut Table,
    plugin: &Plugin,
    config: &SandboxConfig,
    sizes: &Sizes,
) -> anyhow::Result<()> {
    let text = "1 2 ".repeat(DEFAULT_BATCH_BYTES / 4);
    let scanner = Scanner::new();
    let native = best(sizes.rounds, || Ok(scanner.scan(&text, None).len()))?;
    let wasm = best(sizes.rounds, || Ok(plugin.scan(&[&text], None)?.len()))?;
    let (n, w) = (native.as_secs_f64() * 1e3, wasm.as_secs_f64() * 1e3);
    let budget = config.budget(text.len()).as_secs_f64() * 1e3;
    table.push(Row::compare(
        "dense digits `1 2 1 2 …`, 1 MiB batch, ms",
        n,
        w,
        w / n,
        format!("WASM <= half its {budget:.0} ms budget"),
        w <= budget / 2.0,
    ));
    Ok(())
}

fn item_rows(
    table: &mut Table,
    commerce: &Plugin,
    scrubber: &Plugin,
    sizes: &Sizes,
) -> anyhow::Result<()> {
    let batches = corpus::items(sizes.items_per_kind);
    let count: usize = batches.iter().map(|(_, items)| items.len()).sum();
    let policy = Policy::default();
    let key = PseudonymKey::from_bytes([1; 32]);
    let run = |fm: &dyn FieldMap, sc: &dyn TextScanner| -> anyhow::Result<usize> {
        let redactor = Redactor::new(fm, sc, &policy, &key);
        let mut changed = 0;
        for (kind, items) in &batches {
            for chunk in items.chunks(256) {
                changed += redactor.redact_batch(kind, chunk, None)?.len();
            }
        }
        Ok(changed)
    };
    let native = best(sizes.rounds, || run(&NativeCommerce, &NativeScrubber))?;
    let wasm = best(sizes.rounds, || run(commerce, scrubber))?;
    let (n, w) = (
        count as f64 / native.as_secs_f64(),
        count as f64 / wasm.as_secs_f64(),
    );
    table.push(Row::compare(
        "items classified + redacted, /s",
        n,
        w,
        n / w,
        "native/WASM <= 1.3x",
        n / w <= 1.3,
    ));
    Ok(())
}

fn instantiate_row(table: &mut Table, plugin: &Plugin, sizes: &Sizes) -> anyhow::Result<()> {
    plugin.instantiate_only()?;
    let took = best(sizes.rounds, || {
        for _ in 0..sizes.instantiations {
            plugin.instantiate_only()?;
        }
        Ok(())
    })?;
    let us = took.as_secs_f64() * 1e6 / sizes.instantiations as f64;
    table.push(Row::single(
        "instantiate std-scrubber, µs",
        us,
        "<= 20 µs",
        us <= 20.0,
    ));
    Ok(())
}

fn compile_and_load_rows(
    table: &mut Table,
    sandbox: &Sandbox,
    sizes: &Sizes,
) -> anyhow::Result<()> {
    let wasm = lethe_std_plugins::STD_SCRUBBER;
    let compile = best(sizes.rounds.min(3), || Ok(sandbox.compile(wasm)?))?;
    let artifact = sandbox.compile(wasm)?.artifact;
    let load = best(sizes.loads, || {
        Ok(sandbox.load_precompiled(&artifact.record, &artifact.bytes)?)
    })?;
    let (c, l) = (compile.as_secs_f64() * 1e3, load.as_secs_f64() * 1e3);
    table.push(Row::single(
        "compile std-scrubber, ms",
        c,
        "(no target)",
        true,
    ));
    table.push(Row::single(
        "load precompiled std-scrubber, ms",
        l,
        "<= 5 ms",
        l <= 5.0,
    ));
    Ok(())
}
