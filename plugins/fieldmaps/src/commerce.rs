//! The commerce field map: an explicit schema for three entity kinds of a
//! commerce tenant, `profile`, `order` and `conversation`.
//!
//! The shapes below are a contract: Lethe's demo data and synthetic test
//! customers are generated in exactly these shapes. Each attribute is listed
//! with its category; paths use the contract's notation, `[]` standing for
//! any array position. An attribute of a known kind that is not listed
//! (including everything under `profile.custom`) is classified by the
//! generic rules ([`classify_generic`]), so a
//! tenant's extra `nickname` or `secondary_email` is still found. Listed
//! attributes ignore their value.
//!
//! # `profile`: a customer record
//!
//! | path | category |
//! |------|----------|
//! | `customer_id` | identifier |
//! | `first_name`, `last_name` | name |
//! | `email` | email |
//! | `phone` | phone |
//! | `address`, `address.street`, `address.city`, `address.postal_code`, `address.country` | address |
//! | `birth_date` | date-of-birth |
//! | `created_at`, `last_active_at`, `marketing_opt_in`, `loyalty_tier`, `tags`, `tags[]` | none |
//! | `custom.*` | generic rules |
//!
//! ```json
//! {"customer_id": "C-10042", "first_name": "Astrid", "last_name": "Lindqvist",
//!  "email": "astrid.lindqvist@example.com", "phone": "+46 70 174 06 42",
//!  "address": {"street": "Storgatan 12", "city": "Uppsala", "postal_code": "753 20", "country": "SE"},
//!  "birth_date": "1986-04-09", "created_at": "2023-02-11T09:30:00Z",
//!  "last_active_at": "2024-11-02T18:04:11Z", "marketing_opt_in": true,
//!  "loyalty_tier": "gold", "tags": ["vip", "newsletter"],
//!  "custom": {"nickname": "Asse", "shoe_size": 39}}
//! ```
//!
//! # `order`: an order, kept for tax and accounting after an erasure
//!
//! Amounts, products and dates are retained; only the buyer's data is
//! personal.
//!
//! | path | category |
//! |------|----------|
//! | `order_id`, `created_at`, `status`, `currency`, `total` | none |
//! | `lines`, `lines[]`, `lines[].sku`, `lines[].title`, `lines[].quantity`, `lines[].unit_price` | none |
//! | `customer_id` | identifier |
//! | `email` | email |
//! | `shipping_address.name` | name |
//! | `shipping_address`, `shipping_address.street`, `.city`, `.postal_code`, `.country` | address |
//! | `billing`, `billing.card_brand` | none |
//! | `billing.card_last4` | payment |
//! | `notes` | free-text |
//!
//! ```json
//! {"order_id": "SO-2024-000317", "created_at": "2024-10-30T14:12:09Z",
//!  "status": "delivered", "currency": "SEK", "total": 1048.50,
//!  "lines": [{"sku": "TEE-BLK-M", "title": "Organic tee, black, M", "quantity": 3, "unit_price": 349.50}],
//!  "customer_id": "C-10042", "email": "astrid.lindqvist@example.com",
//!  "shipping_address": {"name": "Astrid Lindqvist", "street": "Storgatan 12",
//!                       "city": "Uppsala", "postal_code": "753 20", "country": "SE"},
//!  "billing": {"card_last4": "1111", "card_brand": "visa"},
//!  "notes": "Please leave the parcel with the neighbour at no. 14."}
//! ```
//!
//! # `conversation`: a support chat
//!
//! | path | category |
//! |------|----------|
//! | `conversation_id`, `channel`, `created_at`, `status`, `tags`, `tags[]` | none |
//! | `customer_id` | identifier |
//! | `visitor_ip` | ip |
//! | `messages`, `messages[]`, `messages[].text` | free-text |
//! | `messages[].at`, `messages[].author` (`"customer"` or `"agent"`) | none |
//! | `messages[].author_name` | name |
//!
//! ```json
//! {"conversation_id": "CV-88121", "channel": "chat", "created_at": "2024-11-02T18:01:55Z",
//!  "status": "closed", "tags": ["delivery"], "customer_id": "C-10042",
//!  "visitor_ip": "203.0.113.24",
//!  "messages": [
//!    {"at": "2024-11-02T18:01:55Z", "author": "customer", "author_name": "Astrid",
//!     "text": "Hi! Order SO-2024-000317 has not arrived, can you call me on 070-174 06 42?"},
//!    {"at": "2024-11-02T18:03:10Z", "author": "agent", "author_name": "Maja",
//!     "text": "Sorry about that, Astrid. It is on its way and arrives tomorrow."}]}
//! ```

use core::fmt;
use core::str::FromStr;

use lethe_detectors::Category;

use crate::Value;
use crate::generic::classify_generic;
use crate::path::{Segment, first_four};

/// The kinds the commerce map knows, in the order it reports them.
pub const COMMERCE_KINDS: &[&str] = &["profile", "order", "conversation"];

/// One of the commerce map's entity kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CommerceKind {
    /// A customer record.
    Profile,
    /// An order, retained for accounting.
    Order,
    /// A support conversation.
    Conversation,
}

