//! Build script of the standard plugins (`build = "../build/small_stack.rs"`
//! in std-scrubber, fieldmap-commerce and fieldmap-generic): links the
//! component with a 256 KiB shadow stack instead of the 1 MiB
//! default. The standard plugins use a few KiB of it, and the host resets
//! an instance's resident memory when a batch releases it, so a smaller
//! initial memory made every instantiation cheaper (lethe-bench: ~29 µs ->
//! ~13 µs with a 4 MiB resident budget, when every resident page was
//! zeroed; now, where Linux has `PAGEMAP_SCAN`, only written pages are). The stack sits below the data
//! (`--stack-first`), so an overflow traps instead of overwriting anything.
//! The hostile fixtures keep the default, so their deep recursion still
//! reaches the host's `max_wasm_stack`.

fn main() {
    if std::env::var("TARGET").is_ok_and(|t| t.starts_with("wasm32")) {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size=262144");
    }
}
