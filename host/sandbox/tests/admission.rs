//! Admission of untrusted bytes never hurts the host: arbitrary bytes, bytes
//! behind a component header, and single-byte mutations of a real plugin are
//! refused with a one-line reason, or admitted and then run under the usual
//! limits. Nothing panics.

use std::sync::OnceLock;

use lethe_sandbox::{Plugin, Sandbox};
use proptest::prelude::*;

fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| Sandbox::new().expect("sandbox"))
}

fn good_plugin() -> &'static Plugin {
    static GOOD: OnceLock<Plugin> = OnceLock::new();
    GOOD.get_or_init(|| {
        sandbox()
            .compile(lethe_std_plugins::STD_SCRUBBER)
            .expect("std-scrubber compiles")
            .plugin
    })
}

/// The preamble of a component binary (magic, version 0x0d, layer 1).
const COMPONENT_HEADER: &[u8] = b"\0asm\x0d\0\x01\0";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn arbitrary_bytes_are_refused_in_one_line(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        headed in any::<bool>(),
    ) {
        let input = if headed { [COMPONENT_HEADER, &bytes].concat() } else { bytes };
        match sandbox().compile(&input) {
            Err(rejection) => {
                let line = rejection.to_string();
                prop_assert!(!line.contains('\n'), "{line:?}");
            }
            Ok(_) => prop_assert!(false, "random bytes were admitted"),
        }
    }

    #[test]
    fn a_mutated_plugin_is_refused_or_runs_within_its_limits(
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut wasm = lethe_std_plugins::STD_SCRUBBER.to_vec();
        let i = at.index(wasm.len());
        wasm[i] = byte;
        if let Ok(compiled) = sandbox().compile(&wasm) {
            // Whatever it answers, the answer was checked; the host carries on.
            let _ = compiled.plugin.scan(&["mail sample.person@example.com"], None);
        }
        prop_assert_eq!(good_plugin().scan(&["a@example.com"], None).unwrap()[0].len(), 1);
    }
}
