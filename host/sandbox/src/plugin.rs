//! A compiled, admitted plugin and the calls it answers.
//!
//! A [`Plugin`] holds an `InstancePre` per world it implements, made once;
//! each call (batch) instantiates it into a fresh store. Inputs larger than
//! one batch are split by the sandbox's batch size, so one huge request
//! cannot outrun the per-batch deadline.

use std::sync::Arc;

use lethe_core::Subject;
use lethe_core::{FlatItem, Mark, Path, Span};
use wasmtime::component::{Component, ComponentExportIndex};

use crate::bindings::{FieldMapPluginPre, ScrubberPluginPre, types as wit};
use crate::borrowed::{FieldRef, RenderedPaths, item_weight};
use crate::call::with_store;
use crate::convert::subject_to_wit;
use crate::digest::Digest;
use crate::engine::Sandbox;
use crate::error::CallError;
use crate::output;
use crate::sanitize::scrub_plugin_text;

/// Which plugin interfaces a component implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Worlds {
    /// Exports `lethe:plugin/field-map`.
    pub field_map: bool,
    /// Exports `lethe:plugin/scrubber`.
    pub scrubber: bool,
}

/// A plugin ready to be called. Cheap to clone; share it across threads.
#[derive(Clone)]
pub struct Plugin {
    inner: Arc<PluginInner>,
}

struct PluginInner {
    sandbox: Sandbox,
    digest: Digest,
    field_map: Option<FieldMapPluginPre<crate::state::HostState>>,
    scrubber: Option<ScrubberPluginPre<crate::state::HostState>>,
    /// `lethe:plugin/scrubber#scan`, called directly (see [`Plugin::scan`]).
    scan_export: Option<ComponentExportIndex>,
    /// `lethe:plugin/field-map#classify`, called directly (see
    /// [`Plugin::classify`]).
    classify_export: Option<ComponentExportIndex>,
}

/// The `scan` export's signature as the host calls it: texts and subject
/// borrowed, so they are lowered from the caller's memory into the guest's
/// without an owned copy in between.
type ScanParams<'a> = (&'a [&'a str], Option<&'a wit::Subject>);
/// The `scan` export's result.
type ScanResults = (Result<Vec<Vec<wit::Span>>, String>,);

/// The `classify` export's signature as the host calls it: the items'
/// fields borrowed (see [`crate::borrowed`]).
type ClassifyParams<'a> = (&'a str, &'a [Vec<FieldRef<'a>>]);
/// The `classify` export's result.
type ClassifyResults = (Result<Vec<Vec<wit::Mark>>, String>,);

/// The index of function `name` of contract interface `interface` in
/// `component`.
fn export(component: &Component, interface: &str, name: &str) -> Option<ComponentExportIndex> {
    let (_, instance) = component.get_export(None, interface)?;
    let (_, func) = component.get_export(Some(&instance), name)?;
    Some(func)
}

/// The scrubber interface's name in the contract.
const SCRUBBER_INTERFACE: &str = "lethe:plugin/scrubber@0.1.0";
/// The field-map interface's name in the contract.
const FIELD_MAP_INTERFACE: &str = "lethe:plugin/field-map@0.1.0";

impl Plugin {
    /// Links `component` against the sandbox's imports and prepares an
    /// instance template for each plugin world it exports.
    pub(crate) fn prepare(
        sandbox: &Sandbox,
        digest: Digest,
        component: &Component,
    ) -> Result<Self, crate::error::Rejection> {
        crate::admit::prepare(sandbox, component).map(|(field_map, scrubber)| Self {
            inner: Arc::new(PluginInner {
                sandbox: sandbox.clone(),
                digest,
                scan_export: scrubber
                    .as_ref()
                    .and_then(|_| export(component, SCRUBBER_INTERFACE, "scan")),
                classify_export: field_map
                    .as_ref()
                    .and_then(|_| export(component, FIELD_MAP_INTERFACE, "classify")),
                field_map,
                scrubber,
            }),
        })
    }

    /// The SHA-256 of the component's bytes: the plugin's identity.
    pub fn digest(&self) -> Digest {
        self.inner.digest
    }

    /// Which plugin interfaces it implements.
    pub fn worlds(&self) -> Worlds {
        Worlds {
            field_map: self.inner.field_map.is_some(),
            scrubber: self.inner.scrubber.is_some(),
        }
    }

    fn label(&self) -> String {
        self.inner.digest.short()
    }

    /// Finds PII spans in `texts`; one list per text, in order, checked
    /// against the contract. With `subject`, the plugin also looks for that
    /// person's known values in other spellings.
    ///
    /// # Errors
    /// [`CallError::WrongKind`] if this is not a scrubber; otherwise whatever
    /// the first failing batch hit. Nothing is returned for a failed call.
    pub fn scan<S: AsRef<str>>(
        &self,
        texts: &[S],
        subject: Option<&Subject>,
    ) -> Result<Vec<Vec<Span>>, CallError> {
        // The generated `call_scan` takes `&[String]`, which would copy
        // every text once more; the export is called through its typed
        // function instead, with borrowed texts (same signature, checked
        // by `get_typed_func` against the component's own types).
        let (pre, export) = match (&self.inner.scrubber, &self.inner.scan_export) {
            (Some(pre), Some(export)) => (pre.instance_pre(), export),
            _ => return Err(CallError::WrongKind { wanted: "scrubber" }),
        };
        let subject = subject.map(subject_to_wit);
        let config = self.inner.sandbox.config();
        let mut out = Vec::with_capacity(texts.len());
        let label = self.label();
        for batch in batches(
            texts,
            |t| t.as_ref().len(),
            config.batch_bytes,
            config.batch_texts,
        ) {
            let batch: Vec<&str> = batch.iter().map(AsRef::as_ref).collect();
            let (answer,) = with_store(&self.inner.sandbox.inner, &label, |store| {
                let instance = pre.instantiate(&mut *store)?;
                let scan =
                    instance.get_typed_func::<ScanParams<'_>, ScanResults>(&mut *store, export)?;
                scan.call(&mut *store, (&batch, subject.as_ref()))
            })?;
            let answer = answer.map_err(refused)?;
            out.extend(output::spans(&batch, answer)?);
        }
        Ok(out)
    }

