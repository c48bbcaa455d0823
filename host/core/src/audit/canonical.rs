//! Canonical JSON: one text per JSON value, for hashing and signing.

use serde_json::Value;

/// The canonical text of a JSON value: object keys sorted (by their UTF-8
/// bytes), no whitespace, strings escaped as `serde_json` escapes them and
/// numbers written as `serde_json` writes them.
///
/// Two equal values always give the same text, whatever order their keys
/// were inserted in (this crate builds `serde_json` with `preserve_order`,
/// so plain serialization would not). Hashes and signatures are computed
/// over this text, so a record read back from the store verifies even if
/// the store reordered its keys.
///
/// ```
/// use lethe_core::audit::canonical_json;
/// use serde_json::json;
///
/// let a = json!({"b": [1, {"d": null, "c": "x"}], "a": true});
/// assert_eq!(canonical_json(&a), r#"{"a":true,"b":[1,{"c":"x","d":null}]}"#);
/// ```
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(key, out);
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

fn string(s: &str, out: &mut String) {
    // Serializing a `str` cannot fail; the fallback is never taken.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn key_order_does_not_matter_and_text_is_exact() {
        let a: Value =
            serde_json::from_str(r#"{"z":1,"a":{"y":"é\n","x":[true,null,1.5]}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"x":[true,null,1.5],"y":"é\n"},"z":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"x":[true,null,1.5],"y":"é\n"},"z":1}"#
        );
        assert_eq!(canonical_json(&json!("a\"b")), r#""a\"b""#);
        assert_eq!(canonical_json(&json!({})), "{}");
    }

    #[test]
    fn canonical_text_parses_back_to_the_same_value() {
        let v = json!({"n": -0.25, "big": u64::MAX, "s": "\u{1}", "l": [[], {}]});
        let back: Value = serde_json::from_str(&canonical_json(&v)).unwrap();
        assert_eq!(back, v);
    }
}