impl CommerceKind {
    /// The kind's name, as in [`COMMERCE_KINDS`].
    pub const fn as_str(self) -> &'static str {
        match self {
            CommerceKind::Profile => "profile",
            CommerceKind::Order => "order",
            CommerceKind::Conversation => "conversation",
        }
    }

    /// Classifies one field of an item of this kind: by the schema when the
    /// path is listed in it, by the generic rules otherwise.
    pub fn classify(self, path: &str, value: Value<'_>) -> Category {
        let listed = match self {
            CommerceKind::Profile => profile(path),
            CommerceKind::Order => order(path),
            CommerceKind::Conversation => conversation(path),
        };
        listed.unwrap_or_else(|| classify_generic(path, value))
    }
}

impl FromStr for CommerceKind {
    type Err = UnknownKind;

    fn from_str(kind: &str) -> Result<Self, UnknownKind> {
        match kind {
            "profile" => Ok(CommerceKind::Profile),
            "order" => Ok(CommerceKind::Order),
            "conversation" => Ok(CommerceKind::Conversation),
            _ => Err(UnknownKind {
                kind: kind.to_owned(),
            }),
        }
    }
}

/// Classifies one field of an item of `kind` by the commerce schema.
///
/// # Errors
///
/// [`UnknownKind`] when `kind` is not one of [`COMMERCE_KINDS`].
pub fn classify_commerce(
    kind: &str,
    path: &str,
    value: Value<'_>,
) -> Result<Category, UnknownKind> {
    Ok(kind.parse::<CommerceKind>()?.classify(path, value))
}

/// The error of a kind that the commerce map does not know.
///
/// Its message names the kind and the known kinds:
/// `unknown kind "invoice": this field map knows profile, order, conversation`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKind {
    kind: String,
}

impl UnknownKind {
    /// The kind that was asked for.
    pub fn kind(&self) -> &str {
        &self.kind
    }
}

impl fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown kind {:?}: this field map knows ", self.kind)?;
        for (i, known) in COMMERCE_KINDS.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{known}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownKind {}

use Category as C;
use Segment::{Index, Key};

fn profile(path: &str) -> Option<Category> {
    Some(match first_four(path) {
        [Some(Key("customer_id")), None, ..] => C::Identifier,
        [Some(Key("first_name" | "last_name")), None, ..] => C::Name,
        [Some(Key("email")), None, ..] => C::Email,
        [Some(Key("phone")), None, ..] => C::Phone,
        [Some(Key("address")), None, ..] => C::Address,
        [
            Some(Key("address")),
            Some(Key("street" | "city" | "postal_code" | "country")),
            None,
            _,
        ] => C::Address,
        [Some(Key("birth_date")), None, ..] => C::DateOfBirth,
        [
            Some(Key("created_at" | "last_active_at" | "marketing_opt_in" | "loyalty_tier")),
            None,
            ..,
        ] => C::None,
        [Some(Key("tags")), None | Some(Index), None, _] => C::None,
        _ => return None,
    })
}

fn order(path: &str) -> Option<Category> {
    Some(match first_four(path) {
        [
            Some(Key("order_id" | "created_at" | "status" | "currency" | "total")),
            None,
            ..,
        ] => C::None,
        [Some(Key("lines")), None | Some(Index), None, _] => C::None,
        [
            Some(Key("lines")),
            Some(Index),
            Some(Key("sku" | "title" | "quantity" | "unit_price")),
            None,
        ] => C::None,
        [Some(Key("customer_id")), None, ..] => C::Identifier,
        [Some(Key("email")), None, ..] => C::Email,
        [Some(Key("shipping_address")), None, ..] => C::Address,
        [Some(Key("shipping_address")), Some(Key("name")), None, _] => C::Name,
        [
            Some(Key("shipping_address")),
            Some(Key("street" | "city" | "postal_code" | "country")),
            None,
            _,
        ] => C::Address,
        [Some(Key("billing")), None, ..] => C::None,
        [Some(Key("billing")), Some(Key("card_brand")), None, _] => C::None,
        [Some(Key("billing")), Some(Key("card_last4")), None, _] => C::Payment,
        [Some(Key("notes")), None, ..] => C::FreeText,
        _ => return None,
    })
}

fn conversation(path: &str) -> Option<Category> {
    Some(match first_four(path) {
        [
            Some(Key("conversation_id" | "channel" | "created_at" | "status")),
            None,
            ..,
        ] => C::None,
        [Some(Key("tags")), None | Some(Index), None, _] => C::None,
        [Some(Key("customer_id")), None, ..] => C::Identifier,
        [Some(Key("visitor_ip")), None, ..] => C::Ip,
        [Some(Key("messages")), None | Some(Index), None, _] => C::FreeText,
        [Some(Key("messages")), Some(Index), Some(Key("text")), None] => C::FreeText,
        [
            Some(Key("messages")),
            Some(Index),
            Some(Key("author_name")),
            None,
        ] => C::Name,
        [
            Some(Key("messages")),
            Some(Index),
            Some(Key("at" | "author")),
            None,
        ] => C::None,
        _ => return None,
    })
}