    /// Classifies the fields of `items` of `kind`; one list of marks per
    /// item, in order, each naming a path the item has (never `none`).
    ///
    /// # Errors
    /// [`CallError::WrongKind`] if this is not a field map; otherwise
    /// whatever the first failing batch hit.
    pub fn classify(&self, kind: &str, items: &[FlatItem]) -> Result<Vec<Vec<Mark>>, CallError> {
        // As in `scan`: the export is called through its typed function so
        // that values and paths are lowered from borrowed memory.
        let (pre, export) = match (&self.inner.field_map, &self.inner.classify_export) {
            (Some(pre), Some(export)) => (pre.instance_pre(), export),
            _ => {
                return Err(CallError::WrongKind {
                    wanted: "field map",
                });
            }
        };
        let config = self.inner.sandbox.config();
        let label = self.label();
        let rendered = RenderedPaths::of(items);
        let fields = rendered.fields(items);
        let paths: Vec<Vec<&Path>> = items.iter().map(scalar_paths).collect();
        let mut out = Vec::with_capacity(items.len());
        let mut at = 0;
        for batch in batches(
            &fields,
            |f| item_weight(f),
            config.batch_bytes,
            config.batch_items,
        ) {
            let (answer,) = with_store(&self.inner.sandbox.inner, &label, |store| {
                let instance = pre.instantiate(&mut *store)?;
                let classify = instance
                    .get_typed_func::<ClassifyParams<'_>, ClassifyResults>(&mut *store, export)?;
                classify.call(&mut *store, (kind, batch))
            })?;
            let answer = answer.map_err(refused)?;
            out.extend(output::marks(batch, &paths[at..at + batch.len()], answer)?);
            at += batch.len();
        }
        Ok(out)
    }

    /// The entity kinds a field map knows; empty means any kind.
    ///
    /// # Errors
    /// [`CallError::WrongKind`] if this is not a field map, or the call failed.
    pub fn kinds(&self) -> Result<Vec<String>, CallError> {
        let pre = self.inner.field_map.as_ref().ok_or(CallError::WrongKind {
            wanted: "field map",
        })?;
        let kinds = with_store(&self.inner.sandbox.inner, &self.label(), |store| {
            let instance = pre.instantiate(&mut *store)?;
            instance.lethe_plugin_field_map().call_kinds(&mut *store)
        })?;
        if kinds.len() > 1024 || kinds.iter().any(|k| k.len() > 256) {
            return Err(CallError::MalformedOutput {
                detail: format!(
                    "declared {} kinds, or a kind name over 256 bytes",
                    kinds.len()
                ),
            });
        }
        Ok(kinds)
    }

    /// Instantiates the plugin once and drops it: the cost of one batch's
    /// set-up, for benchmarks.
    ///
    /// # Errors
    /// When instantiation fails.
    pub fn instantiate_only(&self) -> Result<(), CallError> {
        let label = self.label();
        with_store(&self.inner.sandbox.inner, &label, |store| {
            if let Some(pre) = &self.inner.scrubber {
                pre.instantiate(&mut *store)?;
            } else if let Some(pre) = &self.inner.field_map {
                pre.instantiate(&mut *store)?;
            }
            Ok(())
        })
    }
}

fn scalar_paths(item: &FlatItem) -> Vec<&Path> {
    item.scalars().map(|(path, _)| path).collect()
}

fn refused(message: String) -> CallError {
    CallError::Refused {
        message: scrub_plugin_text(&message),
    }
}

/// Splits `items` into runs of at most `max_items` and about `max_bytes`
/// (an item larger than `max_bytes` is a batch of its own).
fn batches<T>(
    items: &[T],
    weight: impl Fn(&T) -> usize,
    max_bytes: usize,
    max_items: usize,
) -> impl Iterator<Item = &[T]> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= items.len() {
            return None;
        }
        let mut end = start;
        let mut bytes = 0;
        while end < items.len() && end - start < max_items {
            let w = weight(&items[end]);
            if end > start && bytes + w > max_bytes {
                break;
            }
            bytes += w;
            end += 1;
        }
        let batch = &items[start..end];
        start = end;
        Some(batch)
    })
}

#[cfg(test)]
mod tests {
    use super::batches;

    #[test]
    fn batches_respect_both_bounds_and_keep_order() {
        let items: Vec<usize> = vec![5, 5, 5, 20, 1, 1, 1, 1];
        let got: Vec<Vec<usize>> = batches(&items, |w| *w, 10, 3)
            .map(<[usize]>::to_vec)
            .collect();
        assert_eq!(
            got,
            vec![vec![5, 5], vec![5], vec![20], vec![1, 1, 1], vec![1]]
        );
        assert_eq!(batches(&[] as &[usize], |w| *w, 10, 3).count(), 0);
    }
}
