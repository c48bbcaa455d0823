//! Flat items: an item as a list of (path, leaf) pairs, and back.
//!
//! [`flatten`] walks a JSON value depth-first, in the order its objects
//! iterate, and records every leaf: each scalar, and each *empty* object or
//! array (which has no scalar inside it but must survive the round trip).
//! [`unflatten`] rebuilds the value, and refuses a list that does not
//! describe exactly one value: a path given twice, a leaf inside another
//! leaf, a key where an array position is expected, or an array with a gap.
//!
//! For every JSON value `v`, `unflatten(&flatten(&v)) == Ok(v)`.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::error::Error;
use crate::item::{Path, Scalar, Segment};

/// One leaf of a flat item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Leaf {
    /// A scalar value: what plugins see.
    Scalar(Scalar),
    /// An empty object `{}`. Kept so that items round-trip; never sent to
    /// plugins, since it holds nothing to classify.
    EmptyObject,
    /// An empty array `[]`. Kept so that items round-trip; never sent to
    /// plugins.
    EmptyArray,
}

/// An item as the plugin contract carries it: its leaves and their paths.
///
/// Build one with [`flatten`]; turn it back into JSON with [`unflatten`].
/// The leaves are in document order. A hand-built list may be inconsistent;
/// `unflatten` says where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlatItem {
    /// Every leaf with its path, in document order.
    pub leaves: Vec<(Path, Leaf)>,
}

impl FlatItem {
    /// The number of leaves, empty containers included.
    pub fn len(&self) -> usize {
        self.leaves.len()
    }

    /// Whether there are no leaves at all (which no JSON value flattens to).
    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    /// Every leaf with its path.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &Leaf)> {
        self.leaves.iter().map(|(p, l)| (p, l))
    }

    /// The scalar leaves: exactly what a plugin is given.
    pub fn scalars(&self) -> impl Iterator<Item = (&Path, &Scalar)> {
        self.leaves.iter().filter_map(|(p, l)| match l {
            Leaf::Scalar(s) => Some((p, s)),
            Leaf::EmptyObject | Leaf::EmptyArray => None,
        })
    }

    /// The leaf at `path`, if there is one. A linear scan.
    pub fn get(&self, path: &Path) -> Option<&Leaf> {
        self.leaves.iter().find(|(p, _)| p == path).map(|(_, l)| l)
    }

    /// The scalar at `path`, if there is one.
    pub fn scalar(&self, path: &Path) -> Option<&Scalar> {
        match self.get(path)? {
            Leaf::Scalar(s) => Some(s),
            Leaf::EmptyObject | Leaf::EmptyArray => None,
        }
    }
}

/// Flattens a JSON value into its leaves.
///
/// A scalar at the root is one leaf with the root path; `{}` and `[]` are
/// leaves too (see [`Leaf`]). Never fails.
pub fn flatten(value: &Value) -> FlatItem {
    let mut leaves = Vec::new();
    walk(value, &mut Path::root(), &mut leaves);
    FlatItem { leaves }
}

fn walk(value: &Value, path: &mut Path, out: &mut Vec<(Path, Leaf)>) {
    let leaf = match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                path.0.push(Segment::Key(key.clone()));
                walk(child, path, out);
                path.0.pop();
            }
            return;
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, child) in items.iter().enumerate() {
                path.0.push(Segment::Index(i));
                walk(child, path, out);
                path.0.pop();
            }
            return;
        }
        Value::Object(_) => Leaf::EmptyObject,
        Value::Array(_) => Leaf::EmptyArray,
        Value::Null => Leaf::Scalar(Scalar::Null),
        Value::Bool(b) => Leaf::Scalar(Scalar::Bool(*b)),
        Value::Number(n) => Leaf::Scalar(Scalar::Number(n.to_string())),
        Value::String(s) => Leaf::Scalar(Scalar::Text(s.clone())),
    };
    out.push((path.clone(), leaf));
}

