//! The item shape in DynamoDB, the limits checked before a call, and the
//! query cursor.
//!
//! | attribute | type | holds |
//! |-----------|------|-------|
//! | `pk`, `sk` | S | the table's key ([`RecordKey`]) |
//! | `body` | M | the record's JSON body, converted with serde_dynamo |
//! | `version` | N | bumped by every write, checked by `Condition::Version` |
//! | `gsi1pk`, `gsi1sk` | S | the sparse index key (GSI `gsi1`); absent when `Record::index` is `None` |
//! | `expires_at` | N | the TTL attribute (unix seconds) |
//! | `wid` | B | the id of the write that made this version (16 random bytes; see `write_id`) |

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use lethe_core::ports::{PortError, Record, RecordKey};
use serde::Serialize;
use serde_json::Value;

/// The port name used in errors.
pub(crate) const PORT: &str = "item store";

/// Partition key attribute.
pub(crate) const PK: &str = "pk";
/// Sort key attribute.
pub(crate) const SK: &str = "sk";
/// The body attribute (a map).
pub(crate) const BODY: &str = "body";
/// The version attribute.
pub(crate) const VERSION: &str = "version";
/// Index partition key attribute.
pub(crate) const GSI1PK: &str = "gsi1pk";
/// Index sort key attribute.
pub(crate) const GSI1SK: &str = "gsi1sk";
/// The TTL attribute.
pub(crate) const EXPIRES_AT: &str = "expires_at";
/// The write id attribute: which write made this version.
pub(crate) const WRITE_ID: &str = "wid";
/// The sparse index's name.
pub(crate) const GSI1: &str = "gsi1";

/// Longest partition key, in bytes (DynamoDB's limit; the local store's).
pub(crate) const MAX_PK_BYTES: usize = 2048;
/// Longest sort key, in bytes (DynamoDB's limit; the local store's).
pub(crate) const MAX_SK_BYTES: usize = 1024;
/// Largest record, in bytes, counted as the local store counts it (its
/// JSON encoding plus the key), which is never less than DynamoDB's own
/// count of the item: what the local store refuses, this refuses too, and
/// DynamoDB never refuses what passes for size.
pub(crate) const MAX_RECORD_BYTES: usize = 400 * 1024;
/// Most records one query page returns, whatever the caller asks.
pub(crate) const MAX_PAGE: usize = 1000;

