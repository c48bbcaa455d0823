//! Hostile fixture `memory-bomb`: a scrubber whose `scan` allocates and
//! touches memory until allocation fails.
//!
//! Attack: exhaust the host's memory. The host must cap the instance's
//! linear memory (a `ResourceLimiter`), so that growing fails inside the
//! sandbox and the guest traps; the batch fails, the host's own memory use
//! stays bounded, and the next call works.

use std::hint::black_box;

use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Span, Subject, Texts};

/// Bytes per allocation.
const BLOCK: usize = 1 << 20;

struct MemoryBomb;

impl Guest for MemoryBomb {
    fn scan(_texts: Texts, _subject: Option<Subject>) -> Result<Vec<Span>, String> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut block = vec![0u8; BLOCK];
            // Touch every page so the memory is really committed.
            for page in block.iter_mut().step_by(4096) {
                *page = 0xAA;
            }
            hoard.push(black_box(block));
        }
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(MemoryBomb);
