//! Where a plugin's bytes come from: a file, or one of the built-ins.

use anyhow::{Context, bail};
use lethe_sandbox::{Plugin, Sandbox};

/// Reads `source`: `builtin:NAME` or a path to a `.wasm` component.
pub(crate) fn read(source: &str) -> anyhow::Result<Vec<u8>> {
    if let Some(name) = source.strip_prefix("builtin:") {
        let Some(bytes) = lethe_std_plugins::builtin(name) else {
            let names: Vec<&str> = lethe_std_plugins::BUILTIN.iter().map(|(n, _)| *n).collect();
            bail!(
                "no built-in plugin {name:?}; built-ins are {}",
                names.join(", ")
            );
        };
        return Ok(bytes.to_vec());
    }
    std::fs::read(source).with_context(|| format!("cannot read plugin file {source}"))
}

/// Reads and admits `source` (full validation, as the server does).
pub(crate) fn load(sandbox: &Sandbox, source: &str) -> anyhow::Result<Plugin> {
    let bytes = read(source)?;
    let validated = sandbox
        .validate(&bytes)
        .with_context(|| format!("plugin {source} refused"))?;
    Ok(validated.plugin)
}
