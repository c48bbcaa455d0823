//! The compiled-plugin cache over the real standard plugins and the
//! embedded ports (redb control table, blob directory): cold, warm memory,
//! warm disk, warm blob store, incompatible and tampered artifacts, the
//! memory bound, and publishing at upload.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lethe_core::keys;
use lethe_core::ports::{
    BlobStore, Condition, ItemStore, PortError, PutCondition, Record, SystemClock, read_all,
};
use lethe_local::{Local, LocalOptions};
use lethe_sandbox::{
    CacheError, Digest, EngineHash, Plugin, PluginCache, Sandbox, SandboxConfig, Tier,
};
use serde_json::json;
use tempfile::TempDir;

const SCRUBBER: &[u8] = lethe_std_plugins::STD_SCRUBBER;
const TEXT: &str = "card 4111 1111 1111 1111, mail sample.person@example.com";

/// A data directory with the embedded ports, and a cache directory.
struct Env {
    _root: TempDir,
    local: Local,
    disk: PathBuf,
}

impl Env {
    fn new() -> Env {
        let root = tempfile::tempdir().unwrap();
        let local = Local::open(
            &root.path().join("data"),
            Arc::new(SystemClock),
            LocalOptions::default(),
        )
        .unwrap();
        let disk = root.path().join("plugin-cache");
        Env {
            _root: root,
            local,
            disk,
        }
    }

    /// A fresh cache (empty memory, as in a new process) over `disk`, the
    /// blob store and the control table.
    fn cache(&self, sandbox: &Sandbox, disk: &Path) -> PluginCache {
        PluginCache::builder(sandbox.clone())
            .disk(disk)
            .shared(self.local.blobs.clone(), self.local.control.clone())
            .build()
    }

    fn control(&self) -> &dyn ItemStore {
        self.local.control.as_ref()
    }

    fn blobs(&self) -> &dyn BlobStore {
        self.local.blobs.as_ref()
    }
}

fn artifact_file(disk: &Path, engine: &EngineHash, module: &Digest) -> PathBuf {
    disk.join(engine.to_string())
        .join(format!("{module}.cwasm"))
}

fn blob_key(engine: &EngineHash, module: &Digest) -> String {
    keys::artifact_blob(&engine.to_string(), &module.to_hex())
}

async fn blob_bytes(env: &Env, key: &str) -> Vec<u8> {
    read_all(env.blobs(), key).await.unwrap().1
}

/// The artifact record of `module` under `engine`.
async fn artifact_record(env: &Env, engine: &EngineHash, module: &Digest) -> Record {
    env.control()
        .get(&keys::artifact_record(
            &engine.to_string(),
            &module.to_hex(),
        ))
        .await
        .unwrap()
        .expect("a record")
}

async fn record_body(env: &Env, engine: &EngineHash, module: &Digest) -> serde_json::Value {
    artifact_record(env, engine, module).await.body
}

/// The standard scrubber still finds what it should.
fn scrubs(plugin: &Plugin) {
    let spans = plugin.scan(&[TEXT], None).unwrap();
    let categories: Vec<&str> = spans[0].iter().map(|s| s.category.as_str()).collect();
    assert!(categories.contains(&"email"), "{categories:?}");
    assert!(categories.contains(&"payment"), "{categories:?}");
}