/// Checks a key: non-empty parts within DynamoDB's lengths.
pub(crate) fn check_key(key: &RecordKey, what: &str) -> Result<(), PortError> {
    if key.pk.is_empty() || key.sk.is_empty() {
        return Err(PortError::invalid(
            PORT,
            format!("the {what} has an empty part"),
        ));
    }
    if key.pk.len() > MAX_PK_BYTES {
        return Err(PortError::invalid(
            PORT,
            format!("the {what}'s partition key is longer than {MAX_PK_BYTES} bytes"),
        ));
    }
    if key.sk.len() > MAX_SK_BYTES {
        return Err(PortError::invalid(
            PORT,
            format!("the {what}'s sort key is longer than {MAX_SK_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// The record as the local store encodes it, for the same size rule.
#[derive(Serialize)]
struct SizeProbe<'a> {
    v: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    i: Option<(&'a str, &'a str)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    e: Option<i64>,
    b: &'a Value,
}

/// Checks a record before it is written: its keys, a body that is a JSON
/// object, and the size limit (counted as the local store counts it).
pub(crate) fn check_record(record: &Record) -> Result<(), PortError> {
    check_key(&record.key, "record key")?;
    if let Some(index) = &record.index {
        check_key(index, "index key")?;
    }
    if !record.body.is_object() {
        return Err(PortError::invalid(
            PORT,
            "the record body is not a JSON object",
        ));
    }
    check_shape(&record.body, 1)?;
    let probe = SizeProbe {
        v: 1,
        i: record
            .index
            .as_ref()
            .map(|i| (i.pk.as_str(), i.sk.as_str())),
        e: record.expires_at,
        b: &record.body,
    };
    let len = serde_json::to_vec(&probe)
        .map_err(|_| PortError::invalid(PORT, "the record body cannot be encoded"))?
        .len();
    if len + record.key.pk.len() + record.key.sk.len() > MAX_RECORD_BYTES {
        return Err(PortError::invalid(
            PORT,
            format!("the record is larger than {MAX_RECORD_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// Deepest nesting DynamoDB stores (the body map itself is level 1).
pub(crate) const MAX_DEPTH: usize = 32;
/// Magnitudes from this one up are beyond DynamoDB's numbers (whose
/// largest is 9.99…9E+125).
const MAX_NUMBER: f64 = 1e126;
/// Smallest non-zero magnitude of a DynamoDB number.
const MIN_NUMBER: f64 = 1e-130;

/// Checks what DynamoDB refuses inside a body, so that every backend of
/// this adapter (DynamoDB itself, emulators that do not check) refuses
/// it alike: nesting deeper than [`MAX_DEPTH`], an empty attribute name,
/// a number outside DynamoDB's range.
fn check_shape(value: &Value, depth: usize) -> Result<(), PortError> {
    let refuse = |why: &str| Err(PortError::invalid(PORT, format!("the record body {why}")));
    match value {
        Value::Object(map) => {
            if depth > MAX_DEPTH {
                return refuse("is nested deeper than DynamoDB allows (32 levels)");
            }
            for (name, v) in map {
                if name.is_empty() {
                    return refuse("has an empty attribute name");
                }
                check_shape(v, depth + 1)?;
            }
        }
        Value::Array(items) => {
            if depth > MAX_DEPTH {
                return refuse("is nested deeper than DynamoDB allows (32 levels)");
            }
            for v in items {
                check_shape(v, depth + 1)?;
            }
        }
        Value::Number(number) => {
            if let Some(f) = number.as_f64().filter(|_| number.is_f64()) {
                let m = f.abs();
                if m >= MAX_NUMBER || (m != 0.0 && m < MIN_NUMBER) {
                    return refuse("has a number outside DynamoDB's range");
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
    Ok(())
}

/// The page size to ask for: `limit` capped at [`MAX_PAGE`]; 0 is refused
/// (it would page forever), as the local store does.
pub(crate) fn page_size(limit: usize) -> Result<usize, PortError> {
    if limit == 0 {
        return Err(PortError::invalid(PORT, "a query limit must be at least 1"));
    }
    Ok(limit.min(MAX_PAGE))
}

/// A string attribute.
pub(crate) fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

/// A number attribute.
pub(crate) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// The table key of a record.
pub(crate) fn key_map(key: &RecordKey) -> HashMap<String, AttributeValue> {
    HashMap::from([(PK.to_owned(), s(&key.pk)), (SK.to_owned(), s(&key.sk))])
}

/// The body as a DynamoDB map.
pub(crate) fn body_value(body: &Value) -> Result<AttributeValue, PortError> {
    serde_dynamo::to_attribute_value(body)
        .map_err(|_| PortError::invalid(PORT, "the record body cannot be converted"))
}

fn corrupt(what: &str) -> PortError {
    PortError::unavailable(PORT, format!("a stored item is malformed ({what})"))
}

fn get_s<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v),
        _ => None,
    }
}

fn get_n<T: std::str::FromStr>(
    item: &HashMap<String, AttributeValue>,
    name: &str,
) -> Result<Option<T>, PortError> {
    match item.get(name) {
        None => Ok(None),
        Some(AttributeValue::N(v)) => v.parse().map(Some).map_err(|_| corrupt(name)),
        Some(_) => Err(corrupt(name)),
    }
}

/// The version a write answered with (`ReturnValues: UPDATED_NEW`).
pub(crate) fn version_of(item: Option<&HashMap<String, AttributeValue>>) -> Result<u64, PortError> {
    item.and_then(|i| get_n::<u64>(i, VERSION).transpose())
        .unwrap_or_else(|| Err(corrupt(VERSION)))
}

/// The record an item holds. An item this adapter did not write (no
/// body or version) reads as malformed.
pub(crate) fn record_of(item: HashMap<String, AttributeValue>) -> Result<Record, PortError> {
    let pk = get_s(&item, PK).ok_or_else(|| corrupt(PK))?.to_owned();
    let sk = get_s(&item, SK).ok_or_else(|| corrupt(SK))?.to_owned();
    let version = get_n::<u64>(&item, VERSION)?.ok_or_else(|| corrupt(VERSION))?;
    let expires_at = get_n::<i64>(&item, EXPIRES_AT)?;
    let index = match (get_s(&item, GSI1PK), get_s(&item, GSI1SK)) {
        (Some(ipk), Some(isk)) => Some(RecordKey::new(ipk, isk)),
        _ => None,
    };
    let body = match item.get(BODY) {
        Some(v @ AttributeValue::M(_)) => {
            serde_dynamo::from_attribute_value::<_, Value>(v.clone()).map_err(|_| corrupt(BODY))?
        }
        _ => return Err(corrupt(BODY)),
    };
    Ok(Record {
        key: RecordKey { pk, sk },
        version,
        body,
        index,
        expires_at,
    })
}

/// Where a page ended: the key attributes DynamoDB would call its
/// `LastEvaluatedKey`, for the base table or the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cursor {
    /// After this record, in a base-table query.
    Base {
        /// The record's key.
        key: RecordKey,
    },
    /// After this record, in an index query.
    Index {
        /// The record's index key.
        index: RecordKey,
        /// The record's table key.
        key: RecordKey,
    },
}

fn bad_cursor() -> PortError {
    PortError::invalid(PORT, "the cursor is not one this store returned")
}

impl Cursor {
    /// The cursor after `record` in a query of the base table (`index:
    /// false`) or of the index.
    pub(crate) fn after(record: &Record, index: bool) -> Result<Cursor, PortError> {
        if index {
            Ok(Cursor::Index {
                index: record.index.clone().ok_or_else(|| corrupt(GSI1PK))?,
                key: record.key.clone(),
            })
        } else {
            Ok(Cursor::Base {
                key: record.key.clone(),
            })
        }
    }

    /// The `ExclusiveStartKey` to continue from.
    pub(crate) fn start_key(&self) -> HashMap<String, AttributeValue> {
        match self {
            Cursor::Base { key } => key_map(key),
            Cursor::Index { index, key } => {
                let mut m = key_map(key);
                m.insert(GSI1PK.to_owned(), s(&index.pk));
                m.insert(GSI1SK.to_owned(), s(&index.sk));
                m
            }
        }
    }

    /// Opaque text for the caller: hex of a JSON array.
    pub(crate) fn encode(&self) -> String {
        let parts: Vec<&str> = match self {
            Cursor::Base { key } => vec!["b", &key.pk, &key.sk],
            Cursor::Index { index, key } => vec!["i", &index.pk, &index.sk, &key.pk, &key.sk],
        };
        hex::encode(serde_json::to_vec(&parts).unwrap_or_default())
    }

    /// Decodes a cursor [`encode`](Self::encode) made for a query of
    /// partition `pk` (of the index when `index`); anything else is
    /// [`PortError::Invalid`].
    pub(crate) fn decode(text: &str, pk: &str, index: bool) -> Result<Cursor, PortError> {
        let bytes = hex::decode(text).map_err(|_| bad_cursor())?;
        let parts: Vec<String> = serde_json::from_slice(&bytes).map_err(|_| bad_cursor())?;
        let cursor = match (parts.as_slice(), index) {
            ([tag, p, s], false) if tag == "b" => Cursor::Base {
                key: RecordKey::new(p, s),
            },
            ([tag, ip, is, p, s], true) if tag == "i" => Cursor::Index {
                index: RecordKey::new(ip, is),
                key: RecordKey::new(p, s),
            },
            _ => return Err(bad_cursor()),
        };
        let (cursor_pk, parts_ok) = match &cursor {
            Cursor::Base { key } => (&key.pk, !key.sk.is_empty()),
            Cursor::Index { index, key } => (
                &index.pk,
                !index.sk.is_empty() && !key.pk.is_empty() && !key.sk.is_empty(),
            ),
        };
        if cursor_pk != pk || !parts_ok {
            return Err(bad_cursor());
        }
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record() -> Record {
        let mut r = Record::new(
            RecordKey::new("T#a#C#c-1", "profile#1"),
            json!({"name": "Ada", "n": 3, "f": 1.5, "neg": -7, "nested": {"list": [1, "two", null, true]}, "empty": {}, "s": ""}),
        )
        .indexed(RecordKey::new("T#a#IA#3", "2024-01-01#c-1"))
        .expiring(4_102_444_800);
        r.version = 7;
        r
    }

    fn item_of(r: &Record) -> HashMap<String, AttributeValue> {
        let mut item = key_map(&r.key);
        item.insert(BODY.into(), body_value(&r.body).expect("body"));
        item.insert(VERSION.into(), n(r.version));
        if let Some(i) = &r.index {
            item.insert(GSI1PK.into(), s(&i.pk));
            item.insert(GSI1SK.into(), s(&i.sk));
        }
        if let Some(e) = r.expires_at {
            item.insert(EXPIRES_AT.into(), n(e));
        }
        item
    }

    #[test]
    fn items_round_trip() {
        let r = record();
        assert_eq!(record_of(item_of(&r)).expect("decodes"), r);
        let plain = Record {
            version: 1,
            ..Record::new(RecordKey::new("p", "s"), json!({}))
        };
        assert_eq!(record_of(item_of(&plain)).expect("decodes"), plain);
    }

    #[test]
    fn malformed_items_name_no_values() {
        let mut item = item_of(&record());
        item.remove(VERSION);
        let err = record_of(item).expect_err("no version");
        let text = err.to_string();
        assert!(!text.contains("c-1") && !text.contains("Ada"), "{text}");
    }

    #[test]
    fn cursors_round_trip_and_refuse_others() {
        let base = Cursor::Base {
            key: RecordKey::new("p", "s#1"),
        };
        assert_eq!(
            Cursor::decode(&base.encode(), "p", false).expect("ok"),
            base
        );
        assert!(Cursor::decode(&base.encode(), "q", false).is_err());
        assert!(Cursor::decode(&base.encode(), "p", true).is_err());
        let ix = Cursor::Index {
            index: RecordKey::new("ip", "is"),
            key: RecordKey::new("p", "s"),
        };
        assert_eq!(Cursor::decode(&ix.encode(), "ip", true).expect("ok"), ix);
        assert_eq!(ix.start_key().len(), 4);
        for junk in ["", "not a cursor", "zz", &hex::encode("[1,2]")] {
            assert!(Cursor::decode(junk, "p", false).is_err(), "{junk}");
        }
    }

    #[test]
    fn limits_match_the_local_store() {
        let mut r = record();
        assert!(check_record(&r).is_ok());
        r.body = json!({"blob": "x".repeat(400 * 1024)});
        assert!(check_record(&r).is_err());
        r.body = json!([1]);
        assert!(check_record(&r).is_err());
        r.body = json!({});
        r.key.sk = String::new();
        assert!(check_record(&r).is_err());
        r.key.sk = "x".repeat(MAX_SK_BYTES + 1);
        assert!(check_record(&r).is_err());
        r.key.sk = "x".into();
        r.index = Some(RecordKey::new("", "a"));
        assert!(check_record(&r).is_err());
        r.index = None;
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH {
            deep = json!({ "d": deep });
        }
        r.body = deep.clone();
        assert!(check_record(&r).is_ok(), "32 levels with the body map");
        r.body = json!({ "d": deep });
        assert!(check_record(&r).is_err(), "33 levels");
        r.body = json!({"a": {"": 1}});
        assert!(check_record(&r).is_err());
        r.body = json!({"a": [1e200]});
        assert!(check_record(&r).is_err());
        r.body = json!({"a": 1e-200});
        assert!(check_record(&r).is_err());
        r.body = json!({"a": [0.0, 1e125, -1e-129, u64::MAX, i64::MIN]});
        assert!(check_record(&r).is_ok());
        assert!(page_size(0).is_err());
        assert_eq!(page_size(5000).expect("capped"), MAX_PAGE);
    }
}
