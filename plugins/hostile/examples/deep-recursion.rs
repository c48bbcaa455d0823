//! Hostile fixture `deep-recursion`: a scrubber whose `scan` recurses
//! without bound, and not in tail position, so every level keeps a frame.
//!
//! Attack: overflow the stack. The host must bound the wasm stack
//! (`Config::max_wasm_stack`) so that the guest traps with a stack
//! overflow instead of taking the host thread down; the batch fails and
//! the host goes on.

use std::hint::black_box;

use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Span, Subject, Texts};

/// One level: keeps a frame alive across the call and uses the result
/// after it, so the optimiser can neither drop nor loop-ify the recursion.
/// The `u64::MAX` stop is never reached in practice but hides the lack of a
/// base case from the compiler.
#[inline(never)]
fn descend(depth: u64) -> u64 {
    let frame = black_box([depth; 8]);
    if black_box(depth) == u64::MAX {
        return 0;
    }
    let below = descend(frame[0] + 1);
    black_box(below).wrapping_add(frame[7])
}

struct DeepRecursion;

impl Guest for DeepRecursion {
    fn scan(texts: Texts, _subject: Option<Subject>) -> Result<Vec<Span>, String> {
        let depth = descend(0);
        Err(format!(
            "came back from depth {depth} for {} texts",
            texts.ends.len()
        ))
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(DeepRecursion);
