//! Policies: what the tenant wants done with each category of personal data.
//!
//! Plugins classify; the host decides. A [`Policy`] maps every [`Category`]
//! to an [`Action`], and the [redaction engine](crate::redact) applies it.
//! The same action reads slightly differently for a whole field and for a
//! span inside scrubbed free text:
//!
//! | action           | a marked field becomes         | a span in free text becomes      |
//! |------------------|--------------------------------|----------------------------------|
//! | `erase`          | `null`                         | the category token, `[EMAIL]`    |
//! | `replace: s`     | the text `s`                   | `s`                              |
//! | `pseudonymize`   | `psn_…`, an HMAC of the value  | `[EMAIL:psn_…]`                  |
//! | `mask: {keep: n}`| `****1234`                     | `****1234`                       |
//! | `drop`           | removed from its object        | removed                          |
//! | `retain`         | unchanged (a legal basis)      | unchanged                        |
//! | `scrub`          | free text only: each span found is treated by its own category |
//!
//! A policy is always valid: [`Policy::set`] and deserialization refuse
//! `scrub` for anything but `free-text`, and anything but `retain` for `none`
//! (data that is not personal is never changed).
//!
//! # Configuration
//!
//! Tenants configure a policy as JSON (or any serde format), with the
//! contract's kebab-case names. Categories left out keep their
//! [default](Policy::default); unknown names are refused, so a typo cannot
//! silently leave a category at its default.
//!
//! ```
//! use lethe_core::{Action, Category, Policy};
//!
//! let policy: Policy = serde_json::from_str(r#"{
//!     "name": {"replace": "Someone"},
//!     "email": "pseudonymize",
//!     "payment": {"mask": {"keep": 4}},
//!     "free-text": "scrub"
//! }"#)?;
//! assert_eq!(policy.action(Category::Email), &Action::Pseudonymize);
//! assert_eq!(policy.action(Category::Phone), &Action::Erase); // the default
//! assert!(serde_json::from_str::<Policy>(r#"{"emial": "erase"}"#).is_err());
//! assert!(serde_json::from_str::<Policy>(r#"{"email": "scrub"}"#).is_err());
//! # Ok::<(), serde_json::Error>(())
//! ```

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::Category;
use crate::error::Error;

/// What happens to personal data of one category.
///
/// Serialized in kebab-case: `"erase"`, `{"replace": "Someone"}`,
/// `"pseudonymize"`, `{"mask": {"keep": 4}}`, `"drop"`, `"retain"`,
/// `"scrub"`. See the [module docs](self) for what each does to a field and
/// to a span of free text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Action {
    /// Set the field to `null`; in free text, write the category token.
    Erase,
    /// Write this constant, such as `"Someone"`.
    Replace(String),
    /// Write a keyed HMAC pseudonym (see [`pseudonymize`](crate::pseudonymize)),
    /// so equal values stay joinable without being readable.
    Pseudonymize,
    /// Keep only the last `keep` characters (see [`mask`](crate::mask())).
    Mask {
        /// How many trailing characters stay readable.
        keep: usize,
    },
    /// Remove the attribute from its object (in an array, set the element to
    /// `null` so its siblings keep their positions); in free text, remove
    /// the span.
    Drop,
    /// Keep the value, under a legal basis the tenant records elsewhere.
    Retain,
    /// For `free-text` only: run the scrubber and treat each span by the
    /// action for its own category.
    Scrub,
}

impl Action {
    /// This action without its parameters, for records that must not carry
    /// values.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Erase => ActionKind::Erase,
            Action::Replace(_) => ActionKind::Replace,
            Action::Pseudonymize => ActionKind::Pseudonymize,
            Action::Mask { .. } => ActionKind::Mask,
            Action::Drop => ActionKind::Drop,
            Action::Retain => ActionKind::Retain,
            Action::Scrub => ActionKind::Scrub,
        }
    }
}

/// An [`Action`] without its parameters: what was done, never with what.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    /// [`Action::Erase`].
    Erase,
    /// [`Action::Replace`].
    Replace,
    /// [`Action::Pseudonymize`].
    Pseudonymize,
    /// [`Action::Mask`].
    Mask,
    /// [`Action::Drop`].
    Drop,
    /// [`Action::Retain`].
    Retain,
    /// [`Action::Scrub`].
    Scrub,
}

