//! The detectors and field-map rules called directly, behind the same
//! `lethe-core` traits the plugins implement: the "native" side of every
//! native-vs-WebAssembly row.

use lethe_core::{FieldMap, FlatItem, Mark, PluginFailure, Scalar, Span, Subject, TextScanner};
use lethe_detectors::{Scanner, SubjectMatcher};
use lethe_fieldmaps::Value;

/// The commerce field map, natively.
pub(crate) struct NativeCommerce;

impl FieldMap for NativeCommerce {
    fn classify(&self, kind: &str, items: &[FlatItem]) -> Result<Vec<Vec<Mark>>, PluginFailure> {
        let map =
            lethe_fieldmaps::FieldMap::commerce(kind).map_err(|e| PluginFailure(e.to_string()))?;
        Ok(items
            .iter()
            .map(|item| {
                let scalars: Vec<_> = item.scalars().collect();
                let rendered: Vec<String> = scalars.iter().map(|(p, _)| p.to_string()).collect();
                map.marks(
                    rendered
                        .iter()
                        .zip(&scalars)
                        .map(|(path, (_, value))| (path.as_str(), view(value))),
                )
                .into_iter()
                .map(|m| Mark {
                    path: scalars[m.index].0.clone(),
                    category: m.category,
                })
                .collect()
            })
            .collect())
    }
}

fn view(s: &Scalar) -> Value<'_> {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(*b),
        Scalar::Number(n) => Value::Number(n),
        Scalar::Text(t) => Value::Text(t),
        Scalar::Bytes(b) => Value::Bytes(b),
    }
}

/// The standard scrubber's detectors, natively.
pub(crate) struct NativeScrubber;

impl TextScanner for NativeScrubber {
    fn scan(
        &self,
        texts: &[&str],
        subject: Option<&Subject>,
    ) -> Result<Vec<Vec<Span>>, PluginFailure> {
        let scanner = Scanner::new();
        let matcher = subject.map(SubjectMatcher::new);
        let mut findings = Vec::new();
        Ok(texts
            .iter()
            .map(|text| {
                findings.clear();
                scanner.scan_into(text, matcher.as_ref(), &mut findings);
                findings
                    .iter()
                    .map(|f| Span {
                        start: f.start,
                        end: f.end,
                        category: f.category(),
                        score: f.score,
                    })
                    .collect()
            })
            .collect())
    }
}
