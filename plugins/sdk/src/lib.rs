//! Write Lethe plugins in Rust: a field map or a scrubber is one `impl`
//! block and one macro call.
//!
//! Lethe runs each tenant's plugins in a WebAssembly sandbox
//! (`wit/plugin.wit`, package `lethe:plugin@0.2.0`). A plugin only
//! *classifies*; the tenant's policy, applied by the host, decides what
//! happens to each category (erase, pseudonymise, mask, retain, ...).
//!
//! # Brief overview
//!
//! - A **field map** implements [`FieldMap`]: given one [`Item`] (a record
//!   flattened to [`Field`]s: a path such as `address.street` and a
//!   [`Value`]), it answers with [`Mark`]s (this field holds a
//!   [`Category`]). Export it with [`export_field_map!`].
//! - A **scrubber** implements [`Scrubber`]: given one text and the batch's
//!   [`Context`] (the erasure's [`Subject`], the standard detectors ready to
//!   run), it answers with [`Span`]s (UTF-8 byte ranges with a category).
//!   Export it with [`export_scrubber!`].
//! - The toolkit: [`standard`] (Lethe's own classification rules, to start
//!   from and override), [`Context::find_pii`] (the standard scrubber's
//!   detectors: e-mails, phones, cards, IBANs, national ids, IPs, and the
//!   subject's values in other spellings), [`text`] (words with offsets,
//!   phrase search, whole-value detection), [`detectors`] (validators:
//!   Luhn, IBAN, e-mail syntax, ...), and [`log`] (the host's log,
//!   bounded).
//! - [`testing`] runs a plugin natively in `cargo test`, through the same
//!   glue as its WebAssembly exports, and packs items and texts into
//!   batches as the host does.
//!
//! The SDK does the rest: it unpacks each batch, refuses a kind the map
//! did not declare (with a message naming the known ones), turns marks and
//! spans into exactly what the host accepts (a field marked twice: the last
//! mark wins; a span off a character boundary: widened), and bounds the
//! log.
//!
//! # Packed batches
//!
//! The host sends a batch packed into a few buffers rather than one string
//! per path, value or text: a field-map batch is one text holding every
//! path, number and string, one byte buffer, and the fields as offsets into
//! them, cut into items; a scrubber batch is one text cut into texts. The
//! answer is one list for the batch, naming fields and texts by position.
//! So a batch crosses the sandbox boundary in a handful of copies however
//! many strings it holds. The SDK hides this: [`FieldMap::classify`] sees
//! each [`Item`] as a borrowed view of its part of the batch (no field is
//! copied), [`Scrubber::scan`] sees each text as a `&str` slice of it, and
//! the SDK turns item-relative [`Mark`]s and per-text [`Span`]s into the
//! batch's answer. Offsets the host got wrong fail the batch with a
//! message, never a panic. [`packed`] reads batches for plugins that use
//! the raw bindings.
//!
//! # Example: a field map
//!
//! ```
//! use lethe_plugin_sdk::prelude::*;
//!
//! /// Acme's field map: Lethe's standard rules, plus Acme's own loyalty
//! /// number, which no naming convention gives away.
//! struct AcmeMap;
//!
//! impl FieldMap for AcmeMap {
//!     // Empty (the default): items of any kind.
//!     const KINDS: &'static [&'static str] = &[];
//!
//!     fn classify(_kind: &str, item: &Item<'_>) -> Vec<Mark> {
//!         let mut marks = standard::generic(item);
//!         for field in item.fields() {
//!             if field.key() == "loyalty_no" {
//!                 marks.push(field.mark(Category::Identifier));
//!             }
//!         }
//!         marks
//!     }
//! }
//!
//! lethe_plugin_sdk::export_field_map!(AcmeMap);
//!
//! // In `cargo test`: what the host would receive for one item.
//! let marks = lethe_plugin_sdk::testing::classify::<AcmeMap>("profile", &[
//!     ("email", Value::Text("ada@example.com")),
//!     ("club.loyalty_no", Value::Text("L-88213")),
//!     ("plan", Value::Text("pro")),
//! ])?;
//! assert_eq!(marks, [
//!     ("email".to_owned(), Category::Email),
//!     ("club.loyalty_no".to_owned(), Category::Identifier),
//! ]);
//! # Ok::<(), String>(())
//! ```
//!
//! # Example: a scrubber
//!
//! ```
//! use lethe_plugin_sdk::prelude::*;
//!
//! /// Everything the standard scrubber finds, plus Acme's ticket numbers.
//! struct AcmeScrubber;
//!
//! impl Scrubber for AcmeScrubber {
//!     fn scan(text: &str, cx: &Context) -> Vec<Span> {
//!         let mut spans = cx.find_pii(text);
//!         spans.extend(
//!             text::words(text)
//!                 .filter(|w| w.text.starts_with("TCK-") && w.text.len() == 10)
//!                 .map(|w| w.span(Category::Identifier)),
//!         );
//!         if spans.len() > 3 {
//!             log::debug("a text with more than 3 spans");
//!         }
//!         spans
//!     }
//! }
//!
//! lethe_plugin_sdk::export_scrubber!(AcmeScrubber);
//!
//! let text = "Ticket TCK-004211: write to ada@example.com";
//! let found: Vec<_> = lethe_plugin_sdk::testing::scan::<AcmeScrubber>(text, None)?
//!     .iter()
//!     .map(|s| (s.text(text).unwrap().to_owned(), s.category))
//!     .collect();
//! assert_eq!(found, [
//!     ("ada@example.com".to_owned(), Category::Email),
//!     ("TCK-004211".to_owned(), Category::Identifier),
//! ]);
//! # Ok::<(), String>(())
//! ```
//!
//! # Building
//!
//! A plugin is a `cdylib` crate built for `wasm32-wasip2`:
//! `lethe plugin new NAME --kind field-map|scrubber` makes one,
//! `lethe plugin build` builds it (`cargo build --release --target
//! wasm32-wasip2`), `lethe plugin test` runs it in the real sandbox on
//! sample data, and `lethe plugin push` uploads it. One crate exports one
//! plugin. Inside the sandbox there is no filesystem, network, clock or
//! environment, and each batch runs in a fresh instance under a time
//! budget and a memory cap: keep per-batch set-up small and build nothing
//! large at run time. `docs/plugins.md` has the whole contract and the
//! limits.
//!
//! # Raw bindings
//!
//! [`field_map`] and [`scrubber`] are the `wit-bindgen` bindings of the two
//! worlds, and [`types`] the contract's own types, for the rare plugin that
//! must control the wire answer itself (the sandbox's hostile test
//! fixtures do). [`packed`] reads their packed batches, checked, and
//! [`testing::batch`] and [`testing::texts`] build batches for their tests.
//! Export such a plugin with
//! `lethe_plugin_sdk::field_map::export_field_map!(MyGuest);` or
//! `lethe_plugin_sdk::scrubber::export_scrubber!(MyGuest);`.

