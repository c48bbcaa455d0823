//! Expressions: the condition and key-condition strings of DynamoDB calls,
//! with their `#name` and `:value` placeholders.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use lethe_core::ports::{Condition, KeyRange};

use super::codec::{PK, VERSION, n, s};

/// Names and values of one expression, added as they are used (DynamoDB
/// refuses unused ones).
#[derive(Default)]
pub(super) struct Expr {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    /// Uses `placeholder` (`#…`) for the attribute name `attribute`.
    pub(super) fn name(&mut self, placeholder: &str, attribute: &str) -> String {
        self.names
            .insert(placeholder.to_owned(), attribute.to_owned());
        placeholder.to_owned()
    }

    /// Uses `placeholder` (`:…`) for the value `v`.
    pub(super) fn value(&mut self, placeholder: &str, v: AttributeValue) -> String {
        self.values.insert(placeholder.to_owned(), v);
        placeholder.to_owned()
    }

    /// The condition expression for `condition`, if any.
    pub(super) fn condition(&mut self, condition: Condition) -> Option<String> {
        match condition {
            Condition::None => None,
            Condition::Absent => Some(format!("attribute_not_exists({})", self.name("#pk", PK))),
            Condition::Exists => Some(format!("attribute_exists({})", self.name("#pk", PK))),
            Condition::Version(v) => Some(format!(
                "{} = {}",
                self.name("#v", VERSION),
                self.value(":expected", n(v))
            )),
        }
    }

    /// The names used, for `ExpressionAttributeNames` (none if empty).
    pub(super) fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    /// The values used, for `ExpressionAttributeValues` (none if empty).
    pub(super) fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// The key condition for a query of partition `pk` over `range`, or `None`
/// when the range can hold no sort key (DynamoDB would refuse it: an
/// empty bound, or `BETWEEN` with bounds out of order).
pub(super) fn key_condition(
    expr: &mut Expr,
    pk_attr: &str,
    sk_attr: &str,
    pk: &str,
    range: &KeyRange,
) -> Option<String> {
    let part = format!("{} = {}", expr.name("#p", pk_attr), expr.value(":p", s(pk)));
    let normalized;
    let range = match range {
        KeyRange::Prefix(p) if p.is_empty() => &KeyRange::All,
        KeyRange::Between(from, to) if from.is_empty() => {
            normalized = KeyRange::AtMost(to.clone());
            &normalized
        }
        other => other,
    };
    let sort = match range {
        KeyRange::All => return Some(part),
        KeyRange::Prefix(p) => format!(
            "begins_with({}, {})",
            expr.name("#s", sk_attr),
            expr.value(":a", s(p))
        ),
        KeyRange::Between(from, to) => {
            if from > to {
                return None;
            }
            format!(
                "{} BETWEEN {} AND {}",
                expr.name("#s", sk_attr),
                expr.value(":a", s(from)),
                expr.value(":b", s(to))
            )
        }
        KeyRange::AtMost(to) => {
            if to.is_empty() {
                return None;
            }
            format!(
                "{} <= {}",
                expr.name("#s", sk_attr),
                expr.value(":b", s(to))
            )
        }
    };
    Some(format!("{part} AND {sort}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::codec::SK;

    #[test]
    fn key_conditions_use_only_what_they_name() {
        let cases = [
            (KeyRange::All, Some("#p = :p"), 1, 1),
            (KeyRange::Prefix(String::new()), Some("#p = :p"), 1, 1),
            (
                KeyRange::Prefix("a#".into()),
                Some("#p = :p AND begins_with(#s, :a)"),
                2,
                2,
            ),
            (
                KeyRange::Between("a".into(), "b".into()),
                Some("#p = :p AND #s BETWEEN :a AND :b"),
                2,
                3,
            ),
            (
                KeyRange::Between(String::new(), "b".into()),
                Some("#p = :p AND #s <= :b"),
                2,
                2,
            ),
            (KeyRange::Between("b".into(), "a".into()), None, 0, 0),
            (
                KeyRange::AtMost("b".into()),
                Some("#p = :p AND #s <= :b"),
                2,
                2,
            ),
            (KeyRange::AtMost(String::new()), None, 0, 0),
        ];
        for (range, want, names, values) in cases {
            let mut expr = Expr::default();
            let got = key_condition(&mut expr, PK, SK, "p", &range);
            assert_eq!(got.as_deref(), want, "{range:?}");
            if want.is_some() {
                assert_eq!(expr.names.len(), names, "{range:?}");
                assert_eq!(expr.values.len(), values, "{range:?}");
            }
        }
    }

    #[test]
    fn conditions_map_to_expressions() {
        let mut e = Expr::default();
        assert_eq!(e.condition(Condition::None), None);
        assert!(e.names().is_none() && e.values().is_none());
        assert_eq!(
            e.condition(Condition::Absent).as_deref(),
            Some("attribute_not_exists(#pk)")
        );
        let mut e = Expr::default();
        assert_eq!(
            e.condition(Condition::Exists).as_deref(),
            Some("attribute_exists(#pk)")
        );
        let mut e = Expr::default();
        assert_eq!(
            e.condition(Condition::Version(4)).as_deref(),
            Some("#v = :expected")
        );
        assert_eq!(e.values().expect("a value").len(), 1);
    }
}
