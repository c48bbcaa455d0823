//! The item model: a record as a tree of JSON values, and as the flat list of
//! (path, scalar) pairs that crosses the plugin boundary.
//!
//! WIT has no recursive types, so a plugin cannot be handed a JSON tree.
//! Instead the host [`flatten`]s each item into a [`FlatItem`]: one
//! [`Path`] per leaf, with its [`Scalar`] value. A field map answers with
//! marks naming those paths; the host checks them against the item and
//! applies the policy to the tree (see [`redact`](crate::redact)). When the
//! host has changed a flat item itself it rebuilds the tree with
//! [`unflatten`].
//!
//! - [`Path`] and [`Segment`] — where a leaf sits, and the one text form of
//!   a path (`lines[0].sku`, `meta["a.b"]`);
//! - [`Scalar`] — a leaf value (null, bool, number as exact text, text,
//!   bytes);
//! - [`FlatItem`], [`Leaf`], [`flatten`], [`unflatten`] — the conversion,
//!   which round-trips every JSON value, empty objects and arrays included.
//!
//! ```
//! use lethe_core::item::{flatten, unflatten, Path, Scalar};
//! use serde_json::json;
//!
//! let item = json!({"name": "Ada", "tags": ["vip"], "meta": {"a.b": 1}});
//! let flat = flatten(&item);
//! let paths: Vec<String> = flat.scalars().map(|(p, _)| p.to_string()).collect();
//! assert_eq!(paths, ["name", "tags[0]", "meta[\"a.b\"]"]);
//! assert_eq!(flat.scalar(&"name".parse::<Path>()?), Some(&Scalar::Text("Ada".into())));
//! assert_eq!(unflatten(&flat)?, item);
//! # Ok::<(), lethe_core::Error>(())
//! ```

mod flat;
mod path;
mod scalar;

pub use flat::{FlatItem, Leaf, flatten, unflatten};
pub use path::{Path, Segment};
pub use scalar::Scalar;