#![deny(missing_docs)]
#![deny(unsafe_code)]
#![doc(test(attr(deny(warnings), allow(dead_code))))]

/// Bindings for the `scrubber-plugin` world (and the shared contract types).
#[allow(missing_docs, unsafe_code)]
pub mod scrubber {
    wit_bindgen::generate!({
        world: "scrubber-plugin",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_scrubber",
        default_bindings_module: "lethe_plugin_sdk::scrubber",
    });
}

/// Bindings for the `field-map-plugin` world.
#[allow(missing_docs, unsafe_code)]
pub mod field_map {
    wit_bindgen::generate!({
        world: "field-map-plugin",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_field_map",
        default_bindings_module: "lethe_plugin_sdk::field_map",
        with: {
            "lethe:plugin/types@0.2.0": crate::scrubber::lethe::plugin::types,
            "lethe:plugin/log@0.2.0": crate::scrubber::lethe::plugin::log,
        },
    });
}

mod export;
mod item;
pub mod log;
pub mod packed;
mod scrub;
pub mod standard;
pub mod testing;
pub mod text;

pub use item::{Field, Item, Mark};
pub use lethe_detectors::{Category, Subject};
pub use lethe_fieldmaps::Value;
pub use scrub::{Context, Span};

/// The shared detectors (`lethe-detectors`): [`Scanner`](detectors::Scanner),
/// [`SubjectMatcher`](detectors::SubjectMatcher), and single-value
/// validators in [`detectors::validate`] (Luhn, IBAN mod-97, US SSN
/// ranges, Swedish personnummer, e-mail syntax).
pub use lethe_detectors as detectors;

/// The standard field-map rules (`lethe-fieldmaps`), as [`standard`] uses them.
pub use lethe_fieldmaps as fieldmaps;

/// The contract's shared types (`lethe:plugin/types`), as they cross the
/// boundary. Plugins written with [`FieldMap`] and [`Scrubber`] never need
/// them.
pub use scrubber::lethe::plugin::types;

/// Everything a plugin usually needs: `use lethe_plugin_sdk::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Category, Context, Field, FieldMap, Item, Mark, Scrubber, Span, Subject, Value, log,
        standard, text,
    };
}

