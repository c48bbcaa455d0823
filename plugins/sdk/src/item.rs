//! What a field map sees: an [`Item`] (one flattened record) as a list of
//! [`Field`]s, and what it answers: [`Mark`]s.

use crate::Category;
use crate::Value;
use crate::types::Field as WitField;

/// One flattened item, as a field map is given it: its scalar fields in
/// document order, each a path and a value.
///
/// Paths join object keys with `.` and array positions with `[n]`
/// (`address.street`, `tags[1]`, `lines[0].sku`); a key that is not a plain
/// identifier is quoted (`["first name"]`, `meta["a.b"]`). Empty objects and
/// arrays are not fields: the host keeps them to itself.
///
/// ```
/// use lethe_plugin_sdk::{Category, Value, testing};
///
/// let fields = testing::fields(&[
///     ("email", Value::Text("ada@example.com")),
///     ("address.city", Value::Text("Lund")),
///     ("tags[0]", Value::Text("vip")),
/// ]);
/// let item = lethe_plugin_sdk::Item::new(&fields);
/// assert_eq!(item.len(), 3);
/// assert_eq!(item.text("address.city"), Some("Lund"));
/// let city = item.get("address.city").unwrap();
/// assert_eq!((city.index(), city.key()), (1, "city"));
/// assert_eq!(item.get("tags[0]").unwrap().key(), "tags");
/// assert_eq!(item.mark("email", Category::Email).unwrap().index, 0);
/// assert!(item.mark("phone", Category::Phone).is_none());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Item<'a> {
    fields: &'a [WitField],
}

impl<'a> Item<'a> {
    /// A view of `fields`, the contract's flattened form of an item.
    pub fn new(fields: &'a [WitField]) -> Self {
        Item { fields }
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
        self.fields
            .iter()
            .enumerate()
            .map(|(index, f)| Field::new(index, f))
    }

    /// The field at `index` (its position in [`fields`](Item::fields)).
    pub fn field(&self, index: usize) -> Option<Field<'a>> {
        self.fields.get(index).map(|f| Field::new(index, f))
    }

    /// The field with exactly this path, if the item has it.
    pub fn get(&self, path: &str) -> Option<Field<'a>> {
        self.fields().find(|f| f.path() == path)
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

/// One scalar field of an [`Item`]: its position, path and value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field<'a> {
    index: usize,
    path: &'a str,
    value: Value<'a>,
}

impl<'a> Field<'a> {
    fn new(index: usize, field: &'a WitField) -> Self {
        Field {
            index,
            path: &field.path,
            value: crate::standard::view(&field.value),
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
    use super::last_key;

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
}
