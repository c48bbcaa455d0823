//! Hostile plugin fixtures, used only by the host's sandbox tests.
//!
//! Each fixture under `examples/` is a tiny component that attacks the host
//! in one way (a loop, a memory bomb, a malformed answer, ...) and says in
//! its own docs what the host must do about it. Build them all with
//! `cargo build --release --target wasm32-wasip2 -p hostile --examples`;
//! each lands as `examples/<name>.wasm` with `_` in place of `-`. This
//! library holds the few helpers they share.

#![forbid(unsafe_code)]

use std::hint::black_box;

use lethe_plugin_sdk::types::{Mark, Span};

/// Busy-loops for `iterations` steps of a counter the optimiser cannot
/// remove, and returns the counter. Allocates nothing and calls nothing.
pub fn spin(iterations: u64) -> u64 {
    let mut counter = 0u64;
    while black_box(counter) < iterations {
        counter = black_box(counter + 1);
    }
    counter
}

/// A well-formed scrubber answer for `texts`: one empty span list per text.
pub fn no_spans(texts: &[String]) -> Vec<Vec<Span>> {
    texts.iter().map(|_| Vec::new()).collect()
}

/// A well-formed field-map answer for `items`: one empty mark list per item.
pub fn no_marks<T>(items: &[T]) -> Vec<Vec<Mark>> {
    items.iter().map(|_| Vec::new()).collect()
}
