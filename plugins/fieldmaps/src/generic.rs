//! The generic field map: classifies any attribute of any kind by the
//! naming conventions of its key, with the value as a last resort.
//!
//! # How a path is read
//!
//! 1. The *leaf key* is the path's last key: `address.street` gives
//!    `street`; when the leaf is an array element, the array's key stands in
//!    for it (`emails[0]` gives `emails`, `tags[1]` gives `tags`).
//! 2. The leaf key is split into words (`emailAddress`, `email_address`,
//!    `Email-Address` and `EMAIL ADDRESS` all give `email`, `address`) and the
//!    words are classified by the rules of `rules.rs`.
//! 3. The *parent key* (the key before the leaf) then refines the result:
//!    it cancels a bare head (`product.name`, `line_items[0].name`,
//!    `company.phone` are not personal data), and it lends its category to a
//!    leaf that names only a part (`address.line1`, `name.first`,
//!    `card.last4`, `customer.id`, `emails[0].value`).
//! 4. A boolean is never personal data of these categories
//!    (`verified_email: true`), whatever its key.
//! 5. A key that says nothing, neither by itself nor through its parent,
//!    whose value is a text holding exactly an e-mail address (by the
//!    scanner's own rule, [`lethe_detectors::validate::email`], so a field
//!    and a text agree), or a mailbox `Jo Doe <jo@example.com>`, is `email`.
//!    Keys that say "not personal" (`support_email`) stay `none`.
//!
//! Keys of more than twelve words are not read (only the value fallback
//! applies). Nothing here allocates.

use lethe_detectors::Category;

use crate::Value;
use crate::path::last_two_keys;
use crate::rules::{self, Verdict};
use crate::words::Words;

/// Classifies one field by the generic rules.
///
/// `path` is the field's flattened path (`address.street`, `tags[1]`,
/// `["first name"]`); `value` is its scalar. Returns [`Category::None`] for
/// anything that is not recognised as personal data.
///
/// ```
/// use lethe_detectors::Category;
/// use lethe_fieldmaps::{Value, classify_generic};
///
/// assert_eq!(classify_generic("billing.firstName", Value::Text("Jo")), Category::Name);
/// assert_eq!(classify_generic("lines[0].product_name", Value::Null), Category::None);
/// assert_eq!(classify_generic("ref", Value::Text("jo@example.com")), Category::Email);
/// ```
pub fn classify_generic(path: &str, value: Value<'_>) -> Category {
    if let Value::Bool(_) = value {
        return Category::None;
    }
    match verdict(path) {
        Verdict::Pii(category) => category,
        Verdict::NotPii => Category::None,
        Verdict::Unknown => match value {
            Value::Text(text) if is_email(text) => Category::Email,
            _ => Category::None,
        },
    }
}

/// Whether `text`, surrounding whitespace aside, is an e-mail address or a
/// mailbox (`Jo Doe <jo@example.com>`) holding one.
fn is_email(text: &str) -> bool {
    let text = text.trim();
    let address = match (text.rfind('<'), text.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => text,
    };
    lethe_detectors::validate::email(address)
}

