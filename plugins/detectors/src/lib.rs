//! PII detectors shared by the Lethe host and its standard plugins.
//!
//! One implementation, compiled twice: natively (host-side checks, benches)
//! and into the `std-scrubber` / field-map plugins for `wasm32-wasip2`.
//!
//! (Module overview to be written by the detectors' author.)

pub mod category;
pub mod fields;

pub use category::{Category, UnknownCategory};
