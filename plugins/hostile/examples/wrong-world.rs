//! Hostile fixture `wrong-world`: a valid component that exports something
//! else entirely (`run: func() -> u32` of a made-up world), neither a field
//! map nor a scrubber.
//!
//! Attack: an upload that is not a Lethe plugin. The host must reject it
//! at validation (upload) time, by checking the component's exports
//! against the `lethe:plugin` worlds, with a clear error, and must never
//! call into it.

wit_bindgen::generate!({
    inline: "package lethe:hostile; world other { export run: func() -> u32; }",
    world: "other",
});

struct Other;

impl Guest for Other {
    fn run() -> u32 {
        42
    }
}

export!(Other);
