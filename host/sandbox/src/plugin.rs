//! A compiled, admitted plugin and the calls it answers.
//!
//! A [`Plugin`] holds an `InstancePre` per world it implements, made once;
//! each call (batch) instantiates it into a fresh store. Inputs larger than
//! one batch are split by the sandbox's batch size, so one huge request
//! cannot outrun the per-batch deadline.

use std::sync::Arc;

use lethe_core::Subject;
use lethe_core::{FlatItem, Mark, Span};
use wasmtime::component::Component;

use crate::bindings::{FieldMapPluginPre, ScrubberPluginPre};
use crate::call::with_store;
use crate::convert::subject_to_wit;
use crate::digest::Digest;
use crate::engine::Sandbox;
use crate::error::CallError;
use crate::output;
use crate::packed::{ItemPacker, TextPacker};
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
}

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

    /// Finds PII spans in `texts`; one list per text, in order, checked
    /// against the contract. With `subject`, the plugin also looks for that
    /// person's known values in other spellings.
    ///
    /// Texts are packed into batches (see `packed.rs`) of at most the
    /// sandbox's batch size; each batch is one call into a fresh instance,
    /// with a time budget for its size
    /// ([`SandboxConfig::budget`](crate::SandboxConfig::budget)).
    ///
    /// # Errors
    /// [`CallError::WrongKind`] if this is not a scrubber; otherwise whatever
    /// the first failing batch hit. Nothing is returned for a failed call.
    pub fn scan<S: AsRef<str>>(
        &self,
        texts: &[S],
        subject: Option<&Subject>,
    ) -> Result<Vec<Vec<Span>>, CallError> {
        let pre = self
            .inner
            .scrubber
            .as_ref()
            .ok_or(CallError::WrongKind { wanted: "scrubber" })?;
        let subject = subject.map(subject_to_wit);
        let config = self.inner.sandbox.config();
        let mut out = Vec::with_capacity(texts.len());
        let mut packer = TextPacker::new(texts, config.batch_bytes, config.batch_texts);
        while let Some((batch, these)) = packer.next_batch()? {
            let bytes = batch.text.len();
            let answer = with_store(
                &self.inner.sandbox.inner,
                &self.inner.digest,
                bytes,
                |store| {
                    let instance = pre.instantiate(&mut *store)?;
                    instance
                        .lethe_plugin_scrubber()
                        .call_scan(&mut *store, batch, subject.as_ref())
                },
            )?;
            output::spans(these, answer.map_err(refused)?, &mut out)?;
        }
        Ok(out)
    }

    /// Classifies the fields of `items` of `kind`; one list of marks per
    /// item, in order, each naming a path the item has (never `none`).
    ///
    /// Items are packed into batches (see `packed.rs`) of at most the
    /// sandbox's batch size; each batch is one call into a fresh instance,
    /// with a time budget for its size
    /// ([`SandboxConfig::budget`](crate::SandboxConfig::budget)).
    ///
    /// # Errors
    /// [`CallError::WrongKind`] if this is not a field map; otherwise
    /// whatever the first failing batch hit.
    pub fn classify(&self, kind: &str, items: &[FlatItem]) -> Result<Vec<Vec<Mark>>, CallError> {
        let pre = self.inner.field_map.as_ref().ok_or(CallError::WrongKind {
            wanted: "field map",
        })?;
        let config = self.inner.sandbox.config();
        let mut out = Vec::with_capacity(items.len());
        let mut packer = ItemPacker::new(items, config.batch_bytes, config.batch_items);
        while let Some(batch) = packer.next_batch()? {
            let answer = with_store(
                &self.inner.sandbox.inner,
                &self.inner.digest,
                batch.weight(),
                |store| {
                    let instance = pre.instantiate(&mut *store)?;
                    instance
                        .lethe_plugin_field_map()
                        .call_classify(&mut *store, kind, &batch.items)
                },
            )?;
            output::marks(batch, answer.map_err(refused)?, &mut out)?;
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
        let kinds = with_store(&self.inner.sandbox.inner, &self.inner.digest, 0, |store| {
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
        with_store(&self.inner.sandbox.inner, &self.inner.digest, 0, |store| {
            if let Some(pre) = &self.inner.scrubber {
                pre.instantiate(&mut *store)?;
            } else if let Some(pre) = &self.inner.field_map {
                pre.instantiate(&mut *store)?;
            }
            Ok(())
        })
    }
}

fn refused(message: String) -> CallError {
    CallError::Refused {
        message: scrub_plugin_text(&message),
    }
}