/// A field map: says which fields of an item hold which category of
/// personal data.
///
/// Implement it on a unit struct and export it with
/// [`export_field_map!`]. The host calls the plugin with batches of items
/// of one kind; the SDK calls [`classify`](FieldMap::classify) once per
/// item, in a fresh instance per batch (nothing survives from one batch to
/// the next).
pub trait FieldMap: 'static {
    /// The entity kinds this map knows (`profile`, `order`, ...). Empty,
    /// the default, means any kind. A batch of another kind fails with a
    /// message naming these, before [`classify`](FieldMap::classify) runs.
    const KINDS: &'static [&'static str] = &[];

    /// The fields of `item` (of entity kind `kind`) that hold personal
    /// data, and what they hold. Fields without a mark are not personal
    /// data. When a field is marked more than once, the last mark wins;
    /// [`Category::None`] unmarks it.
    fn classify(kind: &str, item: &Item<'_>) -> Vec<Mark>;
}

/// A scrubber: finds personal data in free text.
///
/// Implement it on a unit struct and export it with [`export_scrubber!`].
/// The host calls the plugin with batches of texts; the SDK makes one
/// [`Context`] per batch and calls [`scan`](Scrubber::scan) once per text.
pub trait Scrubber: 'static {
    /// The runs of personal data in `text`. Spans may overlap (the host
    /// merges them); see [`Span`] for how the SDK makes them acceptable.
    fn scan(text: &str, cx: &Context) -> Vec<Span>;
}

/// Exports a [`FieldMap`] as this crate's component
/// (`world field-map-plugin`). Call it once, at the crate's top level.
///
/// ```
/// use lethe_plugin_sdk::prelude::*;
///
/// struct NoPii;
///
/// impl FieldMap for NoPii {
///     fn classify(_kind: &str, _item: &Item<'_>) -> Vec<Mark> {
///         Vec::new()
///     }
/// }
///
/// lethe_plugin_sdk::export_field_map!(NoPii);
/// ```
#[macro_export]
macro_rules! export_field_map {
    ($map:ty) => {
        const _: () = {
            type LetheFieldMapExport = $crate::__private::FieldMapExport<$map>;
            $crate::__export_field_map_plugin_impl!(
                LetheFieldMapExport with_types_in $crate::field_map
            );
        };
    };
}

/// Exports a [`Scrubber`] as this crate's component
/// (`world scrubber-plugin`). Call it once, at the crate's top level.
///
/// ```
/// use lethe_plugin_sdk::prelude::*;
///
/// struct Standard;
///
/// impl Scrubber for Standard {
///     fn scan(text: &str, cx: &Context) -> Vec<Span> {
///         cx.find_pii(text)
///     }
/// }
///
/// lethe_plugin_sdk::export_scrubber!(Standard);
/// ```
#[macro_export]
macro_rules! export_scrubber {
    ($scrubber:ty) => {
        const _: () = {
            type LetheScrubberExport = $crate::__private::ScrubberExport<$scrubber>;
            $crate::__export_scrubber_plugin_impl!(
                LetheScrubberExport with_types_in $crate::scrubber
            );
        };
    };
}

/// What the export macros expand to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::export::{FieldMapExport, ScrubberExport};
}

impl From<Category> for types::Category {
    fn from(c: Category) -> Self {
        use lethe_detectors::Category as C;
        match c {
            C::Name => Self::Name,
            C::Email => Self::Email,
            C::Phone => Self::Phone,
            C::Address => Self::Address,
            C::NationalId => Self::NationalId,
            C::Payment => Self::Payment,
            C::Ip => Self::Ip,
            C::DateOfBirth => Self::DateOfBirth,
            C::FreeText => Self::FreeText,
            C::Identifier => Self::Identifier,
            C::OtherPii => Self::OtherPii,
            C::None => Self::None,
        }
    }
}

impl From<types::Category> for Category {
    fn from(c: types::Category) -> Self {
        category_from_wit(c)
    }
}

/// The SDK's [`Category`] for the contract's.
pub(crate) fn category_from_wit(c: types::Category) -> Category {
    use types::Category as W;
    match c {
        W::Name => Category::Name,
        W::Email => Category::Email,
        W::Phone => Category::Phone,
        W::Address => Category::Address,
        W::NationalId => Category::NationalId,
        W::Payment => Category::Payment,
        W::Ip => Category::Ip,
        W::DateOfBirth => Category::DateOfBirth,
        W::FreeText => Category::FreeText,
        W::Identifier => Category::Identifier,
        W::OtherPii => Category::OtherPii,
        W::None => Category::None,
    }
}
