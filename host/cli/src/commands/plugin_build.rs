//! `lethe plugin build`: a plugin crate into a WebAssembly component.
//!
//! Runs `cargo build --release --target wasm32-wasip2` in the crate, with
//! cargo's JSON messages on stdout to learn where the component landed (so
//! `CARGO_TARGET_DIR` and `.cargo/config.toml` are honoured) and its
//! diagnostics rendered on stderr as usual.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{Context, bail};
use lethe_sandbox::{DEFAULT_MAX_COMPONENT_SIZE, Digest};
use serde::Deserialize;

use crate::args::PluginBuildArgs;

/// The target plugins are built for.
pub(crate) const TARGET: &str = "wasm32-wasip2";

/// A built component.
pub(crate) struct Built {
    /// Where cargo put it.
    pub(crate) path: PathBuf,
    /// Its bytes.
    pub(crate) bytes: Vec<u8>,
}

/// Runs `lethe plugin build`.
pub(crate) fn run(args: &PluginBuildArgs) -> anyhow::Result<ExitCode> {
    let built = build(&args.path)?;
    println!("component  {}", built.path.display());
    println!("size       {} bytes", built.bytes.len());
    println!("sha256     {}", Digest::of(&built.bytes));
    if built.bytes.len() > DEFAULT_MAX_COMPONENT_SIZE {
        eprintln!(
            "warning: servers refuse components over {} bytes by default; build with \
             `opt-level = \"s\"` or drop dependencies",
            DEFAULT_MAX_COMPONENT_SIZE
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One line of cargo's `--message-format=json` output (the fields used).
#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    manifest_path: Option<PathBuf>,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    filenames: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct Target {
    kind: Vec<String>,
}

/// Builds the plugin crate at `dir` in release mode for [`TARGET`].
///
/// # Errors
/// Not a crate, a missing target (with the `rustup` command that adds it),
/// a failed build, or a crate that makes no component.
pub(crate) fn build(dir: &Path) -> anyhow::Result<Built> {
    let dir = super::plugin::absolute(dir)?;
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        bail!(
            "{} is not a plugin crate (it has no Cargo.toml); make one with \
             `lethe plugin new NAME --kind field-map` (or `--kind scrubber`)",
            dir.display()
        );
    }
    check_target(&dir)?;
    let mut child = Command::new("cargo")
        .current_dir(&dir)
        .args([
            "build",
            "--release",
            "--target",
            TARGET,
            "--message-format=json-render-diagnostics",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context(
            "cannot run cargo: is Rust installed? Install it with rustup (https://rustup.rs)",
        )?;
    let stdout = child
        .stdout
        .take()
        .context("cargo's output was not piped")?;
    let manifest = manifest.canonicalize().unwrap_or(manifest);
    let mut component = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.context("cannot read cargo's output")?;
        let Ok(message) = serde_json::from_str::<Message>(&line) else {
            continue;
        };
        let ours = message
            .manifest_path
            .as_deref()
            .is_some_and(|p| p.canonicalize().is_ok_and(|p| p == manifest));
        let cdylib = message
            .target
            .as_ref()
            .is_some_and(|t| t.kind.iter().any(|k| k == "cdylib"));
        if message.reason == "compiler-artifact" && ours && cdylib {
            component = message
                .filenames
                .into_iter()
                .find(|f| f.extension().is_some_and(|e| e == "wasm"))
                .or(component);
        }
    }
    let status = child.wait().context("cargo did not finish")?;
    if !status.success() {
        bail!(
            "cargo build failed in {} (the compiler's messages are above)",
            dir.display()
        );
    }
    let Some(path) = component else {
        bail!(
            "{} built no WebAssembly component: its Cargo.toml needs `[lib] crate-type = \
             [\"cdylib\"]`",
            dir.display()
        );
    };
    let bytes = std::fs::read(&path)
        .with_context(|| format!("cannot read the component {}", path.display()))?;
    Ok(Built { path, bytes })
}

/// Checks that the toolchain used in `dir` (its `rust-toolchain.toml`, if
/// any) has the standard library for [`TARGET`].
fn check_target(dir: &Path) -> anyhow::Result<()> {
    let out = Command::new("rustc")
        .current_dir(dir)
        .args(["--print", "sysroot"])
        .stdin(Stdio::null())
        .output()
        .context(
            "cannot run rustc: is Rust installed? Install it with rustup (https://rustup.rs)",
        )?;
    if !out.status.success() {
        bail!(
            "rustc --print sysroot failed in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if !sysroot.join("lib/rustlib").join(TARGET).is_dir() {
        bail!(
            "the Rust toolchain in {} cannot build for {TARGET} yet: run `rustup target add \
             {TARGET}` there, then build again",
            dir.display()
        );
    }
    Ok(())
}
