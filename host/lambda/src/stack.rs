//! Everything a function needs, built once per cold start.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use lethe_aws::{Aws, AwsConfig};
use lethe_core::engine::{Engine, EngineConfig, Ports};
use lethe_core::ports::{Clock, SystemClock};
use lethe_sandbox::{PluginCache, Sandbox, SandboxRuntime};

use crate::Settings;

/// The engine over AWS, with the sandbox its plugins run in.
#[derive(Clone)]
pub struct Stack {
    /// The engine.
    pub engine: Engine,
    /// The sandbox (the API admits uploaded plugins with it).
    pub sandbox: Sandbox,
    /// The AWS adapters.
    pub aws: Aws,
    /// The settings it was built from.
    pub settings: Settings,
}

impl Stack {
    /// Builds the stack from the environment: [`Settings`], the AWS
    /// resources (`lethe_aws::AwsConfig::from_env`), the sandbox and the
    /// standard plugins.
    ///
    /// # Errors
    /// What is missing or unreachable, in words an operator can act on.
    pub async fn from_env() -> anyhow::Result<Stack> {
        let settings = Settings::from_env()?;
        let config = AwsConfig::from_env().await?;
        Stack::build(settings, &config, Arc::new(SystemClock)).await
    }

    /// Builds the stack on explicit settings, AWS configuration and clock
    /// (tests set up data "in the past" with a manual clock).
    ///
    /// # Errors
    /// What is missing or unreachable.
    pub async fn build(
        settings: Settings,
        config: &AwsConfig,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Stack> {
        let started = Instant::now();
        let aws = Aws::open(config).await.with_context(|| {
            format!(
                "cannot open the chunk queue {:?}; check LETHE_QUEUE and the function's SQS permissions",
                config.queue
            )
        })?;
        let opened = started.elapsed();
        let sandbox = Sandbox::new().context("the WebAssembly sandbox could not start")?;
        // Compiled plugins: memory, then /tmp (this execution environment),
        // then S3 (every environment), trusted through records in the
        // control table; compiled only when none holds a sound artifact.
        // /tmp keeps at most lethe_sandbox::DEFAULT_DISK_BUDGET (256 MiB, half
        // of a function's default /tmp).
        let cache = PluginCache::builder(sandbox.clone())
            .disk(&settings.plugin_cache_dir)
            .shared(aws.blobs.clone(), aws.control.clone())
            .build();
        let field_map = cache
            .load_standard("fieldmap-generic", lethe_std_plugins::FIELDMAP_GENERIC)
            .await
            .context("standard plugin fieldmap-generic could not be loaded")?;
        let scrubber = cache
            .load_standard("std-scrubber", lethe_std_plugins::STD_SCRUBBER)
            .await
            .context("standard plugin std-scrubber could not be loaded")?;
        let plugins_ready = started.elapsed();
        let stats = cache.stats();
        let runtime = Arc::new(
            SandboxRuntime::new(field_map, scrubber).with_cached_registry(
                cache,
                aws.control.clone(),
                aws.blobs.clone(),
            ),
        );
        let mut engine_config = EngineConfig {
            public_base_url: settings.public_url.clone(),
            ..EngineConfig::default()
        };
        if let Some(n) = settings.chunk_size {
            engine_config.chunk_size = n;
        }
        let ports = Ports {
            data: aws.data.clone(),
            control: aws.control.clone(),
            blobs: aws.blobs.clone(),
            queue: aws.queue.clone(),
            notifier: aws.mailer.clone(),
            clock,
            plugins: runtime,
        };
        tracing::info!(
            aws_ms = opened.as_millis() as u64,
            plugins_ms = (plugins_ready - opened).as_millis() as u64,
            plugins_compiled = stats.compiles,
            plugins_from_disk = stats.disk.hits,
            plugins_from_s3 = stats.blob.hits,
            "cold start: stack ready"
        );
        Ok(Stack {
            engine: Engine::new(ports, engine_config),
            sandbox,
            aws,
            settings,
        })
    }
}
