//! Batches packed into the contract's buffers (`lethe:plugin@0.2.0`).
//!
//! Lowering a WIT `string` or `list` into a component costs a call into the
//! guest's allocator (`cabi_realloc`) plus a copy. Contract 0.1 lowered
//! every path, value and text as a string of its own: ~400,000 allocator
//! calls for 12,000 commerce items, most of a field map's time in the
//! sandbox. Contract 0.2 sends a batch as a few buffers instead: all of its
//! text in one string, byte values in one list, and the fields (or the
//! texts' ends) as offsets into them. Four allocator calls per batch,
//! whatever it holds.
//!
//! A packer owns its buffers and is reused batch after batch, so a long
//! call allocates them once. Batches are cut by size *while* packing: an
//! item that would take a batch past its byte budget is rolled back and
//! starts the next batch (an item larger than the whole budget is a batch
//! of its own).

use std::fmt::Write as _;

use lethe_core::{FlatItem, Path, Scalar};

use crate::bindings::types as wit;
use crate::error::CallError;

/// A batch of items, packed, and the host-side path of each of its fields.
pub(crate) struct ItemBatch<'a> {
    /// What the plugin is given.
    pub(crate) items: wit::Items,
    /// The core path of each field, in the order of `items.fields`.
    pub(crate) paths: Vec<&'a Path>,
}

impl<'a> ItemBatch<'a> {
    fn new() -> Self {
        ItemBatch {
            items: wit::Items {
                text: String::new(),
                bytes: Vec::new(),
                fields: Vec::new(),
                item_ends: Vec::new(),
            },
            paths: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.items.text.clear();
        self.items.bytes.clear();
        self.items.fields.clear();
        self.items.item_ends.clear();
        self.paths.clear();
    }

    /// How many items the batch holds.
    pub(crate) fn len(&self) -> usize {
        self.items.item_ends.len()
    }

    /// Bytes of text (paths and values) and byte values it carries.
    pub(crate) fn weight(&self) -> usize {
        self.items.text.len() + self.items.bytes.len()
    }

    /// Appends `item`'s scalar leaves.
    fn push(&mut self, item: &'a FlatItem) -> Result<(), CallError> {
        for (path, value) in item.scalars() {
            let path_slice = append_text(&mut self.items.text, |t| {
                // Writing into a String cannot fail.
                let _ = write!(t, "{path}");
            })?;
            let value = match value {
                Scalar::Null => wit::Scalar::Null,
                Scalar::Bool(b) => wit::Scalar::Boolean(*b),
                Scalar::Number(n) => {
                    wit::Scalar::Number(append_text(&mut self.items.text, |t| t.push_str(n))?)
                }
                Scalar::Text(s) => {
                    wit::Scalar::Text(append_text(&mut self.items.text, |t| t.push_str(s))?)
                }
                Scalar::Bytes(b) => {
                    let start = self.items.bytes.len();
                    self.items.bytes.extend_from_slice(b);
                    wit::Scalar::Bytes(slice(start, self.items.bytes.len())?)
                }
            };
            self.items.fields.push(wit::Field {
                path: path_slice,
                value,
            });
            self.paths.push(path);
        }
        let end = offset(self.items.fields.len())?;
        self.items.item_ends.push(end);
        Ok(())
    }

    /// Rolls the buffers back to `lengths`, taken with [`lengths`] before
    /// an item was pushed: that item is removed, the ones before it kept.
    ///
    /// [`lengths`]: ItemBatch::lengths
    fn truncate(&mut self, lengths: Lengths) {
        self.items.text.truncate(lengths.text);
        self.items.bytes.truncate(lengths.bytes);
        self.items.fields.truncate(lengths.fields);
        self.items.item_ends.truncate(lengths.items);
        self.paths.truncate(lengths.fields);
    }

    /// The buffers' lengths now, to roll an item back with [`truncate`].
    ///
    /// [`truncate`]: ItemBatch::truncate
    fn lengths(&self) -> Lengths {
        Lengths {
            text: self.items.text.len(),
            bytes: self.items.bytes.len(),
            fields: self.items.fields.len(),
            items: self.items.item_ends.len(),
        }
    }
}

/// Buffer lengths at an item boundary, to roll an item back.
#[derive(Clone, Copy)]
struct Lengths {
    text: usize,
    bytes: usize,
    fields: usize,
    items: usize,
}

/// Packs runs of items into batches of at most `max_items` items and about
/// `max_bytes` bytes of text and byte values.
pub(crate) struct ItemPacker<'a> {
    items: &'a [FlatItem],
    next: usize,
    max_bytes: usize,
    max_items: usize,
    batch: ItemBatch<'a>,
}

