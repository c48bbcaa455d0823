//! [`Plugin`] as `lethe-core`'s plugin ports, so the redaction pipeline runs
//! over sandboxed components without knowing it.

use lethe_core::{FieldMap, FlatItem, Mark, PluginFailure, Span, Subject, TextScanner};

use crate::plugin::Plugin;

impl FieldMap for Plugin {
    fn classify(&self, kind: &str, items: &[FlatItem]) -> Result<Vec<Vec<Mark>>, PluginFailure> {
        Plugin::classify(self, kind, items).map_err(|e| PluginFailure(e.to_string()))
    }
}

impl TextScanner for Plugin {
    fn scan(
        &self,
        texts: &[&str],
        subject: Option<&Subject>,
    ) -> Result<Vec<Vec<Span>>, PluginFailure> {
        Plugin::scan(self, texts, subject).map_err(|e| PluginFailure(e.to_string()))
    }
}