/// Rebuilds the JSON value a flat item describes.
///
/// Leaf order does not matter, except that objects are built in the order
/// their keys first appear (which only shows with `serde_json`'s
/// `preserve_order` feature).
///
/// # Errors
///
/// - [`Error::EmptyItem`] for a list with no leaves;
/// - [`Error::ConflictingPaths`] for a path given twice, a leaf below another
///   leaf, or a key and a position under the same container;
/// - [`Error::ArrayGap`] for array positions that skip a number;
/// - [`Error::BytesInJson`] for a [`Scalar::Bytes`] leaf (JSON has no
///   binary type);
/// - [`Error::InvalidNumber`] for number text that is not a JSON number.
pub fn unflatten(item: &FlatItem) -> Result<Value, Error> {
    let mut root = Node::Vacant;
    for (path, leaf) in &item.leaves {
        let value = match leaf {
            Leaf::Scalar(s) => s.to_json(path)?,
            Leaf::EmptyObject => Value::Object(Map::new()),
            Leaf::EmptyArray => Value::Array(Vec::new()),
        };
        insert(&mut root, path, value)?;
    }
    build(root, &mut Path::root())
}

/// A value under construction.
enum Node {
    /// Not filled yet: only the root of an empty list stays so.
    Vacant,
    /// A leaf, placed as given.
    Done(Value),
    /// An object, its keys in order of first appearance.
    Object {
        index: HashMap<String, usize>,
        entries: Vec<(String, Node)>,
    },
    /// An array, whose positions may still have gaps.
    Array(BTreeMap<usize, Node>),
}

fn insert(root: &mut Node, path: &Path, value: Value) -> Result<(), Error> {
    let conflict = |depth: usize| Error::ConflictingPaths {
        path: Path(path.0[..depth].to_vec()),
    };
    let mut node = root;
    for (depth, segment) in path.0.iter().enumerate() {
        if let Node::Vacant = node {
            *node = match segment {
                Segment::Key(_) => Node::Object {
                    index: HashMap::new(),
                    entries: Vec::new(),
                },
                Segment::Index(_) => Node::Array(BTreeMap::new()),
            };
        }
        node = match (node, segment) {
            (Node::Object { index, entries }, Segment::Key(key)) => {
                let i = *index.entry(key.clone()).or_insert_with(|| {
                    entries.push((key.clone(), Node::Vacant));
                    entries.len() - 1
                });
                &mut entries[i].1
            }
            (Node::Array(items), Segment::Index(i)) => items.entry(*i).or_insert(Node::Vacant),
            _ => return Err(conflict(depth)),
        };
    }
    match node {
        Node::Vacant => {
            *node = Node::Done(value);
            Ok(())
        }
        _ => Err(conflict(path.0.len())),
    }
}

