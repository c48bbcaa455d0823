//! Running a plugin natively, in `cargo test`, through the same glue its
//! WebAssembly exports use: the kind check, the batch, the conversions of
//! marks and spans. What passes here is what the host receives (the host
//! then checks it again, and `lethe plugin test` runs the real component
//! in the real sandbox).
//!
//! ```
//! use lethe_plugin_sdk::prelude::*;
//! use lethe_plugin_sdk::testing;
//!
//! struct Tickets;
//!
//! impl Scrubber for Tickets {
//!     fn scan(text: &str, _cx: &Context) -> Vec<Span> {
//!         text::words(text)
//!             .filter(|w| w.text.starts_with("TCK-"))
//!             .map(|w| w.span(Category::Identifier))
//!             .collect()
//!     }
//! }
//!
//! let spans = testing::scan::<Tickets>("About TCK-991: fixed.", None)?;
//! assert_eq!(spans, [Span::new(6..13, Category::Identifier)]);
//! # Ok::<(), String>(())
//! ```

use crate::log::Level;
use crate::types::{Field as WitField, Scalar};
use crate::{Category, FieldMap, Scrubber, Span, Subject, Value};

/// The contract's flattened form of an item given as `(path, value)` pairs.
pub fn fields(pairs: &[(&str, Value<'_>)]) -> Vec<WitField> {
    pairs
        .iter()
        .map(|&(path, value)| WitField {
            path: path.to_owned(),
            value: match value {
                Value::Null => Scalar::Null,
                Value::Bool(b) => Scalar::Boolean(b),
                Value::Number(n) => Scalar::Number(n.to_owned()),
                Value::Text(t) => Scalar::Text(t.to_owned()),
                Value::Bytes(b) => Scalar::Bytes(b.to_vec()),
            },
        })
        .collect()
}

/// What field map `M` answers for one item of `kind`, given as
/// `(path, value)` pairs: the marked paths with their categories, in field
/// order, exactly as the host would receive them.
///
/// # Errors
/// The error the plugin would fail the batch with (an unknown kind, say).
pub fn classify<M: FieldMap>(
    kind: &str,
    item: &[(&str, Value<'_>)],
) -> Result<Vec<(String, Category)>, String> {
    crate::log::reset();
    let answer = crate::export::classify::<M>(kind, vec![fields(item)])?;
    Ok(answer
        .into_iter()
        .flatten()
        .map(|m| (m.path, m.category.into()))
        .collect())
}

/// What scrubber `S` answers for `text`, with the erasure's `subject` if
/// given, exactly as the host would receive it.
///
/// # Errors
/// The error the plugin would fail the batch with.
pub fn scan<S: Scrubber>(text: &str, subject: Option<&Subject>) -> Result<Vec<Span>, String> {
    let subject = subject.map(|s| crate::types::Subject {
        names: s.names.clone(),
        emails: s.emails.clone(),
        phones: s.phones.clone(),
        ids: s.ids.clone(),
    });
    crate::log::reset();
    let answer = crate::export::scan::<S>(&[text.to_owned()], subject)?;
    Ok(answer
        .into_iter()
        .flatten()
        .map(|s| Span {
            start: s.start as usize,
            end: s.end as usize,
            category: s.category.into(),
            score: s.score,
        })
        .collect())
}

/// The messages the plugin logged on this thread since the last call,
/// outside WebAssembly (inside, they go to the host).
pub fn take_logs() -> Vec<(Level, String)> {
    crate::log::take_captured()
}
