//! Attribute classification for Lethe's standard field maps.
//!
//! One implementation, compiled twice: natively by the host (checks and
//! benchmarks) and into the `fieldmap-generic` and `fieldmap-commerce`
//! plugins for `wasm32-wasip2`. It mirrors the `lethe:plugin` contract's
//! flattened items: a field is a path (`address.street`, `tags[1]`,
//! `lines[0].sku`, `["first name"]`) and a scalar [`Value`], and the answer
//! is a [`Category`](lethe_detectors::Category).
//!
//! # Brief overview
//!
//! - [`classify_generic`] reads attribute-name conventions of any schema
//!   (`firstName`, `billing_address.zip`, `customer_id`, `transcript`), with
//!   an e-mail-shaped value as a fallback for keys that say nothing.
//! - [`classify_commerce`] applies the explicit schema of the commerce kinds
//!   [`COMMERCE_KINDS`] (`profile`, `order`, `conversation`; the shapes are
//!   documented on [`CommerceKind`]), falling back to the generic rules for
//!   attributes the schema does not list.
//! - [`FieldMap`] picks one of them once per batch, and
//!   [`FieldMap::marks`] turns an item's fields into [`Mark`]s (field index
//!   and category of every field that holds personal data), which is all a
//!   plugin adapter needs.
//!
//! Classification allocates nothing per field, uses no regular expressions
//! and no lazily built tables (a plugin is instantiated fresh for every
//! batch): words are compared as byte slices against a table sorted at
//! compile time.
//!
//! # Example
//!
//! ```
//! use lethe_detectors::Category;
//! use lethe_fieldmaps::{FieldMap, Mark, Value};
//!
//! let item = [
//!     ("customer_id", Value::Text("C-10042")),
//!     ("first_name", Value::Text("Astrid")),
//!     ("loyalty_tier", Value::Text("gold")),
//!     ("custom.secondary_email", Value::Text("astrid@example.org")),
//! ];
//! let map = FieldMap::commerce("profile")?;
//! assert_eq!(
//!     map.marks(item),
//!     [
//!         Mark { index: 0, category: Category::Identifier },
//!         Mark { index: 1, category: Category::Name },
//!         Mark { index: 3, category: Category::Email },
//!     ]
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod commerce;
mod generic;
mod lexicon;
mod map;
mod path;
mod rules;
mod value;
mod vocab;
mod words;

pub use crate::commerce::{COMMERCE_KINDS, CommerceKind, UnknownKind, classify_commerce};
pub use crate::generic::classify_generic;
pub use crate::map::{FieldMap, Mark};
pub use crate::value::Value;
