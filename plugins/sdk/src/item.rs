//! What a field map sees: an [`Item`] (one flattened record) as a list of
//! [`Field`]s, and what it answers: [`Mark`]s.
//!
//! An item is a borrowed view of its run of fields in a packed batch: its
//! paths and values are slices of the batch's one text and one byte buffer,
//! so looking at a field copies nothing.

use std::fmt;

use crate::Category;
use crate::Value;
use crate::packed::{str_at, value};
use crate::types::{Field as WitField, Scalar};

/// One flattened item, as a field map is given it: its scalar fields in
/// document order, each a path and a value.
///
/// Paths join object keys with `.` and array positions with `[n]`
/// (`address.street`, `tags[1]`, `lines[0].sku`); a key that is not a plain
/// identifier is quoted (`["first name"]`, `meta["a.b"]`). Empty objects and
/// arrays are not fields: the host keeps them to itself.
///
/// ```
/// use lethe_plugin_sdk::{Category, Item, Value, testing};
///
/// let batch = testing::items(&[
///     ("email", Value::Text("ada@example.com")),
///     ("address.city", Value::Text("Lund")),
///     ("tags[0]", Value::Text("vip")),
/// ]);
/// let item = batch.item(0);
/// assert_eq!(item.len(), 3);
/// assert_eq!(item.text("address.city"), Some("Lund"));
/// let city = item.get("address.city").unwrap();
/// assert_eq!((city.index(), city.key()), (1, "city"));
/// assert_eq!(item.get("tags[0]").unwrap().key(), "tags");
/// assert_eq!(item.mark("email", Category::Email).unwrap().index, 0);
/// assert!(item.mark("phone", Category::Phone).is_none());
///
/// // The same view, made by hand from the packed batch.
/// let wit = batch.as_wit();
/// let same = Item::new(&wit.text, &wit.bytes, &wit.fields)?;
/// assert_eq!(same.field(2).unwrap().path(), "tags[0]");
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Copy)]
pub struct Item<'a> {
    text: &'a str,
    bytes: &'a [u8],
    fields: &'a [WitField],
}

impl<'a> Item<'a> {
    /// A view of `fields`, one item's run of a packed batch whose paths,
    /// numbers and strings are slices of `text` and whose byte values are
    /// slices of `bytes` (the batch's `items.text` and `items.bytes`).
    ///
    /// # Errors
    /// A one-line message naming the first field whose path or value does
    /// not lie inside its buffer (on character boundaries, for `text`).
    pub fn new(text: &'a str, bytes: &'a [u8], fields: &'a [WitField]) -> Result<Self, String> {
        for (n, field) in fields.iter().enumerate() {
            check(text, bytes, n, field)?;
        }
        Ok(Item {
            text,
            bytes,
            fields,
        })
    }

    /// How many fields the item has.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the item has no fields (`{}`, or only empty objects/arrays).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The fields, in document order.
    pub fn fields(&self) -> impl ExactSizeIterator<Item = Field<'a>> + 'a {
        let Item {
            text,
            bytes,
            fields,
        } = *self;
        fields
            .iter()
            .enumerate()
            .map(move |(index, f)| Field::new(index, text, bytes, f))
    }

    /// The field at `index` (its position in [`fields`](Item::fields)).
    pub fn field(&self, index: usize) -> Option<Field<'a>> {
        let f = self.fields.get(index)?;
        Some(Field::new(index, self.text, self.bytes, f))
    }

    /// The field with exactly this path, if the item has it.
    pub fn get(&self, path: &str) -> Option<Field<'a>> {
        let text = self.text;
        let index = (self.fields.iter()).position(|f| str_at(text, f.path) == Some(path))?;
        self.field(index)
    }

    /// The text of the field at `path`, if it exists and is a string.
    pub fn text(&self, path: &str) -> Option<&'a str> {
        self.get(path).and_then(|f| f.text())
    }

    /// A mark saying the field at `path` holds `category`; `None` when the
    /// item has no such field (so a rule for an optional attribute is one
    /// line: `marks.extend(item.mark("loyalty.number", Category::Identifier))`).
    pub fn mark(&self, path: &str, category: Category) -> Option<Mark> {
        self.get(path).map(|f| f.mark(category))
    }
}

/// Its fields, not the rest of the batch it views.
impl fmt::Debug for Item<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.fields()).finish()
    }
}

/// Checks that field `n`'s path and value lie inside their buffers.
fn check(text: &str, bytes: &[u8], n: usize, field: &WitField) -> Result<(), String> {
    let (what, slice, buffer, size) = if str_at(text, field.path).is_none() {
        ("path", field.path, "text", text.len())
    } else if value(text, bytes, &field.value).is_some() {
        return Ok(());
    } else {
        match field.value {
            Scalar::Number(s) => ("number", s, "text", text.len()),
            Scalar::Text(s) => ("string", s, "text", text.len()),
            Scalar::Bytes(s) => ("byte value", s, "byte values", bytes.len()),
            // Never reached: these have no slice to fail.
            Scalar::Null | Scalar::Boolean(_) => return Ok(()),
        }
    };
    let boundaries = if buffer == "text" {
        ", on character boundaries"
    } else {
        ""
    };
    Err(format!(
        "field {n}: its {what} (at byte {}, {} bytes long) is not within the batch's {size} \
         bytes of {buffer}{boundaries}",
        slice.start, slice.len
    ))
}

/// One scalar field of an [`Item`]: its position, path and value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field<'a> {
    index: usize,
    path: &'a str,
    value: Value<'a>,
}

