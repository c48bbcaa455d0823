//! Lethe's standard plugins, built from `plugins/` by this crate's build
//! script and embedded as bytes, so every binary carries them and no `.wasm`
//! is ever committed.
//!
//! - [`STD_SCRUBBER`] — finds e-mails, phones, cards, IBANs, national ids and
//!   IPs in free text (the shared `lethe-detectors`), and a subject's known
//!   values in other spellings;
//! - [`FIELDMAP_COMMERCE`] — classifies the commerce shapes (profile, order,
//!   conversation);
//! - [`FIELDMAP_GENERIC`] — classifies any kind by attribute-name conventions.
//!
//! With the `hostile` feature, [`hostile`] also serves the fixtures the
//! sandbox's tests attack it with.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/plugins.rs"));

/// The hostile fixtures that pass an upload's validation, since they answer
/// the self-check's samples validly: those that misbehave only on inputs a
/// test chooses, and those that probe what the host lets them see. An
/// upload must refuse every other fixture (tests only).
pub const HOSTILE_PASSING_UPLOAD: &[&str] = &["malformed-spans", "malformed-marks", "residue"];

/// The built-in plugins by the names the CLI accepts (`builtin:NAME`).
pub const BUILTIN: &[(&str, &[u8])] = &[
    ("std-scrubber", STD_SCRUBBER),
    ("fieldmap-commerce", FIELDMAP_COMMERCE),
    ("fieldmap-generic", FIELDMAP_GENERIC),
];

/// A built-in plugin's component by name.
pub fn builtin(name: &str) -> Option<&'static [u8]> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}