fn flip_middle_byte(bytes: &mut [u8]) {
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_compiles_once_and_fills_every_tier_then_memory_answers() {
    let env = Env::new();
    let sandbox = Sandbox::new().unwrap();
    let cache = env.cache(&sandbox, &env.disk);
    let engine = *sandbox.engine_hash();
    let module = Digest::of(SCRUBBER);

    let cold = cache.load(SCRUBBER).await.unwrap();
    assert_eq!(cold.tier, Tier::Compiled);
    scrubs(&cold.plugin);
    let s = cache.stats();
    assert_eq!(s.compiles, 1);
    assert_eq!((s.memory.misses, s.records.misses), (1, 1));
    assert_eq!(
        (s.disk.hits, s.blob.hits),
        (0, 0),
        "no record: no tier read"
    );
    assert_eq!(
        (s.blob.writes, s.disk.writes, s.records.writes),
        (1, 1, 1),
        "every tier filled"
    );

    let file = std::fs::read(artifact_file(&env.disk, &engine, &module)).unwrap();
    let blob = blob_bytes(&env, &blob_key(&engine, &module)).await;
    assert_eq!(file, blob);
    let record = record_body(&env, &engine, &module).await;
    assert_eq!(record["module"], module.to_hex());
    assert_eq!(record["engine"], engine.to_string());
    assert_eq!(record["artifact"], Digest::of(&file).to_hex());
    assert_eq!(record["size"], file.len() as u64);
    let expires_at = artifact_record(&env, &engine, &module)
        .await
        .expires_at
        .expect("an expiry");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let in_days = (expires_at - now) / 86_400;
    assert!(
        (119..=120).contains(&in_days),
        "a record lives 120 days, not {in_days}"
    );

    // Warm memory: same instance, no disk or store read.
    let warm = cache.load(SCRUBBER).await.unwrap();
    assert_eq!(warm.tier, Tier::Memory);
    scrubs(&warm.plugin);
    let s = cache.stats();
    assert_eq!(s.memory.hits, 1);
    assert_eq!(s.compiles, 1);
    assert_eq!((s.records.hits, s.disk.hits, s.disk.misses), (0, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_disk_a_new_process_loads_the_artifact_instead_of_compiling() {
    let env = Env::new();
    let first = Sandbox::new().unwrap();
    env.cache(&first, &env.disk).load(SCRUBBER).await.unwrap();

    // A new sandbox with the same configuration, a new cache: a new process.
    let second = Sandbox::new().unwrap();
    assert_eq!(first.engine_hash(), second.engine_hash());
    let cache = env.cache(&second, &env.disk);
    let loaded = cache.load(SCRUBBER).await.unwrap();
    assert_eq!(loaded.tier, Tier::Disk);
    scrubs(&loaded.plugin);
    let s = cache.stats();
    assert_eq!((s.compiles, s.records.hits, s.disk.hits), (0, 1, 1));
    assert_eq!(s.blob.hits + s.blob.misses, 0, "the blob store is not read");
    assert_eq!(s.disk.writes + s.blob.writes + s.records.writes, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_blob_an_empty_disk_is_refilled_from_the_blob_store() {
    let env = Env::new();
    let sandbox = Sandbox::new().unwrap();
    env.cache(&sandbox, &env.disk).load(SCRUBBER).await.unwrap();

    // Another machine (another /tmp), same bucket and table.
    let fresh_disk = env.disk.with_file_name("other-tmp");
    let cache = env.cache(&sandbox, &fresh_disk);
    let loaded = cache.load(SCRUBBER).await.unwrap();
    assert_eq!(loaded.tier, Tier::Blob);
    scrubs(&loaded.plugin);
    let s = cache.stats();
    assert_eq!((s.compiles, s.disk.misses, s.blob.hits), (0, 1, 1));
    assert_eq!(s.disk.writes, 1, "the disk tier is refilled");
    let engine = *sandbox.engine_hash();
    let module = Digest::of(SCRUBBER);
    assert_eq!(
        std::fs::read(artifact_file(&fresh_disk, &engine, &module)).unwrap(),
        std::fs::read(artifact_file(&env.disk, &engine, &module)).unwrap()
    );
    // And the next process on that machine reads its disk.
    let next = env.cache(&sandbox, &fresh_disk);
    assert_eq!(next.load(SCRUBBER).await.unwrap().tier, Tier::Disk);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_engine_configuration_compiles_its_own_and_leaves_ours_alone() {
    let env = Env::new();
    let ours = Sandbox::new().unwrap();
    env.cache(&ours, &env.disk).load(SCRUBBER).await.unwrap();
    let module = Digest::of(SCRUBBER);
    let our_engine = *ours.engine_hash();
    let our_file = std::fs::read(artifact_file(&env.disk, &our_engine, &module)).unwrap();

    let theirs =
        Sandbox::with_config(SandboxConfig::default().memory_reservation(64 << 20)).unwrap();
    let their_engine = *theirs.engine_hash();
    assert_ne!(our_engine, their_engine);
    let cache = env.cache(&theirs, &env.disk);
    let loaded = cache.load(SCRUBBER).await.unwrap();
    assert_eq!(
        loaded.tier,
        Tier::Compiled,
        "never looked up under our hash"
    );
    scrubs(&loaded.plugin);
    assert_eq!(cache.stats().records.misses, 1);

    // Both engines' artifacts now live side by side; ours is untouched.
    assert_eq!(
        std::fs::read(artifact_file(&env.disk, &our_engine, &module)).unwrap(),
        our_file
    );
    assert!(artifact_file(&env.disk, &their_engine, &module).exists());
    assert_eq!(
        blob_bytes(&env, &blob_key(&our_engine, &module)).await,
        our_file
    );
    assert_eq!(
        env.cache(&ours, &env.disk)
            .load(SCRUBBER)
            .await
            .unwrap()
            .tier,
        Tier::Disk
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_artifact_whose_record_names_another_engine_is_recompiled_not_loaded() {
    let env = Env::new();
    let ours = Sandbox::new().unwrap();
    let theirs =
        Sandbox::with_config(SandboxConfig::default().memory_reservation(64 << 20)).unwrap();
    let module = Digest::of(SCRUBBER);
    let engine = *ours.engine_hash();

    // Under *our* keys: another engine's genuine artifact, in the disk
    // directory and the blob store, with a record that says so (a
    // confused writer, or a configuration changed under the same hash).
    let foreign = theirs.compile(SCRUBBER).unwrap().artifact;
    let path = artifact_file(&env.disk, &engine, &module);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &foreign.bytes).unwrap();
    env.blobs()
        .put(
            &blob_key(&engine, &module),
            foreign.bytes.clone().into(),
            "application/octet-stream",
            PutCondition::Any,
        )
        .await
        .unwrap();
    env.control()
        .put(
            Record::new(
                keys::artifact_record(&engine.to_string(), &module.to_hex()),
                json!({
                    "module": module.to_hex(),
                    "engine": foreign.record.engine.to_string(),
                    "artifact": foreign.record.artifact.to_hex(),
                    "size": foreign.bytes.len(),
                }),
            ),
            Condition::None,
        )
        .await
        .unwrap();

    let cache = env.cache(&ours, &env.disk);
    let loaded = cache.load(SCRUBBER).await.unwrap();
    assert_eq!(loaded.tier, Tier::Compiled);
    scrubs(&loaded.plugin);
    let s = cache.stats();
    assert_eq!((s.records.refused, s.compiles), (1, 1));
    assert_eq!(
        s.disk.hits + s.blob.hits,
        0,
        "the foreign artifact is never loaded"
    );

    // Replaced: our record, our artifact, and the next process loads it.
    let record = record_body(&env, &engine, &module).await;
    assert_eq!(record["engine"], engine.to_string());
    let file = std::fs::read(&path).unwrap();
    assert_ne!(file, foreign.bytes);
    assert_eq!(record["artifact"], Digest::of(&file).to_hex());
    assert_eq!(
        env.cache(&ours, &env.disk)
            .load(SCRUBBER)
            .await
            .unwrap()
            .tier,
        Tier::Disk
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_disk_artifact_is_refused_and_repaired_from_the_blob_store() {
    let env = Env::new();
    let sandbox = Sandbox::new().unwrap();
    env.cache(&sandbox, &env.disk).load(SCRUBBER).await.unwrap();
    let (engine, module) = (*sandbox.engine_hash(), Digest::of(SCRUBBER));
    let path = artifact_file(&env.disk, &engine, &module);
    let good = std::fs::read(&path).unwrap();
    let mut bad = good.clone();
    flip_middle_byte(&mut bad);
    std::fs::write(&path, &bad).unwrap();

    let cache = env.cache(&sandbox, &env.disk);
    let loaded = cache.load(SCRUBBER).await.unwrap();
    assert_eq!(loaded.tier, Tier::Blob);
    scrubs(&loaded.plugin);
    let s = cache.stats();
    assert_eq!((s.disk.refused, s.blob.hits, s.compiles), (1, 1, 0));
    assert_eq!(std::fs::read(&path).unwrap(), good, "repaired");

    // A truncated file is refused by its size, unread.
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    let cache = env.cache(&sandbox, &env.disk);
    assert_eq!(cache.load(SCRUBBER).await.unwrap().tier, Tier::Blob);
    assert_eq!(cache.stats().disk.refused, 1);
    assert_eq!(std::fs::read(&path).unwrap(), good);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_blob_artifact_is_refused_recompiled_and_repaired() {
    let env = Env::new();
    let sandbox = Sandbox::new().unwrap();
    env.cache(&sandbox, &env.disk).load(SCRUBBER).await.unwrap();
    let (engine, module) = (*sandbox.engine_hash(), Digest::of(SCRUBBER));
    let key = blob_key(&engine, &module);
    let good = blob_bytes(&env, &key).await;
    let mut bad = good.clone();
    flip_middle_byte(&mut bad);
    env.blobs()
        .put(
            &key,
            bad.clone().into(),
            "application/octet-stream",
            PutCondition::Any,
        )
        .await
        .unwrap();
    // Tamper the disk copy too: no tier is sound, only a compilation is.
    let path = artifact_file(&env.disk, &engine, &module);
    std::fs::write(&path, &bad).unwrap();

    let cache = env.cache(&sandbox, &env.disk);
    let loaded = cache.load(SCRUBBER).await.unwrap();
    assert_eq!(loaded.tier, Tier::Compiled);
    scrubs(&loaded.plugin);
    let s = cache.stats();
    assert_eq!(
        (s.disk.refused, s.blob.refused, s.compiles),
        (1, 1, 1),
        "{s:?}"
    );
    // Both tiers repaired with bytes that match the record again.
    let record = record_body(&env, &engine, &module).await;
    let blob = blob_bytes(&env, &key).await;
    assert_eq!(record["artifact"], Digest::of(&blob).to_hex());
    assert_eq!(std::fs::read(&path).unwrap(), blob);
    let next = env.cache(&sandbox, &env.disk.with_file_name("clean-tmp"));
    assert_eq!(next.load(SCRUBBER).await.unwrap().tier, Tier::Blob);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_is_a_bounded_lru() {
    let sandbox = Sandbox::new().unwrap();
    let cache = PluginCache::builder(sandbox).memory(2).build();
    let a = lethe_std_plugins::STD_SCRUBBER;
    let b = lethe_std_plugins::FIELDMAP_GENERIC;
    let c = lethe_std_plugins::FIELDMAP_COMMERCE;
    cache.load(a).await.unwrap();
    cache.load(b).await.unwrap();
    assert_eq!(cache.load(a).await.unwrap().tier, Tier::Memory, "a is used");
    cache.load(c).await.unwrap();
    assert_eq!(cache.in_memory(), 2);
    assert!(cache.holds(&Digest::of(a)), "recently used: kept");
    assert!(!cache.holds(&Digest::of(b)), "least recently used: dropped");
    assert!(cache.holds(&Digest::of(c)));
    let s = cache.stats();
    assert_eq!((s.evictions, s.compiles), (1, 3));
    // No disk or shared tiers: a dropped plugin is compiled again.
    assert_eq!(cache.load(b).await.unwrap().tier, Tier::Compiled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_and_disk_alone_work_across_processes_and_refuse_tampering() {
    let root = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::new().unwrap();
    let cli = || {
        PluginCache::builder(sandbox.clone())
            .disk(root.path())
            .build()
    };
    assert_eq!(cli().load(SCRUBBER).await.unwrap().tier, Tier::Compiled);
    let cache = cli();
    assert_eq!(cache.load(SCRUBBER).await.unwrap().tier, Tier::Disk);
    assert_eq!(cache.stats().records.hits, 1);

    let path = artifact_file(root.path(), sandbox.engine_hash(), &Digest::of(SCRUBBER));
    let mut bytes = std::fs::read(&path).unwrap();
    flip_middle_byte(&mut bytes);
    std::fs::write(&path, &bytes).unwrap();
    let cache = cli();
    let loaded = cache.load(SCRUBBER).await.unwrap();
    assert_eq!(loaded.tier, Tier::Compiled);
    scrubs(&loaded.plugin);
    assert_eq!(cache.stats().disk.refused, 1);
    assert_eq!(cli().load(SCRUBBER).await.unwrap().tier, Tier::Disk);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_loads_of_one_plugin_compile_it_once() {
    let sandbox = Sandbox::new().unwrap();
    let cache = PluginCache::builder(sandbox).build();
    let loads: Vec<_> = (0..4)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.load(SCRUBBER).await.map(|l| l.tier) })
        })
        .collect();
    let mut tiers = Vec::new();
    for load in loads {
        tiers.push(load.await.unwrap().unwrap());
    }
    assert_eq!(cache.stats().compiles, 1, "{tiers:?}");
    assert_eq!(tiers.iter().filter(|t| **t == Tier::Compiled).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetched_bytes_must_be_the_component_asked_for() {
    let sandbox = Sandbox::new().unwrap();
    let cache = PluginCache::builder(sandbox).build();
    let asked = Digest::of(SCRUBBER);
    let swapped = cache
        .load_with(asked, || async {
            Ok(lethe_std_plugins::FIELDMAP_GENERIC.to_vec())
        })
        .await;
    assert!(matches!(swapped, Err(CacheError::ModuleMismatch { .. })));
    let down = cache
        .load_with(asked, || async {
            Err(PortError::unavailable("blob store", "down"))
        })
        .await;
    assert!(matches!(down, Err(CacheError::Source(_))));
    assert_eq!(cache.stats().compiles, 0);
    assert_eq!(cache.in_memory(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_upload_is_warm_everywhere_and_foreign_artifacts_are_refused() {
    let env = Env::new();
    let sandbox = Sandbox::new().unwrap();
    // What the upload route does: validate, then publish through a cache
    // with no memory and no disk (the API process's view of the tiers).
    let validated = sandbox.validate(SCRUBBER).unwrap();
    let upload = PluginCache::builder(sandbox.clone())
        .memory(0)
        .shared(env.local.blobs.clone(), env.local.control.clone())
        .build();
    upload
        .publish(&validated.plugin, &validated.artifact)
        .await
        .unwrap();
    assert_eq!(
        (upload.stats().blob.writes, upload.stats().records.writes),
        (1, 1)
    );

    // A worker elsewhere: its first load is from the blob store.
    let worker = env.cache(&sandbox, &env.disk);
    let loaded = worker.load(SCRUBBER).await.unwrap();
    assert_eq!(loaded.tier, Tier::Blob);
    scrubs(&loaded.plugin);

    // Publishing someone else's artifact is refused.
    let theirs =
        Sandbox::with_config(SandboxConfig::default().memory_reservation(64 << 20)).unwrap();
    let foreign = theirs.compile(SCRUBBER).unwrap();
    assert!(matches!(
        upload.publish(&foreign.plugin, &foreign.artifact).await,
        Err(CacheError::Foreign(_))
    ));
    let generic = sandbox
        .compile(lethe_std_plugins::FIELDMAP_GENERIC)
        .unwrap();
    assert!(matches!(
        upload.publish(&validated.plugin, &generic.artifact).await,
        Err(CacheError::Foreign(_))
    ));
}
