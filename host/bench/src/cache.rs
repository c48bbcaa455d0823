//! The compiled-plugin cache (`--only cache`): what each tier costs, what
//! the first call costs cold and warm, and the time from an upload to an
//! active plugin (and to its first batch elsewhere).
//!
//! Every tier runs over the embedded ports (redb control table, blob
//! directory) in fresh temp directories; on AWS the blob tier adds an S3
//! GET and the record a DynamoDB GetItem. "A new process" is a new
//! `PluginCache` over the same directories (empty memory), as a second
//! `Node::open` or a second Lambda sees them.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lethe_core::flatten;
use lethe_core::ports::{PluginRuntime, SystemClock};
use lethe_core::tenant::Settings;
use lethe_embedded::{Node, NodeOptions};
use lethe_local::{Local, LocalOptions};
use lethe_sandbox::{Digest, NamedPlugin, Plugin, PluginCache, Sandbox, SandboxRuntime, Tier};
use serde_json::json;

use crate::table::{Row, Table};

const SCRUBBER: &[u8] = lethe_std_plugins::STD_SCRUBBER;
const UPLOAD: &[u8] = lethe_std_plugins::FIELDMAP_COMMERCE;
const TEXT: &str = "call me on +33 6 12 34 56 78 or write to jane.doe@example.com";
const TENANT: &str = "bench";

/// Adds the cache rows.
pub(crate) fn rows(table: &mut Table, sandbox: &Sandbox, rounds: usize) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(measure(table, sandbox, rounds.max(1)))
}

/// Embedded ports and a disk directory in a fresh temp directory.
struct Env {
    root: tempfile::TempDir,
    local: Local,
}

impl Env {
    fn new() -> anyhow::Result<Env> {
        let root = tempfile::tempdir()?;
        let local = Local::open(
            &root.path().join("data"),
            Arc::new(SystemClock),
            LocalOptions::default(),
        )?;
        Ok(Env { root, local })
    }

