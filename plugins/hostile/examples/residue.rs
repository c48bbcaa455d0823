//! Hostile fixture `residue`: a scrubber that reads every byte of its
//! linear memory, looking for what an earlier batch left there.
//!
//! Attack: leakage from one batch to the next, and so from one tenant to
//! another. Pool slots are reused, and a released slot keeps its memory
//! mapped and is reset in place (only the pages that were written, where
//! the kernel can tell). Were that reset incomplete, a later instance in
//! the same slot could read the texts an earlier batch carried. The host
//! must give every instance memory exactly as fresh as the component's
//! initial image, the pages it grows into included.
//!
//! What each text asks for:
//!
//! | text | what the fixture does |
//! |------|-----------------------|
//! | `plant:<secret>` | fills [`PLANTED`] bytes of heap with copies of the secret, and keeps them |
//! | `seek:<secret reversed>` | grows memory to at least [`SEARCHED`] bytes, rebuilds the secret, and searches all of memory except its own copy; a hit fails the batch with `residue at <offset>` |
//! | anything else | nothing |
//!
//! The secret comes reversed to `seek`, so the seeking batch's own input
//! never holds it. Texts other than these get an empty answer, so the
//! fixture passes the upload self-check like a well-behaved plugin.

use lethe_plugin_sdk::packed;
use lethe_plugin_sdk::scrubber::exports::lethe::plugin::scrubber::Guest;
use lethe_plugin_sdk::types::{Span, Subject, Texts};

/// Heap filled by `plant`: more than a released slot keeps resident
/// (4 MiB), so that both kinds of reset are exercised.
const PLANTED: usize = 6 << 20;

/// Memory searched by `seek`: past everything `plant` touched.
const SEARCHED: usize = 8 << 20;

/// Bytes in a WebAssembly page.
const PAGE: usize = 64 << 10;

struct Residue;

/// Keeps `PLANTED` bytes of copies of `secret` alive until the instance ends.
fn plant(secret: &[u8]) {
    if secret.is_empty() {
        return;
    }
    let copies = secret
        .iter()
        .copied()
        .cycle()
        .take(PLANTED)
        .collect::<Vec<u8>>();
    std::mem::forget(copies);
}

/// Where `secret` shows in linear memory outside `own`, the fixture's copy.
fn seek(secret: &[u8], own: std::ops::Range<usize>) -> Option<usize> {
    let size = core::arch::wasm32::memory_size::<0>() * PAGE;
    if size < SEARCHED {
        let grown = core::arch::wasm32::memory_grow::<0>((SEARCHED - size).div_ceil(PAGE));
        assert_ne!(
            grown,
            usize::MAX,
            "memory could not grow to {SEARCHED} bytes"
        );
    }
    let size = core::arch::wasm32::memory_size::<0>() * PAGE;
    // Address 0 is left out: a slice may not start at null.
    let start = std::ptr::with_exposed_provenance::<u8>(1);
    // SAFETY: addresses 1..size are this instance's linear memory, all of
    // it readable; nothing writes to it while the slice is in use.
    let memory = unsafe { std::slice::from_raw_parts(start, size - 1) };
    let first = *secret.first()?;
    let address = |at: usize| at + 1;
    (0..=memory.len() - secret.len())
        .find(|&at| {
            memory[at] == first
                && memory[at..][..secret.len()] == *secret
                && !own.contains(&address(at))
        })
        .map(address)
}

impl Guest for Residue {
    fn scan(texts: Texts, _subject: Option<Subject>) -> Result<Vec<Span>, String> {
        for text in packed::texts(&texts) {
            let text = text?;
            if let Some(secret) = text.strip_prefix("plant:") {
                plant(secret.as_bytes());
            } else if let Some(reversed) = text.strip_prefix("seek:") {
                let secret: Vec<u8> = reversed.bytes().rev().collect();
                let start = secret.as_ptr() as usize;
                if let Some(at) = seek(&secret, start..start + secret.len()) {
                    return Err(format!("residue at {at}"));
                }
            }
        }
        Ok(Vec::new())
    }
}

lethe_plugin_sdk::scrubber::export_scrubber!(Residue);
