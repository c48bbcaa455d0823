//! `lethe tenant create` and `lethe tenant key`, and the bootstrap that
//! `lethe serve --bootstrap-tenant` shares: a tenant's first admin key,
//! shown once.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use lethe_core::engine::{EngineError, IssuedKey, Role};
use lethe_core::tenant::{Region, Settings};
use lethe_embedded::Node;

use crate::args::{TenantCreateArgs, TenantKeyArgs};
use crate::node;

/// The label of a tenant's first admin key (the actor of what it does).
pub(crate) const BOOTSTRAP_LABEL: &str = "bootstrap-admin";

/// Creates tenant `id` in `region` with its first admin key. Refuses a
/// tenant that exists: its first key was shown when it was made.
///
/// # Errors
/// A taken or malformed id, a bad region, or a store failure; each says
/// what to do.
pub(crate) async fn bootstrap(
    node: &Node,
    dir: &Path,
    id: &str,
    name: Option<&str>,
    region: &str,
) -> anyhow::Result<IssuedKey> {
    let region: Region = region
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--region {region:?}: {e}"))?;
    match node.engine.tenant(id).await {
        Ok(_) => anyhow::bail!(
            "tenant {id:?} already exists in {}; its first admin key was shown when it was \
             created and is stored only as a hash. Make another key with `lethe tenant key \
             --data-dir {} {id}` (while no server runs on the directory), or with \
             POST /v1/api-keys and an admin key",
            dir.display(),
            dir.display()
        ),
        Err(EngineError::NotFound { .. }) => {}
        Err(e) => return Err(e).context("cannot read the tenants"),
    }
    let settings = Settings {
        region,
        ..Settings::default()
    };
    let (_, key) = node
        .engine
        .bootstrap_tenant(id, name.unwrap_or(id), settings, BOOTSTRAP_LABEL)
        .await
        .context("cannot create the tenant")?;
    Ok(key)
}

/// Runs `lethe tenant create`: the key is the only line on stdout.
pub(crate) fn create(args: &TenantCreateArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.data_dir.path;
    let node = node::open(dir)?;
    node::runtime()?.block_on(async {
        let key = bootstrap(&node, dir, &args.id, args.name.as_deref(), &args.region).await?;
        println!("{}", key.key);
        eprintln!(
            "Created tenant {} with admin key {} (label {BOOTSTRAP_LABEL}). The key above is \
             shown only now: store it (for `lethe remote`, in LETHE_API_KEY).",
            args.id, key.record.id
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// Runs `lethe tenant key`: the key is the only line on stdout.
pub(crate) fn key(args: &TenantKeyArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.data_dir.path;
    let role: Role = args
        .role
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--role {:?}: {e}", args.role))?;
    let node = node::open_existing(dir)?;
    node::runtime()?.block_on(async {
        match node.engine.tenant(&args.id).await {
            Ok(_) => {}
            Err(EngineError::NotFound { .. }) => anyhow::bail!(
                "there is no tenant {:?} in {}; check the id, or create it with `lethe tenant \
                 create --data-dir {} {}`",
                args.id,
                dir.display(),
                dir.display(),
                args.id
            ),
            Err(e) => return Err(e).context("cannot read the tenant"),
        }
        let key = node
            .engine
            .create_api_key(&args.id, &args.label, role, "cli")
            .await
            .context("cannot make the key")?;
        println!("{}", key.key);
        eprintln!(
            "Made {} key {} for tenant {}. The key above is shown only now: store it.",
            role.as_str(),
            key.record.id,
            args.id
        );
        Ok(ExitCode::SUCCESS)
    })
}
