//! Precompiled artifacts: loaded when the digest the host recorded matches,
//! refused when tampered with, recompiled when made by another engine
//! configuration.

use lethe_sandbox::{ArtifactError, Digest, Sandbox, SandboxConfig};

const WASM: &[u8] = lethe_std_plugins::STD_SCRUBBER;
const TEXT: &str = "card 4111 1111 1111 1111, mail sample.person@example.com";

#[test]
fn a_recorded_artifact_loads_and_answers_like_a_fresh_compile() {
    let sandbox = Sandbox::new().unwrap();
    let compiled = sandbox.compile(WASM).unwrap();
    let record = compiled.artifact.record;
    assert_eq!(record.module, Digest::of(WASM));
    assert_eq!(record.engine, *sandbox.engine_hash());
    let loaded = sandbox
        .load_precompiled(&record, &compiled.artifact.bytes)
        .expect("sound artifact loads");
    assert_eq!(loaded.digest(), compiled.plugin.digest());
    assert_eq!(
        loaded.scan(&[TEXT], None).unwrap(),
        compiled.plugin.scan(&[TEXT], None).unwrap()
    );
}

#[test]
fn a_tampered_artifact_is_refused_and_recompiled_from_the_module() {
    let sandbox = Sandbox::new().unwrap();
    let compiled = sandbox.compile(WASM).unwrap();
    let record = compiled.artifact.record;
    let mut bytes = compiled.artifact.bytes.clone();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    match sandbox.load_precompiled(&record, &bytes) {
        Err(ArtifactError::Tampered { expected, actual }) => {
            assert_eq!(expected, record.artifact.short());
            assert_ne!(expected, actual);
        }
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("tampered artifact loaded"),
    }
    // A genuine artifact of another module, under this module's record: refused too.
    let other = sandbox
        .compile(lethe_std_plugins::FIELDMAP_GENERIC)
        .unwrap();
    assert!(matches!(
        sandbox.load_precompiled(&record, &other.artifact.bytes),
        Err(ArtifactError::Tampered { .. })
    ));
    let (plugin, fresh) = sandbox
        .load_or_compile(WASM, Some((&record, &bytes)))
        .unwrap();
    let fresh = fresh.expect("a fresh artifact replaces the tampered one");
    assert_eq!(fresh.record.module, record.module);
    assert!(!plugin.scan(&[TEXT], None).unwrap()[0].is_empty());
}

#[test]
fn an_artifact_from_another_engine_configuration_is_recompiled_not_loaded() {
    let ours = Sandbox::new().unwrap();
    let theirs =
        Sandbox::with_config(SandboxConfig::default().memory_reservation(64 << 20)).unwrap();
    assert_ne!(ours.engine_hash(), theirs.engine_hash());
    let foreign = theirs.compile(WASM).unwrap().artifact;
    assert!(matches!(
        ours.load_precompiled(&foreign.record, &foreign.bytes),
        Err(ArtifactError::OtherEngine { .. })
    ));
    let (plugin, fresh) = ours
        .load_or_compile(WASM, Some((&foreign.record, &foreign.bytes)))
        .unwrap();
    let fresh = fresh.expect("recompiled for this engine");
    assert_eq!(fresh.record.engine, *ours.engine_hash());
    assert!(!plugin.scan(&[TEXT], None).unwrap()[0].is_empty());
    // And the fresh artifact is loadable as is.
    assert!(ours.load_precompiled(&fresh.record, &fresh.bytes).is_ok());
}

#[test]
fn a_cached_artifact_for_the_right_module_is_used_as_is() {
    let sandbox = Sandbox::new().unwrap();
    let compiled = sandbox.compile(WASM).unwrap();
    let (_, fresh) = sandbox
        .load_or_compile(
            WASM,
            Some((&compiled.artifact.record, &compiled.artifact.bytes)),
        )
        .unwrap();
    assert!(fresh.is_none(), "no recompilation when the cache is sound");
}
