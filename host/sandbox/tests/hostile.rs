//! Every hostile fixture (plugins/hostile) is stopped or refused with a typed
//! error, within a bound the test asserts, and the host carries on: the same
//! sandbox then serves a good plugin, and good calls on other threads keep
//! going during an attack.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use lethe_sandbox::{CallError, Plugin, Rejection, Sandbox, SandboxConfig};

fn fixture(name: &str) -> &'static [u8] {
    lethe_std_plugins::hostile(name)
        .unwrap_or_else(|| panic!("hostile fixture {name} was not built"))
}

fn sandbox_with_deadline(ms: u64) -> Sandbox {
    Sandbox::with_config(SandboxConfig::default().call_deadline(Duration::from_millis(ms)))
        .expect("sandbox")
}

/// Compiles (admission without the self-check) so the attack can be called.
fn admit(sandbox: &Sandbox, name: &str) -> Plugin {
    sandbox
        .compile(fixture(name))
        .unwrap_or_else(|e| panic!("{name} should compile: {e}"))
        .plugin
}

fn good_scan_works(sandbox: &Sandbox) {
    let plugin = sandbox
        .compile(lethe_std_plugins::STD_SCRUBBER)
        .expect("std-scrubber compiles")
        .plugin;
    let text = "write to sample.person@example.com please";
    let spans = plugin.scan(&[text], None).expect("good scan");
    let emails: Vec<&str> = spans[0]
        .iter()
        .filter(|s| s.category.as_str() == "email")
        .map(|s| &text[s.start..s.end])
        .collect();
    assert_eq!(emails, ["sample.person@example.com"]);
}

#[test]
fn an_endless_loop_ends_near_its_deadline() {
    let sandbox = sandbox_with_deadline(100);
    let plugin = admit(&sandbox, "endless-loop");
    let started = Instant::now();
    let err = plugin.scan(&["hello"], None).unwrap_err();
    let elapsed = started.elapsed();
    // Five bytes add 0.5 µs to the 100 ms.
    let budget = sandbox.config().budget("hello".len());
    assert_eq!(budget.as_millis(), 100);
    assert_eq!(err, CallError::Timeout { budget });
    assert!(
        elapsed >= Duration::from_millis(95),
        "stopped early: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_millis(400),
        "stopped late: {elapsed:?}"
    );
    good_scan_works(&sandbox);
}

#[test]
fn an_endless_loop_on_a_large_batch_ends_near_its_scaled_budget() {
    let sandbox = Sandbox::with_config(
        SandboxConfig::default()
            .call_deadline(Duration::from_millis(20))
            .deadline_per_mib(Duration::from_millis(80)),
    )
    .expect("sandbox");
    let plugin = admit(&sandbox, "endless-loop");
    let text = "x".repeat(1 << 20);
    let started = Instant::now();
    let err = plugin.scan(&[text.as_str()], None).unwrap_err();
    let elapsed = started.elapsed();
    let budget = Duration::from_millis(100);
    assert_eq!(err, CallError::Timeout { budget });
    assert!(
        elapsed >= budget - Duration::from_millis(5),
        "stopped early: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_millis(400),
        "stopped late: {elapsed:?}"
    );
}