impl<'a> Field<'a> {
    /// Field `index` of an item, its slices taken from `text` and `bytes`.
    /// [`Item::new`] has checked that they fit; were they not to, the path
    /// would read as empty and the value as `null` (never a panic).
    fn new(index: usize, text: &'a str, bytes: &'a [u8], field: &WitField) -> Self {
        Field {
            index,
            path: str_at(text, field.path).unwrap_or_default(),
            value: value(text, bytes, &field.value).unwrap_or(Value::Null),
        }
    }

    /// Its position in the item.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Its full path (`address.street`, `lines[0].sku`).
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// Its value.
    pub fn value(&self) -> Value<'a> {
        self.value
    }

    /// Its text, when the value is a string.
    pub fn text(&self) -> Option<&'a str> {
        match self.value {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The last object key of its path, without quotes: `street` for
    /// `address.street`, `tags` for `tags[1]`, `first name` for
    /// `["first name"]`. Empty for a path made only of array positions.
    pub fn key(&self) -> &'a str {
        last_key(self.path)
    }

    /// A mark saying this field holds `category`.
    pub fn mark(&self, category: Category) -> Mark {
        Mark {
            index: self.index,
            category,
        }
    }

    /// What Lethe's standard generic rules say this field holds (by the
    /// naming conventions of its keys, with an e-mail-shaped value as a
    /// last resort); [`Category::None`] when they see no personal data.
    pub fn standard_category(&self) -> Category {
        lethe_fieldmaps::classify_generic(self.path, self.value)
    }
}

/// A field map's verdict on one field of an item: the field at `index`
/// holds `category`.
///
/// Make one with [`Field::mark`] or [`Item::mark`]. The SDK turns marks
/// into the contract's answer: when a field is marked more than once the
/// *last* mark wins (so a plugin can start from the standard rules and
/// override them), a mark of [`Category::None`] unmarks the field, and a
/// mark whose index the item does not have is dropped (and logged).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mark {
    /// The field's position in the item ([`Field::index`]).
    pub index: usize,
    /// What the field holds.
    pub category: Category,
}

impl From<lethe_fieldmaps::Mark> for Mark {
    fn from(m: lethe_fieldmaps::Mark) -> Self {
        Mark {
            index: m.index,
            category: m.category,
        }
    }
}

/// The last key of `path`, skipping array positions; quotes removed.
fn last_key(path: &str) -> &str {
    let mut rest = path;
    let mut last = "";
    loop {
        rest = rest.strip_prefix('.').unwrap_or(rest);
        if rest.is_empty() {
            return last;
        }
        if let Some(quoted) = rest.strip_prefix("[\"") {
            let bytes = quoted.as_bytes();
            let mut i = 0;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            if i >= bytes.len() {
                return quoted;
            }
            last = &quoted[..i];
            let after = &quoted[i + 1..];
            rest = after.strip_prefix(']').unwrap_or(after);
        } else if let Some(index) = rest.strip_prefix('[') {
            let end = index.find(']').map_or(index.len(), |e| e + 1);
            rest = &index[end..];
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            last = &rest[..end];
            rest = &rest[end..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Slice;

    #[test]
    fn last_keys() {
        for (path, key) in [
            ("email", "email"),
            ("address.street", "street"),
            ("tags[1]", "tags"),
            ("lines[0].sku", "sku"),
            ("[\"first name\"]", "first name"),
            ("meta[\"a.b\"]", "a.b"),
            ("[0][1]", ""),
            ("a[\"unterminated", "unterminated"),
        ] {
            assert_eq!(last_key(path), key, "{path}");
        }
    }

    fn field(path: Slice, value: Scalar) -> WitField {
        WitField { path, value }
    }

    fn at(start: u32, len: u32) -> Slice {
        Slice { start, len }
    }

    #[test]
    fn fields_are_slices_of_the_batch() {
        let text = "nameAdaage36";
        let fields = [
            field(at(0, 4), Scalar::Text(at(4, 3))),
            field(at(7, 3), Scalar::Number(at(10, 2))),
            field(at(0, 0), Scalar::Bytes(at(1, 2))),
        ];
        let item = Item::new(text, b"\x00\x01\x02", &fields).unwrap();
        let got: Vec<_> = item.fields().map(|f| (f.path(), f.value())).collect();
        assert_eq!(
            got,
            [
                ("name", Value::Text("Ada")),
                ("age", Value::Number("36")),
                ("", Value::Bytes(&[1, 2])),
            ]
        );
        assert_eq!(format!("{item:?}").matches("index").count(), 3);
    }

    #[test]
    fn slices_outside_their_buffer_are_errors() {
        let text = "aé";
        for (f, message) in [
            (
                field(at(0, 9), Scalar::Null),
                "field 0: its path (at byte 0, 9 bytes long) is not within the batch's 3 bytes \
                 of text, on character boundaries",
            ),
            (
                field(at(0, 2), Scalar::Null),
                "field 0: its path (at byte 0, 2 bytes long)",
            ),
            (
                field(at(0, 1), Scalar::Text(at(2, 1))),
                "field 0: its string (at byte 2, 1 bytes long)",
            ),
            (
                field(at(0, 1), Scalar::Number(at(u32::MAX, u32::MAX))),
                "field 0: its number (at byte 4294967295, 4294967295 bytes long)",
            ),
            (
                field(at(0, 1), Scalar::Bytes(at(1, 1))),
                "field 0: its byte value (at byte 1, 1 bytes long) is not within the batch's \
                 1 bytes of byte values",
            ),
        ] {
            let err = Item::new(text, &[7], std::slice::from_ref(&f)).unwrap_err();
            assert!(err.starts_with(message), "{err}");
        }
        let fine = [field(at(0, 3), Scalar::Boolean(true))];
        assert!(Item::new(text, &[], &fine).is_ok());
    }
}
