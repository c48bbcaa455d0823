//! Running a plugin natively, in `cargo test`, through the same glue its
//! WebAssembly exports use: the kind check, the batch, the conversions of
//! marks and spans. What passes here is what the host receives (the host
//! then checks it again, and `lethe plugin test` runs the real component
//! in the real sandbox).
//!
//! [`classify`] and [`scan`] run a plugin on one item or one text. To call
//! your own helpers on an [`Item`], [`items`] (one item) and [`batch`]
//! (several) pack `(path, value)` pairs as the host packs a batch, and
//! [`Batch::item`] views one of them; [`texts`] packs a scrubber batch.
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
use crate::types::{Field as WitField, Items, Scalar, Slice, Texts};
use crate::{Category, FieldMap, Item, Scrubber, Span, Subject, Value};

/// A packed field-map batch made for a test by [`items`] or [`batch`]: the
/// contract's [`Items`], as the host would send it, with views of its items.
///
/// ```
/// use lethe_plugin_sdk::{Value, testing};
///
/// let batch = testing::batch(&[
///     &[("email", Value::Text("ada@example.com")), ("age", Value::Number("36"))],
///     &[("tags[0]", Value::Bytes(b"vip"))],
/// ]);
/// assert_eq!(batch.len(), 2);
/// assert_eq!(batch.item(1).field(0).unwrap().path(), "tags[0]");
/// let wit = batch.as_wit();
/// assert_eq!(wit.text, "emailada@example.comage36tags[0]");
/// assert_eq!((wit.bytes.as_slice(), wit.item_ends.as_slice()), (&b"vip"[..], &[2, 3][..]));
/// ```
#[derive(Clone, Debug)]
pub struct Batch {
    wit: Items,
}

impl Batch {
    /// How many items it holds.
    pub fn len(&self) -> usize {
        self.wit.item_ends.len()
    }

    /// Whether it holds no items.
    pub fn is_empty(&self) -> bool {
        self.wit.item_ends.is_empty()
    }

    /// A view of item `index`, as a field map's `classify` is given it.
    ///
    /// # Panics
    /// When the batch has no item `index`.
    pub fn item(&self, index: usize) -> Item<'_> {
        match crate::packed::items(&self.wit).nth(index) {
            Some(Ok(item)) => item,
            Some(Err(e)) => panic!("testing::Batch is always well packed: {e}"),
            None => panic!("the batch has {} items, not item {index}", self.len()),
        }
    }

    /// The batch as it crosses the boundary.
    pub fn as_wit(&self) -> &Items {
        &self.wit
    }

    /// The batch as it crosses the boundary, owned (to break it on purpose,
    /// say).
    pub fn into_wit(self) -> Items {
        self.wit
    }
}

/// A batch of one item given as `(path, value)` pairs, packed as the host
/// packs it.
///
/// # Panics
/// When its paths and values add up to more than 4 GiB.
pub fn items(pairs: &[(&str, Value<'_>)]) -> Batch {
    batch(&[pairs])
}

/// A batch of items, each given as `(path, value)` pairs, packed as the
/// host packs it: every path, number and string in one text, every byte
/// value in one byte buffer.
///
/// # Panics
/// When its paths and values add up to more than 4 GiB.
pub fn batch(items: &[&[(&str, Value<'_>)]]) -> Batch {
    let mut wit = Items {
        text: String::new(),
        bytes: Vec::new(),
        fields: Vec::new(),
        item_ends: Vec::with_capacity(items.len()),
    };
    for &item in items {
        for &(path, value) in item {
            let path = push(&mut wit.text, path);
            let value = match value {
                Value::Null => Scalar::Null,
                Value::Bool(b) => Scalar::Boolean(b),
                Value::Number(n) => Scalar::Number(push(&mut wit.text, n)),
                Value::Text(t) => Scalar::Text(push(&mut wit.text, t)),
                Value::Bytes(b) => {
                    let start = offset(wit.bytes.len());
                    wit.bytes.extend_from_slice(b);
                    Scalar::Bytes(Slice {
                        start,
                        len: offset(b.len()),
                    })
                }
            };
            wit.fields.push(WitField { path, value });
        }
        wit.item_ends.push(offset(wit.fields.len()));
    }
    Batch { wit }
}

/// A batch of texts, packed as the host packs it: one string, cut at
/// `ends`.
///
/// # Panics
/// When the texts add up to more than 4 GiB.
pub fn texts(texts: &[&str]) -> Texts {
    let mut packed = Texts {
        text: String::with_capacity(texts.iter().map(|t| t.len()).sum()),
        ends: Vec::with_capacity(texts.len()),
    };
    for text in texts {
        packed.text.push_str(text);
        packed.ends.push(offset(packed.text.len()));
    }
    packed
}

/// Appends `s` to `text`; where it now sits.
fn push(text: &mut String, s: &str) -> Slice {
    let start = offset(text.len());
    text.push_str(s);
    Slice {
        start,
        len: offset(s.len()),
    }
}

/// An offset of a test batch.
fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("a test batch holds at most 4 GiB")
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
    let batch = items(item);
    let item = batch.item(0);
    crate::log::reset();
    let answer = crate::export::classify::<M>(kind, batch.as_wit())?;
    answer
        .into_iter()
        .map(|m| match item.field(m.field as usize) {
            Some(f) => Ok((f.path().to_owned(), m.category.into())),
            None => Err(format!("a mark on field {}, past the item", m.field)),
        })
        .collect()
}

/// What scrubber `S` answers for `text`, with the erasure's `subject` if
/// given, exactly as the host would receive it.
///
/// # Errors
/// The error the plugin would fail the batch with.
pub fn scan<S: Scrubber>(text: &str, subject: Option<&Subject>) -> Result<Vec<Span>, String> {
    if u32::try_from(text.len()).is_err() {
        return Err(format!(
            "a text of {} bytes; at most 4 GiB fit a batch",
            text.len()
        ));
    }
    let subject = subject.map(|s| crate::types::Subject {
        names: s.names.clone(),
        emails: s.emails.clone(),
        phones: s.phones.clone(),
        ids: s.ids.clone(),
    });
    crate::log::reset();
    let answer = crate::export::scan::<S>(&texts(&[text]), subject)?;
    Ok(answer
        .into_iter()
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
