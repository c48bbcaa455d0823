//! Guest-side bindings for the `lethe:plugin@0.1.0` contract (`wit/plugin.wit`).
//!
//! A field map implements [`field_map::exports::lethe::plugin::field_map::Guest`]
//! and exports it with [`export_field_map!`]; a scrubber implements
//! [`scrubber::exports::lethe::plugin::scrubber::Guest`] and exports it with
//! [`export_scrubber!`]. Build the crate as a `cdylib` for `wasm32-wasip2`.

/// Bindings for the `field-map-plugin` world.
#[allow(missing_docs)]
pub mod field_map {
    wit_bindgen::generate!({
        world: "field-map-plugin",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_field_map",
        default_bindings_module: "lethe_plugin_sdk::field_map",
    });
}

/// Bindings for the `scrubber-plugin` world.
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
