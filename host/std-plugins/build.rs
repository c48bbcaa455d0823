//! Builds the guest workspace in `plugins/` for `wasm32-wasip2` (release) with
//! a nested cargo, and copies the components into `OUT_DIR` for
//! `include_bytes!`. No `.wasm` is ever committed: the host build makes them.
//!
//! The nested build has its own target directory (`target/wasm-plugins` at
//! the workspace root, or `LETHE_PLUGINS_TARGET_DIR`), so it never waits on
//! the outer build's lock and is shared by every profile.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Standard plugins: (crate, artifact file stem).
const STANDARD: &[&str] = &["std_scrubber", "fieldmap_commerce", "fieldmap_generic"];

/// Hostile fixtures: examples of the `hostile` crate.
const HOSTILE: &[&str] = &[
    "endless-loop",
    "memory-bomb",
    "deep-recursion",
    "giant-output",
    "panicking",
    "wrong-world",
    "malformed-spans",
    "malformed-marks",
    "network",
    "slow-start",
    "snoop",
    "residue",
];

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let root = manifest_dir.join("../..");
    let plugins = root.join("plugins");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets it"));
    let hostile = env::var_os("CARGO_FEATURE_HOSTILE").is_some();
    let target_dir = env::var_os("LETHE_PLUGINS_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/wasm-plugins"));

    watch(&plugins, &root.join("wit"));
    println!("cargo:rerun-if-env-changed=LETHE_PLUGINS_TARGET_DIR");

    build(
        &plugins,
        &target_dir,
        &[
            "-p",
            "std-scrubber",
            "-p",
            "fieldmap-commerce",
            "-p",
            "fieldmap-generic",
        ],
    );
    if hostile {
        build(&plugins, &target_dir, &["-p", "hostile", "--examples"]);
    }

    let built = target_dir.join("wasm32-wasip2/release");
    let mut consts = String::new();
    for stem in STANDARD {
        let file = format!("{stem}.wasm");
        copy(&built.join(&file), &out.join(&file));
        consts.push_str(&format!(
            "/// The `{stem}` component, built from `plugins/`.\npub const {}: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{file}\"));\n",
            stem.to_uppercase()
        ));
    }
    let mut hostile_arms = String::new();
    if hostile {
        for name in HOSTILE {
            let file = format!("{}.wasm", name.replace('-', "_"));
            copy(&built.join("examples").join(&file), &out.join(&file));
            hostile_arms.push_str(&format!(
                "        {name:?} => Some(include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{file}\"))),\n"
            ));
        }
    }
    consts.push_str(&format!(
        "/// Names of the hostile fixtures (empty without the `hostile` feature).\npub const HOSTILE_NAMES: &[&str] = &{:?};\n",
        if hostile { HOSTILE } else { &[] }
    ));
    let body = if hostile {
        format!("    match name {{\n{hostile_arms}        _ => None,\n    }}")
    } else {
        "    let _ = name;\n    None".to_owned()
    };
    consts.push_str(&format!(
        "/// A hostile fixture's component by name (tests only).\npub fn hostile(name: &str) -> Option<&'static [u8]> {{\n{body}\n}}\n"
    ));
    fs::write(out.join("plugins.rs"), consts).expect("write plugins.rs");
}

/// Runs the nested `cargo build --release --target wasm32-wasip2` in `plugins/`.
fn build(plugins: &Path, target_dir: &Path, selection: &[&str]) {
    let mut cargo = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo
        .current_dir(plugins)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-wasip2",
        ])
        .arg("--target-dir")
        .arg(target_dir)
        .args(selection);
    // The outer build's flags and wrappers are for the host, not for wasm.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_PROFILE_RELEASE_DEBUG",
    ] {
        cargo.env_remove(var);
    }
    let status = cargo
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo to build the plugins: {e}"));
    if !status.success() {
        panic!(
            "building plugins/ for wasm32-wasip2 failed (see above). If the target is missing, \
             run `rustup target add wasm32-wasip2` (scripts/test.sh does this for you)."
        );
    }
}

fn copy(from: &Path, to: &Path) {
    fs::copy(from, to).unwrap_or_else(|e| panic!("missing {}: {e}", from.display()));
}

/// Re-run when any guest source, manifest or the contract changes (but not
/// for anything under a `target` directory).
fn watch(plugins: &Path, wit: &Path) {
    println!("cargo:rerun-if-changed={}", wit.display());
    for file in ["Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", plugins.join(file).display());
    }
    let Ok(entries) = fs::read_dir(plugins) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && entry.file_name() != "target" {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}