impl<'a> ItemPacker<'a> {
    /// A packer over `items`.
    pub(crate) fn new(items: &'a [FlatItem], max_bytes: usize, max_items: usize) -> Self {
        ItemPacker {
            items,
            next: 0,
            max_bytes,
            max_items: max_items.max(1),
            batch: ItemBatch::new(),
        }
    }

    /// The next batch, or `None` when every item has been packed. The
    /// batch's items are the `len()` items after the previous batch's.
    ///
    /// # Errors
    /// [`CallError::BatchTooLarge`] when one item alone needs offsets
    /// beyond the contract's `u32`.
    pub(crate) fn next_batch(&mut self) -> Result<Option<&ItemBatch<'a>>, CallError> {
        self.batch.clear();
        while self.next < self.items.len() && self.batch.len() < self.max_items {
            let before = self.batch.lengths();
            let pushed = self.batch.push(&self.items[self.next]);
            let over = pushed.is_err() || self.batch.weight() > self.max_bytes;
            if over && before.items > 0 {
                // This item starts the next batch.
                self.batch.truncate(before);
                break;
            }
            pushed?;
            self.next += 1;
        }
        Ok((self.batch.len() > 0).then_some(&self.batch))
    }
}

/// Packs runs of texts into batches of at most `max_texts` texts and about
/// `max_bytes` bytes (a text larger than `max_bytes` is a batch of its own).
pub(crate) struct TextPacker<'a, S> {
    texts: &'a [S],
    next: usize,
    max_bytes: usize,
    max_texts: usize,
    batch: wit::Texts,
}

impl<'a, S: AsRef<str>> TextPacker<'a, S> {
    /// A packer over `texts`.
    pub(crate) fn new(texts: &'a [S], max_bytes: usize, max_texts: usize) -> Self {
        TextPacker {
            texts,
            next: 0,
            max_bytes,
            max_texts: max_texts.max(1),
            batch: wit::Texts {
                text: String::new(),
                ends: Vec::new(),
            },
        }
    }

    /// The next batch and the texts it holds, or `None` when every text has
    /// been packed.
    ///
    /// # Errors
    /// [`CallError::BatchTooLarge`] when one text alone is longer than the
    /// contract's `u32` offsets reach.
    pub(crate) fn next_batch(&mut self) -> Result<Option<(&wit::Texts, &'a [S])>, CallError> {
        self.batch.text.clear();
        self.batch.ends.clear();
        let first = self.next;
        while let Some(text) = self.texts.get(self.next) {
            let text = text.as_ref();
            let count = self.next - first;
            if count == self.max_texts
                || (count > 0 && self.batch.text.len() + text.len() > self.max_bytes)
            {
                break;
            }
            self.batch.text.push_str(text);
            let end = offset(self.batch.text.len())?;
            self.batch.ends.push(end);
            self.next += 1;
        }
        Ok((self.next > first).then(|| (&self.batch, &self.texts[first..self.next])))
    }
}

/// Appends what `write` writes to `text`, and returns where it landed.
fn append_text(
    text: &mut String,
    write: impl FnOnce(&mut String),
) -> Result<wit::Slice, CallError> {
    let start = text.len();
    write(text);
    slice(start, text.len())
}

fn slice(start: usize, end: usize) -> Result<wit::Slice, CallError> {
    Ok(wit::Slice {
        start: offset(start)?,
        len: offset(end - start)?,
    })
}