fn build(node: Node, path: &mut Path) -> Result<Value, Error> {
    Ok(match node {
        Node::Vacant => return Err(Error::EmptyItem),
        Node::Done(value) => value,
        Node::Object { entries, .. } => {
            let mut map = Map::new();
            for (key, child) in entries {
                path.0.push(Segment::Key(key.clone()));
                let value = build(child, path)?;
                path.0.pop();
                map.insert(key, value);
            }
            Value::Object(map)
        }
        Node::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            for (expected, (i, child)) in items.into_iter().enumerate() {
                if i != expected {
                    return Err(Error::ArrayGap {
                        path: path.clone(),
                        index: expected,
                    });
                }
                path.0.push(Segment::Index(i));
                values.push(build(child, path)?);
                path.0.pop();
            }
            Value::Array(values)
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn p(text: &str) -> Path {
        text.parse().unwrap()
    }

    fn text(s: &str) -> Leaf {
        Leaf::Scalar(Scalar::Text(s.into()))
    }

    fn round_trip(v: Value) {
        assert_eq!(unflatten(&flatten(&v)).unwrap(), v);
    }

    #[test]
    fn flattens_nested_values_in_document_order() {
        let v = json!({
            "address": {"street": "Main St 1"},
            "lines": [{"sku": "A1", "qty": 2}],
            "tags": ["x", null, true],
        });
        let flat = flatten(&v);
        let paths: Vec<String> = flat.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(
            paths,
            [
                "address.street",
                "lines[0].sku",
                "lines[0].qty",
                "tags[0]",
                "tags[1]",
                "tags[2]"
            ]
        );
        assert_eq!(flat.len(), 6);
        assert_eq!(flat.get(&p("lines[0].sku")), Some(&text("A1")));
        assert_eq!(
            flat.scalar(&p("lines[0].qty")),
            Some(&Scalar::Number("2".into()))
        );
        assert_eq!(flat.get(&p("lines[0]")), None);
        round_trip(v);
    }

    #[test]
    fn scalars_at_the_root() {
        for v in [json!(null), json!(false), json!(7), json!("hi")] {
            let flat = flatten(&v);
            assert_eq!(flat.len(), 1);
            assert!(flat.leaves[0].0.is_root());
            round_trip(v);
        }
    }

    #[test]
    fn empty_containers_are_leaves_but_not_scalars() {
        let v = json!({"a": {}, "b": [], "c": [[], {}], "d": 1});
        let flat = flatten(&v);
        assert_eq!(flat.len(), 5);
        assert_eq!(flat.get(&p("a")), Some(&Leaf::EmptyObject));
        assert_eq!(flat.get(&p("c[0]")), Some(&Leaf::EmptyArray));
        let scalars: Vec<_> = flat.scalars().map(|(p, _)| p.to_string()).collect();
        assert_eq!(scalars, ["d"]);
        assert_eq!(flat.scalar(&p("a")), None);
        round_trip(v);
        round_trip(json!({}));
        round_trip(json!([]));
    }

    #[test]
    fn weird_keys_round_trip() {
        round_trip(json!({"": 1, "a.b": {"[0]": 2}, "x\"y": [3], "名前": "n", "a b": null}));
        let flat = flatten(&json!({"a.b": 1}));
        assert_eq!(flat.leaves[0].0, Path::root().key("a.b"));
    }

    #[test]
    fn leaf_order_does_not_matter() {
        let flat = FlatItem {
            leaves: vec![
                (p("a[1]"), text("y")),
                (p("b"), Leaf::EmptyArray),
                (p("a[0]"), text("x")),
            ],
        };
        assert_eq!(unflatten(&flat).unwrap(), json!({"a": ["x", "y"], "b": []}));
    }

    fn err(leaves: Vec<(Path, Leaf)>) -> Error {
        unflatten(&FlatItem { leaves }).unwrap_err()
    }

    #[test]
    fn conflicting_paths_are_errors() {
        let conflict = |s: &str| Error::ConflictingPaths { path: p(s) };
        assert_eq!(
            err(vec![(p("a"), text("1")), (p("a"), text("2"))]),
            conflict("a")
        );
        assert_eq!(
            err(vec![(p("a"), text("1")), (p("a.b"), text("2"))]),
            conflict("a")
        );
        assert_eq!(
            err(vec![(p("a.b"), text("1")), (p("a"), text("2"))]),
            conflict("a")
        );
        assert_eq!(
            err(vec![(p("a.b"), text("1")), (p("a[0]"), text("2"))]),
            conflict("a")
        );
        assert_eq!(
            err(vec![(p("a"), Leaf::EmptyObject), (p("a.b"), text("2"))]),
            conflict("a")
        );
        assert_eq!(
            err(vec![(p("x"), text("1")), (Path::root(), text("2"))]),
            conflict("")
        );
        assert_eq!(
            err(vec![(Path::root(), text("1")), (p("[0]"), text("2"))]),
            conflict("")
        );
    }

    #[test]
    fn gaps_and_empty_lists_are_errors() {
        assert_eq!(
            err(vec![(p("a[0]"), text("1")), (p("a[2]"), text("2"))]),
            Error::ArrayGap {
                path: p("a"),
                index: 1
            }
        );
        assert_eq!(
            err(vec![(p("x.y[1]"), text("1"))]),
            Error::ArrayGap {
                path: p("x.y"),
                index: 0
            }
        );
        assert_eq!(err(vec![]), Error::EmptyItem);
    }

    #[test]
    fn bytes_and_bad_numbers_are_errors() {
        assert_eq!(
            err(vec![(p("blob"), Leaf::Scalar(Scalar::Bytes(vec![0])))]),
            Error::BytesInJson { path: p("blob") }
        );
        assert_eq!(
            err(vec![(p("n"), Leaf::Scalar(Scalar::Number("1,5".into())))]),
            Error::InvalidNumber { path: p("n") }
        );
    }
}
