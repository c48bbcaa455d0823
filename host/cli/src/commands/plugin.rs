//! `lethe plugin ...`: a plugin author's loop, from a new crate to a
//! version active on a server.
//!
//! | command    | module             | does |
//! |------------|--------------------|------|
//! | `new`      | [`plugin_new`]     | a crate from the template in `plugins/template/` |
//! | `build`    | [`plugin_build`]   | `cargo build --release --target wasm32-wasip2`, path + size + SHA-256 |
//! | `validate` | [`validate`]       | the server's admission, nothing else |
//! | `test`     | [`plugin_test`]    | admission, then a dry run on sample items and texts |
//! | `push`, `versions`, `activate`, `rollback` | [`plugin_remote`] | the API's `/v1/plugins` routes |

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::args::PluginCommand;
use crate::plugin_source;

use super::{plugin_build, plugin_new, plugin_remote, plugin_test, validate};

/// Runs `lethe plugin ...`.
pub(crate) fn run(command: &PluginCommand) -> anyhow::Result<ExitCode> {
    match command {
        PluginCommand::New(args) => plugin_new::run(args),
        PluginCommand::Build(args) => plugin_build::run(args),
        PluginCommand::Validate { plugin } => validate::run(plugin),
        PluginCommand::Test(args) => plugin_test::run(args),
        PluginCommand::Push(args) => plugin_remote::push(args),
        PluginCommand::Versions(args) => plugin_remote::versions(args),
        PluginCommand::Activate(args) => plugin_remote::activate(args),
        PluginCommand::Rollback(args) => plugin_remote::rollback(args),
    }
}

/// A plugin's bytes, and where they came from.
pub(crate) struct Component {
    /// The `.wasm` file, or `builtin:NAME`.
    pub(crate) label: String,
    /// The component.
    pub(crate) bytes: Vec<u8>,
}

/// Reads the plugin `source`: a plugin crate's directory (built first, its
/// cargo output on stderr), a `.wasm` file, or `builtin:NAME`.
///
/// # Errors
/// A failed build, or an unreadable file, saying what to do.
pub(crate) fn component(source: &str) -> anyhow::Result<Component> {
    let path = Path::new(source);
    if path.is_dir() {
        let built = plugin_build::build(path)?;
        eprintln!(
            "built {} ({} bytes, sha256 {})",
            built.path.display(),
            built.bytes.len(),
            lethe_sandbox::Digest::of(&built.bytes)
        );
        return Ok(Component {
            label: built.path.display().to_string(),
            bytes: built.bytes,
        });
    }
    if !source.starts_with("builtin:") && !path.exists() {
        anyhow::bail!(
            "no plugin at {source}: give a component (.wasm), a plugin crate's directory, or \
             builtin:NAME"
        );
    }
    let bytes = plugin_source::read(source)?;
    Ok(Component {
        label: source.to_owned(),
        bytes,
    })
}

/// `path` made absolute (without resolving links), for messages and
/// manifests.
pub(crate) fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))
}
