//! Lethe's domain: items, categories, policies and the redaction engine.
//!
//! This crate knows nothing of AWS or wasmtime. Plugins, run in a sandbox
//! elsewhere, *classify* a tenant's data; this crate *decides* what happens
//! to it, under the tenant's [`Policy`], and *applies* that decision.
//!
//! # Brief overview
//!
//! An erasure or a scheduled redaction of one item goes like this:
//!
//! 1. The host [`flatten`]s the item (a JSON value) into a [`FlatItem`]: a
//!    list of [`Path`]s such as `lines[0].sku` with their [`Scalar`] values.
//!    That is what crosses the plugin boundary, since WIT has no recursive
//!    types.
//! 2. The tenant's field map answers with [`Mark`]s (this path holds an
//!    `email`), and its scrubber with [`Span`]s inside the `free-text`
//!    fields (bytes 5..13 hold an `email`).
//! 3. [`redact_item`] checks those answers against the item (plugins are
//!    untrusted), applies the policy's [`Action`] for each category, and
//!    returns the new value with a list of [`Change`]s, which name paths,
//!    categories and actions but never values.
//!
//! The vocabulary is [`Category`] (what kind of personal data) and
//! [`Subject`] (the known values of the person a request is about), shared
//! with the plugins through `lethe-detectors` and re-exported here so that
//! callers use one name for each.
//!
//! # Modules
//!
//! | module        | what it holds |
//! |---------------|---------------|
//! | [`item`]      | [`Path`], [`Scalar`], [`FlatItem`], [`flatten`], [`unflatten`] |
//! | [`span`]      | [`Span`], [`check_spans`], [`merge`] |
//! | [`policy`]    | [`Action`], [`ActionKind`], [`Policy`] |
//! | [`pseudonym`] | [`PseudonymKey`], [`pseudonymize`], [`normalize`] |
//! | [`mask`](mod@mask) | [`mask()`] |
//! | [`pipeline`]  | [`Redactor`]: classify, scrub and redact a batch through the [`FieldMap`] and [`TextScanner`] traits |
//! | [`redact`]    | [`Mark`], [`Change`], [`Redaction`], [`redact_item`], [`scrub_text`] |
//! | [`error`]     | [`Error`], [`PathError`], [`SpanError`] |
//! | [`ports`]     | the traits the engine reaches the world through: item store, blob store, queue, notifier, clock, plugin runtime |
//! | [`keys`]      | where every record and object lives |
//! | [`tenant`]    | tenants, [`tenant::Settings`], per-purpose keys |
//! | [`lookup`]    | keyed identifier hashes (lookups, suppression) and subject references |
//! | [`digest`]    | the hex SHA-256 of every stored checksum, and constant-time comparison of secrets' digests |
//! | [`engine`]    | [`Engine`]: ingest, redaction, requests, jobs, exports, nightly runs |
//! | [`audit`]     | the per-tenant hash chain and signed [`Certificate`]s |
//! | [`bulk_input`]| id lists and CSV uploads of bulk jobs ([`IdList`]) |
//! | [`export`]    | access-export files (JSON and CSV) |
//! | [`dataset`]   | scrubbing tenants' CSV/JSONL datasets ([`rewrite_dataset`]) |
//!
//! No error message of this crate contains a record value or a secret.
//!
//! # Example
//!
//! ```
//! use std::collections::HashMap;
//!
//! use lethe_core::{
//!     flatten, redact_item, Action, ActionKind, Category, Mark, Policy, PseudonymKey, Span,
//! };
//! use serde_json::json;
//!
//! let item = json!({
//!     "email": "ada@example.com",
//!     "plan": "pro",
//!     "notes": "Ada called from 0701234567",
//! });
//!
//! // What the plugins would see, and what they would answer.
//! let paths: Vec<String> = flatten(&item).scalars().map(|(p, _)| p.to_string()).collect();
//! assert_eq!(paths, ["email", "plan", "notes"]); // document order
//! let marks = [
//!     Mark { path: "email".parse()?, category: Category::Email },
//!     Mark { path: "notes".parse()?, category: Category::FreeText },
//! ];
//! let spans = HashMap::from([(
//!     "notes".parse()?,
//!     vec![Span::new(0, 3, Category::Name), Span::new(16, 26, Category::Phone)],
//! )]);
//!
//! // The tenant's decision: pseudonymize e-mails, mask phones, erase the rest.
//! let policy = Policy::default()
//!     .with(Category::Email, Action::Pseudonymize)?
//!     .with(Category::Phone, Action::Mask { keep: 2 })?;
//! let key = PseudonymKey::from_bytes([42; 32]); // from the tenant's secret store
//!
//! let redaction = redact_item(&item, &marks, &spans, &policy, &key)?;
//! assert!(redaction.value["email"].as_str().unwrap().starts_with("psn_"));
//! assert_eq!(redaction.value["plan"], "pro");
//! assert_eq!(redaction.value["notes"], "[NAME] called from ********67");
//! assert_eq!(redaction.changes[1].action, ActionKind::Scrub);
//! assert_eq!(redaction.changes[1].spans, 2);
//! # Ok::<(), lethe_core::Error>(())
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub mod audit;
pub mod bulk_input;
pub mod dataset;
pub mod digest;
pub mod engine;
pub mod error;
pub mod export;
pub mod item;
pub mod keys;
pub mod lookup;
pub mod mask;
pub mod pipeline;
pub mod policy;
pub mod ports;
pub mod pseudonym;
pub mod redact;
pub mod span;
pub mod tenant;

pub use lethe_detectors::{Category, Subject};

pub use crate::audit::{
    AuditError, AuditEvent, Certificate, CertificateBody, CertificateScope, ChainHead,
};
pub use crate::bulk_input::{BulkInputError, IdList, RowIssue, RowProblem};
pub use crate::dataset::{
    DatasetError, DatasetFormat, DatasetMode, DatasetOutcome, rewrite_dataset,
};
pub use crate::engine::{Engine, EngineConfig, EngineError, Ports};
pub use crate::error::{Error, PathError, SpanError};
pub use crate::export::{ExportItem, RenderedExport};
pub use crate::item::{FlatItem, Leaf, Path, Scalar, Segment, flatten, unflatten};
pub use crate::mask::mask;
pub use crate::pipeline::{FieldMap, PipelineError, PluginFailure, Redactor, TextScanner};
pub use crate::policy::{Action, ActionKind, Policy};
pub use crate::pseudonym::{PseudonymKey, normalize, pseudonymize};
pub use crate::redact::{Change, Mark, Redaction, redact_item, scrub_text};
pub use crate::span::{Span, check_spans, merge};
