//! `lethe plugin new`: a plugin crate from the template in
//! `plugins/template/`, embedded in the binary (no network needed).
//!
//! The crate depends on the plugin SDK by path. The SDK is not published to
//! a registry, so a path into a Lethe checkout is the one dependency that
//! works offline and always matches the server's contract: by default the
//! checkout this `lethe` was built from (`CARGO_MANIFEST_DIR` at compile
//! time), or `--sdk PATH` for another one (a binary copied to another
//! machine). The SDK workspace's `Cargo.lock` is copied too, so the new
//! crate resolves the same dependency versions, already in cargo's cache
//! if the checkout was ever built, and builds without the network.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use lethe_core::engine::plugin_registry::check_plugin_name;

use crate::args::{PluginKind, PluginNewArgs};

/// The SDK of the checkout this binary was built from.
const DEFAULT_SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../plugins/sdk");

/// The toolchain the SDK is built and tested with (with the target).
const TOOLCHAIN: &str = include_str!("../../../../rust-toolchain.toml");

/// Files shared by both kinds: (path in the crate, template).
const COMMON: &[(&str, &str)] = &[
    (
        ".gitignore",
        include_str!("../../../../plugins/template/common/gitignore"),
    ),
    ("rust-toolchain.toml", TOOLCHAIN),
];

/// The field-map template.
const FIELD_MAP: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../../../plugins/template/field-map/Cargo.toml.in"),
    ),
    (
        "src/lib.rs",
        include_str!("../../../../plugins/template/field-map/src/lib.rs"),
    ),
    (
        "items.jsonl",
        include_str!("../../../../plugins/template/field-map/items.jsonl"),
    ),
    (
        "README.md",
        include_str!("../../../../plugins/template/field-map/README.md"),
    ),
];

/// The scrubber template.
const SCRUBBER: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../../../plugins/template/scrubber/Cargo.toml.in"),
    ),
    (
        "src/lib.rs",
        include_str!("../../../../plugins/template/scrubber/src/lib.rs"),
    ),
    (
        "texts.jsonl",
        include_str!("../../../../plugins/template/scrubber/texts.jsonl"),
    ),
    (
        "items.jsonl",
        include_str!("../../../../plugins/template/scrubber/items.jsonl"),
    ),
    (
        "README.md",
        include_str!("../../../../plugins/template/scrubber/README.md"),
    ),
];

/// Runs `lethe plugin new`.
pub(crate) fn run(args: &PluginNewArgs) -> anyhow::Result<ExitCode> {
    check_name(&args.name)?;
    let sdk = sdk_dir(args.sdk.as_deref())?;
    let dir = args.dir.join(&args.name);
    if dir.exists()
        && std::fs::read_dir(&dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} already exists; choose another name, or another parent with --dir",
            dir.display()
        );
    }
    let template = match args.kind {
        PluginKind::FieldMap => FIELD_MAP,
        PluginKind::Scrubber => SCRUBBER,
    };
    let sdk_text = sdk.to_str().with_context(|| {
        format!(
            "the SDK's path {} is not UTF-8; pass --sdk with a UTF-8 path",
            sdk.display()
        )
    })?;
    for &(file, text) in template.iter().chain(COMMON) {
        let text = text
            .replace("{{name}}", &args.name)
            .replace("{{sdk}}", &toml_escape(sdk_text));
        write(&dir.join(file), &text)?;
    }
    let lock = sdk.parent().map(|p| p.join("Cargo.lock"));
    let copied_lock = match lock.as_deref().filter(|l| l.is_file()) {
        Some(lock) => {
            std::fs::copy(lock, dir.join("Cargo.lock")).with_context(|| {
                format!("cannot copy {} into {}", lock.display(), dir.display())
            })?;
            true
        }
        None => false,
    };

    let (what, sample) = match args.kind {
        PluginKind::FieldMap => ("field map", "--items items.jsonl"),
        PluginKind::Scrubber => ("scrubber", "--texts texts.jsonl --items items.jsonl"),
    };
    println!("Created {what} plugin `{}` in {}", args.name, dir.display());
    println!("  SDK        {}", sdk.display());
    if !copied_lock {
        println!("  (no Cargo.lock next to the SDK: the first build resolves dependencies online)");
    }
    println!();
    println!("Next:");
    println!("  cd {}", dir.display());
    println!("  cargo test                       # its unit tests, natively");
    println!("  lethe plugin build               # the component, its size and SHA-256");
    println!("  lethe plugin test . {sample}");
    println!("  lethe plugin push . --name {} --activate", args.name);
    Ok(ExitCode::SUCCESS)
}

/// A plugin name is also a crate name: it must start with a letter.
fn check_name(name: &str) -> anyhow::Result<()> {
    check_plugin_name(name).map_err(|m| anyhow::anyhow!("plugin name {name:?}: {m}"))?;
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) || name.ends_with('-') {
        bail!(
            "plugin name {name:?}: it is also the crate's name, so it must start with a letter \
             and not end with '-'"
        );
    }
    Ok(())
}

/// The SDK crate's directory: `--sdk`, or the checkout this binary was
/// built from; checked to be the SDK.
fn sdk_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = given.unwrap_or(Path::new(DEFAULT_SDK));
    let fix = if given.is_some() {
        "check --sdk: it should name the plugins/sdk directory of a Lethe checkout"
    } else {
        "this lethe was built from a checkout that is no longer there; pass --sdk with the \
         plugins/sdk directory of a Lethe checkout"
    };
    let dir = path
        .canonicalize()
        .with_context(|| format!("no plugin SDK at {}: {fix}", path.display()))?;
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
    if !manifest.contains("name = \"lethe-plugin-sdk\"") {
        bail!(
            "{} is not the plugin SDK (lethe-plugin-sdk): {fix}",
            dir.display()
        );
    }
    Ok(dir)
}

/// `s` as the inside of a TOML basic string.
fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_crate_names() {
        assert!(check_name("acme-loyalty").is_ok());
        for bad in ["", "Acme", "1st", "a_b", "x-", &"a".repeat(41)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_default_sdk_is_this_checkout() {
        assert!(sdk_dir(None).is_ok());
        assert!(sdk_dir(Some(Path::new("/nonexistent"))).is_err());
        assert!(sdk_dir(Some(Path::new(env!("CARGO_MANIFEST_DIR")))).is_err());
    }

    #[test]
    fn templates_have_every_placeholder_filled() {
        for &(file, text) in FIELD_MAP.iter().chain(SCRUBBER).chain(COMMON) {
            let out = text.replace("{{name}}", "x").replace("{{sdk}}", "/y");
            assert!(!out.contains("{{"), "{file}");
        }
        assert!(TOOLCHAIN.contains("wasm32-wasip2"));
    }
}
