//! Guest-side bindings for the `lethe:plugin@0.1.0` contract (`wit/plugin.wit`).
//!
//! A field map implements [`field_map::exports::lethe::plugin::field_map::Guest`]
//! and exports it with `lethe_plugin_sdk::field_map::export_field_map!(MyMap);`;
//! a scrubber implements [`scrubber::exports::lethe::plugin::scrubber::Guest`]
//! and exports it with `lethe_plugin_sdk::scrubber::export_scrubber!(MyScrubber);`.
//! Build the crate as a `cdylib` for `wasm32-wasip2`.
//!
//! Both worlds share one set of contract types, [`types`].

/// Bindings for the `scrubber-plugin` world (and the shared contract types).
#[allow(missing_docs)]
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
#[allow(missing_docs)]
pub mod field_map {
    wit_bindgen::generate!({
        world: "field-map-plugin",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_field_map",
        default_bindings_module: "lethe_plugin_sdk::field_map",
        with: {
            "lethe:plugin/types@0.1.0": crate::scrubber::lethe::plugin::types,
            "lethe:plugin/log@0.1.0": crate::scrubber::lethe::plugin::log,
        },
    });
}

pub mod standard;

/// The contract's shared types (`lethe:plugin/types`).
pub use scrubber::lethe::plugin::types;

/// The host's bounded log (`lethe:plugin/log`).
pub use scrubber::lethe::plugin::log;

impl From<lethe_detectors::Category> for types::Category {
    fn from(c: lethe_detectors::Category) -> Self {
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