#[test]
fn a_slow_field_map_is_stopped_too() {
    let sandbox = sandbox_with_deadline(50);
    let plugin = admit(&sandbox, "slow-start");
    let started = Instant::now();
    let item = lethe_core::flatten(&serde_json::json!({"email": "x"}));
    let err = plugin.classify("profile", &[item]).unwrap_err();
    assert!(matches!(err, CallError::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(350));
}

#[test]
fn a_memory_bomb_hits_the_cap() {
    let sandbox = sandbox_with_deadline(2_000);
    let plugin = admit(&sandbox, "memory-bomb");
    let started = Instant::now();
    let err = plugin.scan(&["boom"], None).unwrap_err();
    assert_eq!(
        err,
        CallError::MemoryExhausted {
            limit: lethe_sandbox::DEFAULT_MEMORY_LIMIT
        }
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    good_scan_works(&sandbox);
}

#[test]
fn deep_recursion_overflows_the_wasm_stack_not_the_host() {
    let sandbox = sandbox_with_deadline(2_000);
    let plugin = admit(&sandbox, "deep-recursion");
    assert_eq!(
        plugin.scan(&["down"], None).unwrap_err(),
        CallError::StackOverflow
    );
    good_scan_works(&sandbox);
}

#[test]
fn giant_output_is_refused() {
    let sandbox = sandbox_with_deadline(5_000);
    let plugin = admit(&sandbox, "giant-output");
    let started = Instant::now();
    let err = plugin.scan(&["tiny"], None).unwrap_err();
    assert!(
        matches!(
            err,
            CallError::MalformedOutput { .. } | CallError::MemoryExhausted { .. }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    good_scan_works(&sandbox);
}

#[test]
fn a_panicking_guest_is_a_trap() {
    let sandbox = sandbox_with_deadline(500);
    let plugin = admit(&sandbox, "panicking");
    let err = plugin.scan(&["anything"], None).unwrap_err();
    assert!(matches!(err, CallError::Trapped { .. }), "{err:?}");
    assert!(err.to_string().contains("lethe plugin test"), "{err}");
}

#[test]
fn malformed_spans_are_caught_one_rule_at_a_time() {
    let sandbox = sandbox_with_deadline(500);
    let plugin = admit(&sandbox, "malformed-spans");
    for mode in ["range", "boundary", "index", "unordered", "order", "score"] {
        // `unordered` answers for the second text before the first.
        let text = format!("{mode} å ☎");
        let err = plugin.scan(&["first", text.as_str()], None).unwrap_err();
        assert!(
            matches!(err, CallError::MalformedOutput { .. }),
            "{mode}: {err:?}"
        );
        assert!(
            !err.to_string().contains('☎'),
            "no input text in errors: {err}"
        );
    }
    assert_eq!(
        plugin.scan(&["fine", "too"], None).unwrap(),
        vec![vec![], vec![]]
    );
}

#[test]
fn malformed_marks_are_caught_one_rule_at_a_time() {
    let sandbox = sandbox_with_deadline(500);
    let plugin = admit(&sandbox, "malformed-marks");
    let item = lethe_core::flatten(&serde_json::json!({"email": "x@example.com", "n": 1}));
    for kind in ["unknown-field", "duplicate", "unordered"] {
        let err = plugin
            .classify(kind, std::slice::from_ref(&item))
            .unwrap_err();
        assert!(
            matches!(err, CallError::MalformedOutput { .. }),
            "{kind}: {err:?}"
        );
    }
    assert_eq!(plugin.classify("fine", &[item]).unwrap(), vec![vec![]]);
}

#[test]
fn components_that_are_not_plugins_are_refused_with_a_reason() {
    let sandbox = sandbox_with_deadline(500);
    match sandbox.compile(fixture("wrong-world")) {
        Err(Rejection::NoPluginExport { exports }) => assert!(exports.contains("run"), "{exports}"),
        Err(other) => panic!("wrong rejection: {other}"),
        Ok(_) => panic!("wrong-world admitted"),
    }
    match sandbox.compile(fixture("network")) {
        Err(Rejection::ForbiddenImport { name }) => {
            assert!(name.starts_with("wasi:sockets/"), "{name}")
        }
        Err(other) => panic!("wrong rejection: {other}"),
        Ok(_) => panic!("network fixture admitted"),
    }
}

/// Fixtures that misbehave on any input: validation must refuse them.
const REFUSED_AT_UPLOAD: &[&str] = &[
    "endless-loop",
    "slow-start",
    "memory-bomb",
    "deep-recursion",
    "giant-output",
    "panicking",
    "wrong-world",
    "network",
    "snoop",
];

#[test]
fn validation_refuses_every_attack_in_one_line() {
    let sandbox = sandbox_with_deadline(50);
    // The rest pass the self-check: they misbehave only on inputs a test
    // chooses (every answer is checked at call time, tests above), or probe
    // what the host lets them see (tests below).
    let passing = lethe_std_plugins::HOSTILE_PASSING_UPLOAD;
    let mut covered: Vec<&str> = REFUSED_AT_UPLOAD.iter().chain(passing).copied().collect();
    covered.sort_unstable();
    let mut built: Vec<&str> = lethe_std_plugins::HOSTILE_NAMES.to_vec();
    built.sort_unstable();
    assert_eq!(covered, built, "every fixture is accounted for");
    for name in REFUSED_AT_UPLOAD {
        let started = Instant::now();
        let rejection = match sandbox.validate(fixture(name)) {
            Err(r) => r,
            Ok(_) => panic!("{name} passed validation"),
        };
        let line = rejection.to_string();
        assert!(!line.contains('\n'), "{name}: {line}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{name} took too long"
        );
    }
    for name in passing {
        assert!(sandbox.validate(fixture(name)).is_ok(), "{name}");
    }
    good_scan_works(&sandbox);
}

#[test]
fn good_calls_continue_while_another_thread_is_attacked() {
    let sandbox = sandbox_with_deadline(1_500);
    let attacker = admit(&sandbox, "endless-loop");
    let good = sandbox
        .compile(lethe_std_plugins::STD_SCRUBBER)
        .expect("compiles")
        .plugin;
    let start = Arc::new(Barrier::new(2));
    let attack = {
        let start = start.clone();
        thread::spawn(move || {
            start.wait();
            let t = Instant::now();
            let err = attacker.scan(&["spin"], None).unwrap_err();
            (err, t.elapsed())
        })
    };
    start.wait();
    thread::sleep(Duration::from_millis(50));
    let mut slowest = Duration::ZERO;
    for i in 0..20 {
        let t = Instant::now();
        let text = format!("ticket {i}: reach me at sample.person@example.com");
        let spans = good.scan(&[text.as_str()], None).expect("good call");
        assert!(!spans[0].is_empty());
        slowest = slowest.max(t.elapsed());
    }
    assert!(!attack.is_finished(), "the attack should still be running");
    let (err, attack_time) = attack.join().unwrap();
    assert!(matches!(err, CallError::Timeout { .. }));
    assert!(attack_time >= Duration::from_millis(1_400));
    assert!(
        slowest < Duration::from_millis(500),
        "a good call took {slowest:?}"
    );
}

#[test]
fn output_beyond_the_cap_is_refused_as_too_large() {
    let sandbox = Sandbox::with_config(
        SandboxConfig::default()
            .call_deadline(Duration::from_secs(2))
            .max_output_bytes(64 << 10),
    )
    .unwrap();
    let plugin = admit(&sandbox, "giant-output");
    let err = plugin.scan(&["tiny"], None).unwrap_err();
    assert!(
        matches!(
            err,
            CallError::OutputTooLarge { limit } if limit == 64 << 10
        ) || matches!(err, CallError::MemoryExhausted { .. }),
        "{err:?}"
    );
    // An honest answer under the cap still goes through.
    let good = sandbox
        .compile(lethe_std_plugins::STD_SCRUBBER)
        .unwrap()
        .plugin;
    assert_eq!(good.scan(&["a@example.com"], None).unwrap()[0].len(), 1);
}

#[test]
fn a_plugin_sees_no_environment_arguments_or_time() {
    let sandbox = sandbox_with_deadline(2_000);
    let plugin = admit(&sandbox, "snoop");
    let started = Instant::now();
    match plugin.scan(&["look around"], None) {
        Err(CallError::Refused { message }) => {
            assert_eq!(message, "vars=0 args=0 wall=0 monotonic=0");
        }
        other => panic!("unexpected: {other:?}"),
    }
    // A thousand log calls are absorbed by the bounded log.
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn no_batch_reads_what_an_earlier_batch_left_in_its_memory() {
    // Generous: the probe reads 8 MiB of guest memory byte by byte.
    let sandbox = sandbox_with_deadline(5_000);
    let plugin = admit(&sandbox, "residue");
    let secret = "LETHE-RESIDUE-CANARY-7f3a9c";
    let plant = format!("plant:{secret}");
    let seek = format!("seek:{}", secret.chars().rev().collect::<String>());
    // In one batch, the probe finds what it planted: its search works.
    match plugin.scan(&[plant.as_str(), seek.as_str()], None) {
        Err(CallError::Refused { message }) => assert!(message.starts_with("residue at ")),
        other => panic!("the probe missed its own plant: {other:?}"),
    }
    // Batch after batch, nothing of the plant is left. The pool hands a
    // module back the warm slot it used last, memory kept resident, so
    // each seek runs where the plant before it ran.
    for round in 0..10 {
        assert_eq!(
            plugin.scan(&[plant.as_str()], None),
            Ok(vec![Vec::new()]),
            "round {round}: plant"
        );
        assert_eq!(
            plugin.scan(&[seek.as_str()], None),
            Ok(vec![Vec::new()]),
            "round {round}: residue of the previous batch"
        );
    }
}
