//! Admission of untrusted bytes: the checks a component passes before it may
//! run, cheapest first.
//!
//! 1. size cap; WebAssembly header; a component, not a core module or a
//!    precompiled artifact;
//! 2. its top-level imports (read with `wasmparser`, before compiling):
//!    only `lethe:plugin/{types,log}` and the WASI interfaces Rust's standard
//!    library needs, all linked to a context that grants nothing; files,
//!    sockets and HTTP are refused by name;
//! 3. it compiles;
//! 4. it links: it exports `lethe:plugin/field-map` and/or
//!    `lethe:plugin/scrubber` with exactly the contract's types;
//! 5. the self-check ([`crate::selfcheck`]) runs it on sample data within
//!    the budget.

use wasmparser::{Parser, Payload};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::bindings::{FieldMapPluginPre, ScrubberPluginPre};
use crate::call::one_line;
use crate::engine::Sandbox;
use crate::error::Rejection;
use crate::state::HostState;

/// The interface names a component declares at its top level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Imported interfaces, e.g. `wasi:io/streams@0.2.6`.
    pub imports: Vec<String>,
    /// Exported interfaces, e.g. `lethe:plugin/scrubber@0.2.0`.
    pub exports: Vec<String>,
}

/// Interfaces a plugin may import (package/interface, any version).
const ALLOWED: &[&str] = &[
    "lethe:plugin/types",
    "lethe:plugin/log",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
];

/// Packages whose every interface is refused.
const FORBIDDEN: &[&str] = &["wasi:filesystem/", "wasi:sockets/", "wasi:http/"];

/// Step 1 and 2: checks that need no compilation.
pub(crate) fn inspect(bytes: &[u8], max_size: usize) -> Result<Shape, Rejection> {
    if bytes.len() > max_size {
        return Err(Rejection::TooLarge {
            size: bytes.len(),
            limit: max_size,
        });
    }
    if Engine::detect_precompiled(bytes).is_some() {
        return Err(Rejection::Precompiled);
    }
    if Parser::is_core_wasm(bytes) {
        return Err(Rejection::CoreModule);
    }
    if !Parser::is_component(bytes) {
        return Err(Rejection::NotWasm);
    }
    let shape = read_shape(bytes)?;
    for name in shape.imports.iter().chain(&shape.exports) {
        check_contract_version(name)?;
    }
    for name in &shape.imports {
        check_import(name)?;
    }
    Ok(shape)
}

fn read_shape(bytes: &[u8]) -> Result<Shape, Rejection> {
    let invalid = |e: wasmparser::BinaryReaderError| Rejection::Invalid {
        reason: one_line(e.message()),
    };
    let mut shape = Shape::default();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    shape
                        .imports
                        .push(import.map_err(invalid)?.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader {
                    shape
                        .exports
                        .push(export.map_err(invalid)?.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok(shape)
}

/// `wasi:io/streams@0.2.6` -> `wasi:io/streams`.
fn unversioned(name: &str) -> &str {
    name.split_once('@').map_or(name, |(n, _)| n)
}

/// Refuses a `lethe:plugin` interface of another contract version, with a
/// message that says to rebuild (the linker's own error would only say that
/// an import is missing).
fn check_contract_version(name: &str) -> Result<(), Rejection> {
    let Some((bare, version)) = name.split_once('@') else {
        return Ok(());
    };
    if bare.starts_with("lethe:plugin/") && version != crate::CONTRACT_VERSION {
        return Err(Rejection::ContractVersion {
            interface: name.into(),
        });
    }
    Ok(())
}

fn check_import(name: &str) -> Result<(), Rejection> {
    let bare = unversioned(name);
    if FORBIDDEN.iter().any(|p| bare.starts_with(p)) {
        return Err(Rejection::ForbiddenImport { name: name.into() });
    }
    if !ALLOWED.contains(&bare) {
        return Err(Rejection::UnknownImport { name: name.into() });
    }
    Ok(())
}

/// Step 4: instance templates for each world the component implements.
#[allow(clippy::type_complexity)]
pub(crate) fn prepare(
    sandbox: &Sandbox,
    component: &Component,
) -> Result<
    (
        Option<FieldMapPluginPre<HostState>>,
        Option<ScrubberPluginPre<HostState>>,
    ),
    Rejection,
> {
    let engine = &sandbox.inner.engine;
    let exports: Vec<String> = component
        .component_type()
        .exports(engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    let exports_iface = |iface: &str| exports.iter().any(|e| unversioned(e) == iface);
    let incompatible = |interface: &str, e: wasmtime::Error| Rejection::IncompatibleExport {
        interface: interface.into(),
        reason: one_line(&format!("{e:#}")),
    };
    let linker = &sandbox.inner.linker;
    let pre = || {
        linker
            .instantiate_pre(component)
            .map_err(|e| Rejection::Invalid {
                reason: one_line(&format!("{e:#}")),
            })
    };
    let field_map = if exports_iface("lethe:plugin/field-map") {
        Some(
            FieldMapPluginPre::new(pre()?)
                .map_err(|e| incompatible("lethe:plugin/field-map", e))?,
        )
    } else {
        None
    };
    let scrubber = if exports_iface("lethe:plugin/scrubber") {
        Some(ScrubberPluginPre::new(pre()?).map_err(|e| incompatible("lethe:plugin/scrubber", e))?)
    } else {
        None
    };
    if field_map.is_none() && scrubber.is_none() {
        return Err(Rejection::NoPluginExport {
            exports: if exports.is_empty() {
                "nothing".into()
            } else {
                exports.join(", ")
            },
        });
    }
    Ok((field_map, scrubber))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_judged_by_interface_not_version() {
        assert!(check_import("wasi:io/streams@0.2.6").is_ok());
        assert!(check_import("lethe:plugin/log@0.2.0").is_ok());
        assert!(matches!(
            check_import("wasi:sockets/tcp@0.2.6"),
            Err(Rejection::ForbiddenImport { .. })
        ));
        assert!(matches!(
            check_import("wasi:filesystem/preopens@0.2.0"),
            Err(Rejection::ForbiddenImport { .. })
        ));
        assert!(matches!(
            check_import("acme:evil/exfiltrate"),
            Err(Rejection::UnknownImport { .. })
        ));
    }

    #[test]
    fn other_contract_versions_are_told_to_rebuild() {
        let current = format!("lethe:plugin/scrubber@{}", crate::CONTRACT_VERSION);
        assert!(check_contract_version(&current).is_ok());
        assert!(check_contract_version("wasi:io/streams@0.2.6").is_ok());
        let old = check_contract_version("lethe:plugin/log@0.1.0").unwrap_err();
        assert_eq!(
            old,
            Rejection::ContractVersion {
                interface: "lethe:plugin/log@0.1.0".into()
            }
        );
        let message = old.to_string();
        assert!(message.contains("lethe:plugin/log@0.1.0"), "{message}");
        assert!(
            message.contains("rebuild it with the current lethe-plugin-sdk"),
            "{message}"
        );
    }

    #[test]
    fn non_components_are_named_for_what_they_are() {
        assert_eq!(inspect(b"hello", 1 << 20), Err(Rejection::NotWasm));
        let core = b"\0asm\x01\0\0\0";
        assert_eq!(inspect(core, 1 << 20), Err(Rejection::CoreModule));
        assert!(matches!(
            inspect(&[0u8; 100], 10),
            Err(Rejection::TooLarge {
                size: 100,
                limit: 10
            })
        ));
    }
}