/// What the keys of `path` say, before the value is looked at.
fn verdict(path: &str) -> Verdict {
    let (Some(leaf), parent) = last_two_keys(path) else {
        return Verdict::Unknown;
    };
    let Some(leaf) = Words::split(leaf) else {
        return Verdict::Unknown;
    };
    let outcome = rules::classify(leaf.as_slice());
    let parent = parent.and_then(Words::split);
    match (outcome.verdict, parent) {
        (Verdict::Pii(category), Some(parent))
            if outcome.bare && rules::cancels(category, parent.as_slice()) =>
        {
            Verdict::NotPii
        }
        (Verdict::Unknown, Some(parent)) => rules::inherit(leaf.as_slice(), parent.as_slice()),
        (verdict, _) => verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Category as C;

    fn by_name(path: &str) -> Category {
        classify_generic(path, Value::Null)
    }

    #[test]
    fn leaf_parent_and_array_keys() {
        assert_eq!(by_name("email"), C::Email);
        assert_eq!(by_name("contact.emails[2]"), C::Email);
        assert_eq!(by_name("tags[0]"), C::None);
        assert_eq!(by_name("shipping_address.street"), C::Address);
        assert_eq!(by_name("[\"first name\"]"), C::Name);
        assert_eq!(by_name("meta[\"Phone Number\"]"), C::Phone);
    }

    #[test]
    fn parents_cancel_bare_heads() {
        assert_eq!(by_name("customer.name"), C::Name);
        assert_eq!(by_name("product.name"), C::None);
        assert_eq!(by_name("line_items[3].name"), C::None);
        assert_eq!(by_name("company.phone"), C::None);
        assert_eq!(by_name("error.message"), C::None);
        // A confirmed head is not cancelled.
        assert_eq!(by_name("product.customer_email"), C::Email);
    }

    #[test]
    fn parents_lend_their_category_to_parts() {
        assert_eq!(by_name("address.line1"), C::Address);
        assert_eq!(by_name("addresses[0].country"), C::Address);
        assert_eq!(by_name("addresses[0].country_name"), C::Address);
        assert_eq!(by_name("address.id"), C::None);
        assert_eq!(by_name("name.first"), C::Name);
        assert_eq!(by_name("card.last4"), C::Payment);
        assert_eq!(by_name("card.brand"), C::None);
        assert_eq!(by_name("customer.id"), C::Identifier);
        assert_eq!(by_name("author.id"), C::Identifier);
        assert_eq!(by_name("order.id"), C::None);
        assert_eq!(by_name("phoneNumbers[1].value"), C::Phone);
        assert_eq!(by_name("dob.year"), C::DateOfBirth);
    }

    #[test]
    fn booleans_are_never_personal_data() {
        assert_eq!(classify_generic("email", Value::Bool(true)), C::None);
        assert_eq!(classify_generic("verified_email", Value::Null), C::None);
        assert_eq!(
            classify_generic("phone", Value::Number("46701234567")),
            C::Phone
        );
        // SCIM's `primary` flag, and a schema that keeps the address there.
        assert_eq!(
            classify_generic("emails[0].primary", Value::Bool(true)),
            C::None
        );
        let text = Value::Text("jo@example.com");
        assert_eq!(classify_generic("emails[0].primary", text), C::Email);
    }

    #[test]
    fn value_fallback_only_for_unknown_keys() {
        let email = Value::Text("jo.doe@example.com");
        assert_eq!(classify_generic("ref", email), C::Email);
        assert_eq!(classify_generic("cc[0]", email), C::Email);
        assert_eq!(classify_generic("email_id", email), C::Email);
        assert_eq!(classify_generic("support_email", email), C::None);
        assert_eq!(classify_generic("support_email.value", email), C::None);
        assert_eq!(
            classify_generic("ref", Value::Text("jo at example")),
            C::None
        );
        assert_eq!(
            classify_generic("ref", Value::Bytes(b"jo@example.com")),
            C::None
        );
    }

    #[test]
    fn email_values() {
        for yes in [
            "jo@example.com",
            " Jo.Doe+x@mail.example.org\n",
            "Jo Doe <jo@example.com>",
            "<a@b.co>",
        ] {
            assert!(is_email(yes), "{yes}");
        }
        for no in [
            "",
            "<>",
            "<",
            ">",
            "jo@example",
            "Jo <jo@example.com",
            "jo@example.com, al@example.org",
            "mailto:jo@example.com",
            "a <b> <jo@example.com",
        ] {
            assert!(!is_email(no), "{no}");
        }
    }

    #[test]
    fn odd_paths_are_none() {
        for path in ["", "[0]", "..", "[\"", "a_b_c_d_e_f_g_h_i_j_k_l_email"] {
            assert_eq!(by_name(path), C::None, "{path}");
        }
    }
}
