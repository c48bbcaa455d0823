//! The per-call memory limiter.
//!
//! Like wasmtime's `StoreLimits`, but it remembers whether it ever refused a
//! request, so that the trap a guest hits after an allocation failure (Rust
//! aborts with `unreachable`) can be reported as what it is: memory exhausted.

use wasmtime::ResourceLimiter;

/// Caps each linear memory and table of one call's store.
#[derive(Debug)]
pub(crate) struct CallLimiter {
    max_memory_bytes: usize,
    max_table_elements: usize,
    refused: bool,
}

impl CallLimiter {
    pub(crate) fn new(max_memory_bytes: usize, max_table_elements: usize) -> Self {
        Self {
            max_memory_bytes,
            max_table_elements,
            refused: false,
        }
    }

    /// Whether any growth was refused during the call.
    pub(crate) fn refused(&self) -> bool {
        self.refused
    }
}

impl ResourceLimiter for CallLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = desired <= self.max_memory_bytes;
        self.refused |= !allowed;
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = desired <= self.max_table_elements;
        self.refused |= !allowed;
        Ok(allowed)
    }

    fn instances(&self) -> usize {
        // A component instantiates a handful of core instances.
        64
    }

    fn tables(&self) -> usize {
        64
    }

    fn memories(&self) -> usize {
        4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_growth_past_the_cap_and_remembers() {
        let mut l = CallLimiter::new(1024, 10);
        assert!(l.memory_growing(0, 1024, None).unwrap());
        assert!(!l.refused());
        assert!(!l.memory_growing(1024, 2048, None).unwrap());
        assert!(l.refused());
        assert!(!l.table_growing(0, 11, None).unwrap());
    }
}