impl ActionKind {
    /// The kebab-case name, as in a policy document.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActionKind::Erase => "erase",
            ActionKind::Replace => "replace",
            ActionKind::Pseudonymize => "pseudonymize",
            ActionKind::Mask => "mask",
            ActionKind::Drop => "drop",
            ActionKind::Retain => "retain",
            ActionKind::Scrub => "scrub",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tenant's decision for every category of personal data.
///
/// Always valid (see the [module docs](self)); build one from
/// [`Policy::default`] with [`with`](Policy::with) or [`set`](Policy::set),
/// or deserialize it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Fields", into = "Fields")]
pub struct Policy(Fields);

/// Declares `Fields`, one action per category, with its default and its
/// accessors, from a single list, so that the serialized names, the
/// defaults and the exhaustive matches cannot drift apart.
macro_rules! fields {
    ($($field:ident: $category:ident = $default:expr,)*) => {
        /// One action per category: the serialized form of a policy, and its
        /// storage. Missing fields take the default policy's action.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
        struct Fields {
            $($field: Action,)*
        }

        impl Fields {
            fn get(&self, category: Category) -> &Action {
                match category {
                    $(Category::$category => &self.$field,)*
                }
            }

            fn get_mut(&mut self, category: Category) -> &mut Action {
                match category {
                    $(Category::$category => &mut self.$field,)*
                }
            }
        }

        impl Default for Fields {
            fn default() -> Self {
                Fields {
                    $($field: $default,)*
                }
            }
        }
    };
}

fields! {
    name: Name = Action::Erase,
    email: Email = Action::Erase,
    phone: Phone = Action::Erase,
    address: Address = Action::Erase,
    national_id: NationalId = Action::Erase,
    payment: Payment = Action::Erase,
    ip: Ip = Action::Erase,
    date_of_birth: DateOfBirth = Action::Erase,
    free_text: FreeText = Action::Scrub,
    identifier: Identifier = Action::Erase,
    other_pii: OtherPii = Action::Erase,
    none: None = Action::Retain,
}

impl TryFrom<Fields> for Policy {
    type Error = Error;

    fn try_from(fields: Fields) -> Result<Self, Error> {
        for category in Category::ALL {
            check(category, fields.get(category))?;
        }
        Ok(Policy(fields))
    }
}

impl From<Policy> for Fields {
    fn from(policy: Policy) -> Self {
        policy.0
    }
}

/// Whether `category` may have `action`.
fn check(category: Category, action: &Action) -> Result<(), Error> {
    let fix = match (category, action) {
        (Category::None, Action::Retain) | (Category::FreeText, _) => return Ok(()),
        (Category::None, _) => {
            "`none` marks data that is not personal, which Lethe never changes; set it to `retain`"
        }
        (_, Action::Scrub) => {
            "`scrub` runs the scrubber over free text, so only `free-text` may use it; \
             choose erase, replace, pseudonymize, mask, drop or retain"
        }
        _ => return Ok(()),
    };
    Err(Error::InvalidPolicy {
        category,
        action: action.kind(),
        fix,
    })
}

impl Default for Policy {
    /// Erase every category of personal data, scrub free text, and retain
    /// `none`: the safe choice when a tenant has configured nothing.
    fn default() -> Self {
        Policy(Fields::default())
    }
}

impl Policy {
    /// The action for `category`.
    pub fn action(&self, category: Category) -> &Action {
        self.0.get(category)
    }

    /// Sets the action for `category`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidPolicy`], leaving the policy unchanged, for `scrub` on
    /// a category other than `free-text`, or anything but `retain` on `none`.
    pub fn set(&mut self, category: Category, action: Action) -> Result<(), Error> {
        check(category, &action)?;
        *self.0.get_mut(category) = action;
        Ok(())
    }

    /// This policy with `category` set to `action`, for chaining.
    ///
    /// # Errors
    ///
    /// As [`set`](Policy::set).
    pub fn with(mut self, category: Category, action: Action) -> Result<Policy, Error> {
        self.set(category, action)?;
        Ok(self)
    }