    /// A cache as a new process sees it, with its disk at `disk`.
    fn cache(&self, sandbox: &Sandbox, disk: &str) -> PluginCache {
        PluginCache::builder(sandbox.clone())
            .disk(self.root.path().join(disk))
            .shared(self.local.blobs.clone(), self.local.control.clone())
            .build()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

async fn timed<T>(f: impl AsyncFnOnce() -> anyhow::Result<T>) -> anyhow::Result<(Duration, T)> {
    let started = Instant::now();
    let out = f().await?;
    Ok((started.elapsed(), out))
}

/// Loads the scrubber through `cache` and runs one scan; checks the tier.
async fn first_call(cache: &PluginCache, tier: Tier) -> anyhow::Result<()> {
    let loaded = cache.load(SCRUBBER).await?;
    anyhow::ensure!(
        loaded.tier == tier,
        "expected {tier:?}, got {:?}",
        loaded.tier
    );
    let spans = loaded.plugin.scan(&[TEXT], None)?;
    anyhow::ensure!(!spans[0].is_empty(), "the scrubber found nothing");
    Ok(())
}

async fn measure(table: &mut Table, sandbox: &Sandbox, rounds: usize) -> anyhow::Result<()> {
    let mut cold = Duration::MAX;
    let mut cold_call = Duration::MAX;
    for _ in 0..rounds.min(3) {
        let env = Env::new()?;
        let (t, _) = timed(async || Ok(env.cache(sandbox, "tmp").load(SCRUBBER).await?)).await?;
        cold = cold.min(t);
        let env = Env::new()?;
        let cache = env.cache(sandbox, "tmp");
        let (t, ()) = timed(async || first_call(&cache, Tier::Compiled).await).await?;
        cold_call = cold_call.min(t);
    }

    let env = Env::new()?;
    env.cache(sandbox, "tmp").load(SCRUBBER).await?;
    let (mut disk, mut blob, mut disk_call) = (Duration::MAX, Duration::MAX, Duration::MAX);
    for round in 0..rounds {
        let cache = env.cache(sandbox, "tmp");
        let (t, loaded) = timed(async || Ok(cache.load(SCRUBBER).await?)).await?;
        anyhow::ensure!(loaded.tier == Tier::Disk, "expected a disk hit");
        disk = disk.min(t);
        let cache = env.cache(sandbox, &format!("empty-{round}"));
        let (t, loaded) = timed(async || Ok(cache.load(SCRUBBER).await?)).await?;
        anyhow::ensure!(loaded.tier == Tier::Blob, "expected a blob hit");
        blob = blob.min(t);
        let cache = env.cache(sandbox, "tmp");
        let (t, ()) = timed(async || first_call(&cache, Tier::Disk).await).await?;
        disk_call = disk_call.min(t);
    }

    // Memory: by digest, as the registry asks (no hashing of the module).
    let cache = env.cache(sandbox, "tmp");
    cache.load(SCRUBBER).await?;
    let digest = Digest::of(SCRUBBER);
    let hits = 10_000u32;
    let (t, ()) = timed(async || {
        for _ in 0..hits {
            let loaded = cache.load_with(digest, || async { Ok(Vec::new()) }).await?;
            std::hint::black_box(loaded);
        }
        Ok(())
    })
    .await?;
    let memory_hit_ns = t.as_secs_f64() * 1e9 / f64::from(hits);
    let mut memory_call = Duration::MAX;
    for _ in 0..rounds {
        let (t, ()) = timed(async || {
            let plugin = cache
                .get(&digest)
                .ok_or_else(|| anyhow::anyhow!("not in memory"))?;
            anyhow::ensure!(!plugin.scan(&[TEXT], None)?[0].is_empty());
            Ok(())
        })
        .await?;
        memory_call = memory_call.min(t);
    }

    let upload = upload_to_active(sandbox, rounds).await?;

    let none = "(no target)";
    let rows: [(&str, f64, &'static str, bool); 11] = [
        ("cache: compile cold (validate), ms", ms(cold), none, true),
        (
            "cache: load from disk, ms",
            ms(disk),
            "<= 5 ms",
            ms(disk) <= 5.0,
        ),
        ("cache: load from blob store, ms", ms(blob), none, true),
        (
            "cache: memory hit by digest, ns",
            memory_hit_ns,
            "<= 1000 ns",
            memory_hit_ns <= 1e3,
        ),
        (
            "first call cold (compile + scan), ms",
            ms(cold_call),
            none,
            true,
        ),
        (
            "first call warm disk (load + scan), ms",
            ms(disk_call),
            none,
            true,
        ),
        (
            "first call warm memory (scan), µs",
            us(memory_call),
            none,
            true,
        ),
        (
            "upload -> active, precompiled, ms",
            ms(upload.to_active),
            none,
            true,
        ),
        (
            "upload -> active, not precompiled, ms",
            ms(upload.to_active_plain),
            none,
            true,
        ),
        (
            "first batch elsewhere, precompiled, ms",
            ms(upload.first_batch_warm),
            none,
            true,
        ),
        (
            "first batch elsewhere, not precompiled, ms",
            ms(upload.first_batch_cold),
            none,
            true,
        ),
    ];
    for (metric, value, target, met) in rows {
        table.push(Row::single(metric, value, target, met));
    }
    table.note(
        "cache rows: best of several runs; embedded ports (redb control table, blob directory) \
         in fresh temp dirs; a new process = a new PluginCache over the same directories. The \
         upload rows use fieldmap-commerce as the tenant's plugin (validate in a blocking task, \
         publish the artifact to the blob store + its record (precompiled only), register, \
         activate); \"first batch elsewhere\" is a \
         fresh cache and runtime over the same ports (another Lambda): read the active set, HEAD \
         the component, load (precompiled: artifact from the blob store; not precompiled: read \
         and compile the component), classify one item.",
    );
    Ok(())
}

struct Upload {
    to_active: Duration,
    to_active_plain: Duration,
    first_batch_warm: Duration,
    first_batch_cold: Duration,
}

async fn upload_to_active(sandbox: &Sandbox, rounds: usize) -> anyhow::Result<Upload> {
    let field_map = sandbox.compile(lethe_std_plugins::FIELDMAP_GENERIC)?.plugin;
    let scrubber = sandbox.compile(SCRUBBER)?.plugin;
    let mut out = Upload {
        to_active: Duration::MAX,
        to_active_plain: Duration::MAX,
        first_batch_warm: Duration::MAX,
        first_batch_cold: Duration::MAX,
    };
    for _ in 0..rounds.min(3) {
        for publish in [true, false] {
            let dir = tempfile::tempdir()?;
            let node = Node::open(dir.path(), NodeOptions::default())?;
            node.engine
                .create_tenant(TENANT, "Bench", Settings::default())
                .await?;
            let (t, _sha) = timed(async || {
                let sandbox = node.sandbox.clone();
                let validated =
                    tokio::task::spawn_blocking(move || sandbox.validate(UPLOAD)).await??;
                if publish {
                    let ports = node.engine.ports();
                    PluginCache::builder(node.sandbox.clone())
                        .memory(0)
                        .shared(ports.blobs.clone(), ports.control.clone())
                        .build()
                        .publish(&validated.plugin, &validated.artifact)
                        .await?;
                }
                let worlds = validated.plugin.worlds();
                let (version, _) = node
                    .engine
                    .register_plugin_version(
                        TENANT,
                        "commerce",
                        UPLOAD.to_vec().into(),
                        worlds.field_map,
                        worlds.scrubber,
                        "bench",
                    )
                    .await?;
                node.engine
                    .activate_plugin(TENANT, "commerce", &version.sha256, "bench")
                    .await?;
                Ok(version.sha256)
            })
            .await?;
            if publish {
                out.to_active = out.to_active.min(t);
            } else {
                out.to_active_plain = out.to_active_plain.min(t);
            }
            let elsewhere = elsewhere(&node, dir.path(), &field_map, &scrubber);
            let (t, ()) = timed(async || {
                let plugins = elsewhere.plugins(TENANT).await?;
                anyhow::ensure!(
                    plugins.versions[0].starts_with("commerce@"),
                    "the upload is not active: {:?}",
                    plugins.versions
                );
                let item = flatten(&json!({"email": "jane.doe@example.com", "plan": "pro"}));
                let marks = plugins.field_map.classify("profile", &[item])?;
                anyhow::ensure!(!marks[0].is_empty());
                Ok(())
            })
            .await?;
            if publish {
                out.first_batch_warm = out.first_batch_warm.min(t);
            } else {
                out.first_batch_cold = out.first_batch_cold.min(t);
            }
        }
    }
    Ok(out)
}

/// A runtime as another process over the node's ports (same engine
/// configuration) would build it: the standard plugins (compiled once, not
/// timed) and a fresh cache with its own empty disk directory.
fn elsewhere(node: &Node, dir: &Path, field_map: &Plugin, scrubber: &Plugin) -> SandboxRuntime {
    let cache = PluginCache::builder(node.sandbox.clone())
        .disk(dir.join("elsewhere-tmp"))
        .shared(node.local.blobs.clone(), node.local.control.clone())
        .build();
    SandboxRuntime::new(
        NamedPlugin::new("fieldmap-generic", field_map.clone()),
        NamedPlugin::new("std-scrubber", scrubber.clone()),
    )
    .with_cached_registry(cache, node.local.control.clone(), node.local.blobs.clone())
}
