//! Prints the API's OpenAPI 3.1 document:
//! `cargo run -p lethe-api --example openapi > openapi.json`.

fn main() {
    let doc = lethe_api::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    println!("{doc}");
}
