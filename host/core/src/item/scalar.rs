//! Scalars: the values at the leaves of an item.
//!
//! The plugin contract carries every leaf as a [`Scalar`], mirroring the WIT
//! variant `lethe:plugin/types.scalar`. Numbers travel as their decimal text
//! so that no precision is lost between the store, the host and a plugin.
//! `Bytes` exists for stores with binary attributes (DynamoDB `B`); JSON has
//! no binary type, so converting a `Bytes` scalar to JSON is an error rather
//! than a silent encoding choice.

use serde_json::{Number, Value};

use crate::error::Error;
use crate::item::Path;

/// One scalar value of a flattened item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// JSON `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, as its exact decimal text (`12`, `-0.5`, `1e300`).
    Number(String),
    /// A string.
    Text(String),
    /// Raw bytes, for stores with binary attributes. JSON has no binary
    /// type, so [`to_json`](Scalar::to_json) refuses them rather than pick
    /// an encoding silently.
    Bytes(Vec<u8>),
}

impl Scalar {
    /// The scalar of a JSON value, or `None` for an object or array.
    ///
    /// Numbers keep `serde_json`'s text for them, which parses back to the
    /// same number.
    pub fn from_json(value: &Value) -> Option<Scalar> {
        Some(match value {
            Value::Null => Scalar::Null,
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Number(n) => Scalar::Number(n.to_string()),
            Value::String(s) => Scalar::Text(s.clone()),
            Value::Array(_) | Value::Object(_) => return None,
        })
    }

    /// The text, if this is [`Scalar::Text`].
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Scalar::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The JSON value of this scalar, found at `path` (which is only used to
    /// say where an error is).
    ///
    /// # Errors
    ///
    /// [`Error::BytesInJson`] for [`Scalar::Bytes`], and
    /// [`Error::InvalidNumber`] for number text that is not a finite JSON
    /// number.
    pub fn to_json(&self, path: &Path) -> Result<Value, Error> {
        Ok(match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::Number(text) => Value::Number(
                parse_number(text).ok_or_else(|| Error::InvalidNumber { path: path.clone() })?,
            ),
            Scalar::Text(s) => Value::String(s.clone()),
            Scalar::Bytes(_) => return Err(Error::BytesInJson { path: path.clone() }),
        })
    }
}

/// Parses JSON number text into the `Number` whose text it is.
///
/// `serde_json`'s own parser checks the grammar. Without its
/// `float_roundtrip` feature it may round a float one unit off, so a float
/// whose text did not come back unchanged is parsed again with the standard
/// library's correctly rounded parser.
fn parse_number(text: &str) -> Option<Number> {
    let number: Number = text.parse().ok()?;
    if number.is_f64() && number.to_string() != text {
        return Number::from_f64(text.parse().ok()?);
    }
    Some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn back(s: Scalar) -> Result<Value, Error> {
        s.to_json(&Path::root().key("x"))
    }

    #[test]
    fn json_scalars_round_trip() {
        for v in [
            Value::Null,
            Value::Bool(true),
            Value::from(-12),
            Value::from(u64::MAX),
            Value::from(i64::MIN),
            Value::from(0.1),
            Value::from(-0.0),
            Value::from(1e300),
            Value::from(5e-324),
            Value::from("text"),
        ] {
            let s = Scalar::from_json(&v).unwrap();
            assert_eq!(back(s).unwrap(), v);
        }
        assert_eq!(Scalar::from_json(&serde_json::json!([])), None);
        assert_eq!(Scalar::from_json(&serde_json::json!({})), None);
    }

    #[test]
    fn number_text_is_exact_and_checked() {
        assert_eq!(
            Scalar::from_json(&serde_json::json!(1.5)),
            Some(Scalar::Number("1.5".into()))
        );
        assert_eq!(
            back(Scalar::Number("1.50".into())).unwrap(),
            Value::from(1.5)
        );
        assert_eq!(
            back(Scalar::Number("1e3".into())).unwrap(),
            Value::from(1000.0)
        );
        for bad in [
            "", "abc", "NaN", "inf", "1e999", "01", "+1", ".5", "1.", "1 ",
        ] {
            assert_eq!(
                back(Scalar::Number(bad.into())),
                Err(Error::InvalidNumber {
                    path: Path::root().key("x")
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn bytes_have_no_json_form() {
        let err = back(Scalar::Bytes(vec![1, 2])).unwrap_err();
        assert_eq!(
            err,
            Error::BytesInJson {
                path: Path::root().key("x")
            }
        );
    }

    #[test]
    fn as_text() {
        assert_eq!(Scalar::Text("a".into()).as_text(), Some("a"));
        assert_eq!(Scalar::Number("1".into()).as_text(), None);
    }
}
