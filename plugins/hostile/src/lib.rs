//! Hostile plugin fixtures, used only by the host's sandbox tests.
//!
//! Each fixture under `examples/` is a tiny component that attacks the host
//! in one way (a loop, a memory bomb, a malformed answer, ...) and says in
//! its own docs what the host must do about it. Build them all with
//! `cargo build --release --target wasm32-wasip2 -p hostile --examples`;
//! each lands as `examples/<name>.wasm` with `_` in place of `-`. They
//! implement the raw `lethe:plugin@0.2.0` bindings (packed batches in, one
//! answer per batch out), so that each can break the contract on purpose;
//! a valid empty answer is just `Vec::new()`. This library holds the one
//! helper they share.

#![forbid(unsafe_code)]

use std::hint::black_box;

/// Busy-loops for `iterations` steps of a counter the optimiser cannot
/// remove, and returns the counter. Allocates nothing and calls nothing.
pub fn spin(iterations: u64) -> u64 {
    let mut counter = 0u64;
    while black_box(counter) < iterations {
        counter = black_box(counter + 1);
    }
    counter
}