    /// Every category with its action, in contract order.
    pub fn iter(&self) -> impl Iterator<Item = (Category, &Action)> {
        Category::ALL.into_iter().map(|c| (c, self.action(c)))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn default_erases_pii_scrubs_free_text_and_retains_none() {
        let policy = Policy::default();
        for (category, action) in policy.iter() {
            let want = match category {
                Category::FreeText => Action::Scrub,
                Category::None => Action::Retain,
                _ => Action::Erase,
            };
            assert_eq!(action, &want, "{category}");
        }
        assert_eq!(policy.iter().count(), 12);
    }

    #[test]
    fn scrub_is_only_for_free_text() {
        let err = Policy::default()
            .with(Category::Email, Action::Scrub)
            .unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidPolicy {
                category: Category::Email,
                action: ActionKind::Scrub,
                ..
            }
        ));
        assert!(err.to_string().contains("only `free-text`"), "{err}");
        for action in [
            Action::Erase,
            Action::Retain,
            Action::Pseudonymize,
            Action::Scrub,
        ] {
            assert!(Policy::default().with(Category::FreeText, action).is_ok());
        }
    }

    #[test]
    fn none_must_be_retained() {
        let mut policy = Policy::default();
        let err = policy
            .set(Category::None, Action::Replace("secret".into()))
            .unwrap_err();
        assert!(err.to_string().contains("set it to `retain`"), "{err}");
        assert!(!err.to_string().contains("secret"), "{err}");
        assert_eq!(policy, Policy::default(), "a refused set changes nothing");
        assert!(policy.set(Category::None, Action::Retain).is_ok());
    }

    #[test]
    fn serde_round_trips_in_kebab_case() {
        let policy = Policy::default()
            .with(Category::Name, Action::Replace("Someone".into()))
            .and_then(|p| p.with(Category::Email, Action::Pseudonymize))
            .and_then(|p| p.with(Category::Payment, Action::Mask { keep: 4 }))
            .and_then(|p| p.with(Category::Ip, Action::Drop))
            .and_then(|p| p.with(Category::DateOfBirth, Action::Retain))
            .unwrap();
        let value = serde_json::to_value(&policy).unwrap();
        assert_eq!(value["name"], json!({"replace": "Someone"}));
        assert_eq!(value["payment"], json!({"mask": {"keep": 4}}));
        assert_eq!(value["national-id"], json!("erase"));
        assert_eq!(value["free-text"], json!("scrub"));
        assert_eq!(value["date-of-birth"], json!("retain"));
        assert_eq!(value.as_object().unwrap().len(), 12);
        assert_eq!(serde_json::from_value::<Policy>(value).unwrap(), policy);
    }

    #[test]
    fn deserializing_fills_defaults_and_refuses_mistakes() {
        let policy: Policy = serde_json::from_value(json!({"ip": "drop"})).unwrap();
        assert_eq!(policy.action(Category::Ip), &Action::Drop);
        assert_eq!(policy.action(Category::Name), &Action::Erase);
        assert_eq!(
            serde_json::from_str::<Policy>("{}").unwrap(),
            Policy::default()
        );

        for bad in [
            json!({"national_id": "erase"}),
            json!({"email": "delete"}),
            json!({"payment": {"mask": {"keep": 4, "from": "start"}}}),
            json!({"payment": {"mask": {}}}),
            json!({"name": "replace"}),
            json!({"email": "scrub"}),
            json!({"none": "erase"}),
        ] {
            assert!(
                serde_json::from_value::<Policy>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        let err = serde_json::from_value::<Policy>(json!({"none": "erase"})).unwrap_err();
        assert!(err.to_string().contains("`none`"), "{err}");
    }

    #[test]
    fn action_kinds_carry_no_parameters() {
        assert_eq!(Action::Replace("x".into()).kind(), ActionKind::Replace);
        assert_eq!(Action::Mask { keep: 2 }.kind().to_string(), "mask");
        assert_eq!(
            serde_json::to_value(ActionKind::Pseudonymize).unwrap(),
            json!("pseudonymize")
        );
    }
}