/// `n` as a contract offset.
fn offset(n: usize) -> Result<u32, CallError> {
    u32::try_from(n).map_err(|_| CallError::BatchTooLarge { bytes: n })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text_of(items: &wit::Items, s: wit::Slice) -> &str {
        &items.text[s.start as usize..(s.start + s.len) as usize]
    }

    #[test]
    fn items_are_packed_into_one_text_with_offsets() {
        let items = [
            lethe_core::flatten(&json!({"a": {"b": "x", "c": []}, "n": 1.5, "t": true})),
            lethe_core::flatten(&json!({"list": [null, "é"]})),
        ];
        let mut packer = ItemPacker::new(&items, 1 << 20, 512);
        let batch = packer.next_batch().unwrap().unwrap();
        assert_eq!(batch.len(), 2);
        assert_eq!(batch.items.item_ends, [3, 5]);
        let shown: Vec<String> = batch
            .items
            .fields
            .iter()
            .map(|f| {
                let value = match f.value {
                    wit::Scalar::Null => "null".to_owned(),
                    wit::Scalar::Boolean(b) => b.to_string(),
                    wit::Scalar::Number(s) | wit::Scalar::Text(s) => {
                        text_of(&batch.items, s).to_owned()
                    }
                    wit::Scalar::Bytes(_) => "bytes".to_owned(),
                };
                format!("{}={value}", text_of(&batch.items, f.path))
            })
            .collect();
        assert_eq!(
            shown,
            ["a.b=x", "n=1.5", "t=true", "list[0]=null", "list[1]=é"]
        );
        let paths: Vec<String> = batch.paths.iter().map(|p| p.to_string()).collect();
        assert_eq!(paths, ["a.b", "n", "t", "list[0]", "list[1]"]);
        assert!(packer.next_batch().unwrap().is_none());
    }

    #[test]
    fn item_batches_respect_both_bounds_and_keep_order() {
        // Each item packs "k" + 9 bytes of value: 10 bytes.
        let items: Vec<FlatItem> = (0..7)
            .map(|i| lethe_core::flatten(&json!({"k": format!("{i:09}")})))
            .collect();
        let mut packer = ItemPacker::new(&items, 25, 3);
        let mut sizes = Vec::new();
        let mut values = Vec::new();
        while let Some(batch) = packer.next_batch().unwrap() {
            sizes.push(batch.len());
            assert_eq!(batch.paths.len(), batch.items.fields.len());
            for f in &batch.items.fields {
                let wit::Scalar::Text(s) = f.value else {
                    panic!("text")
                };
                values.push(text_of(&batch.items, s).to_owned());
            }
        }
        assert_eq!(sizes, [2, 2, 2, 1]);
        let expected: Vec<String> = (0..7).map(|i| format!("{i:09}")).collect();
        assert_eq!(values, expected);
        let mut by_count = ItemPacker::new(&items, 1 << 20, 3);
        let mut counts = Vec::new();
        while let Some(batch) = by_count.next_batch().unwrap() {
            counts.push(batch.len());
        }
        assert_eq!(counts, [3, 3, 1]);
    }

    #[test]
    fn an_item_larger_than_the_budget_is_a_batch_of_its_own() {
        let items = [
            lethe_core::flatten(&json!({"a": "x"})),
            lethe_core::flatten(&json!({"a": "y".repeat(100)})),
            lethe_core::flatten(&json!({"a": "z"})),
        ];
        let mut packer = ItemPacker::new(&items, 10, 512);
        let mut sizes = Vec::new();
        while let Some(batch) = packer.next_batch().unwrap() {
            sizes.push((batch.len(), batch.items.text.len()));
        }
        assert_eq!(sizes, [(1, 2), (1, 101), (1, 2)]);
    }

    #[test]
    fn texts_are_packed_with_their_ends() {
        let texts = ["ab", "", "é", "0123456789", "c"];
        let mut packer = TextPacker::new(&texts, 5, 3);
        let mut got = Vec::new();
        while let Some((batch, these)) = packer.next_batch().unwrap() {
            got.push((batch.text.clone(), batch.ends.clone(), these.len()));
        }
        assert_eq!(
            got,
            [
                ("abé".to_owned(), vec![2, 2, 4], 3),
                ("0123456789".to_owned(), vec![10], 1),
                ("c".to_owned(), vec![1], 1),
            ]
        );
        let none: [&str; 0] = [];
        assert!(TextPacker::new(&none, 5, 3).next_batch().unwrap().is_none());
    }
}
