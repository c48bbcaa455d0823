#!/usr/bin/env bash
# Lethe's whole test suite, from a fresh machine: installs what it needs
# (the pinned toolchain with the wasm32-wasip2 target), then checks
# formatting and lints, builds the plugins, and runs every test.
#
# Usage: scripts/test.sh            (CI calls exactly this)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain"
# rust-toolchain.toml pins the compiler; make sure it and the wasm target exist.
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup target add wasm32-wasip2 >/dev/null
rustup component add rustfmt clippy >/dev/null
cargo --version

step "format"
cargo fmt --all --check
(cd plugins && cargo fmt --all --check)

step "lint (host, which also builds every plugin for wasm32-wasip2)"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "lint (guest crates, natively and for wasm32-wasip2)"
(cd plugins && cargo clippy --locked -p lethe-detectors -p lethe-fieldmaps -p lethe-plugin-sdk --all-targets -- -D warnings)
(cd plugins && cargo clippy --locked --target wasm32-wasip2 --workspace --lib --examples -- -D warnings)

step "docs (rustdoc with every warning an error: broken and ambiguous links)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --workspace --no-deps --document-private-items
(cd plugins && RUSTDOCFLAGS="-D warnings" cargo doc --locked -p lethe-detectors -p lethe-fieldmaps -p lethe-plugin-sdk --no-deps --document-private-items)

step "tests (guest logic, natively)"
(cd plugins && cargo test --locked -p lethe-detectors -p lethe-fieldmaps -p lethe-plugin-sdk)

step "tests (host workspace: sandbox, core, CLI, end-to-end)"
cargo test --locked --workspace

step "tests on moto (AWS wire protocols): the adapters' conformance suite and fault injection, then the Lambda binaries through the runtime protocol"
# (two servers: the Lambda tests read moto's recorded e-mail through
# /moto-api/data.json, which the adapters' multipart cases can break)
scripts/with-moto.sh cargo test --locked -p lethe-aws --features moto-tests
scripts/with-moto.sh cargo test --locked -p lethe-lambda --features moto-tests

step "infrastructure template: cfn-lint (source and SAM-transformed) and checkov"
scripts/lint-infra.sh

step "OpenAPI document validates (openapi-spec-validator)"
scripts/validate-openapi.sh

step "benchmark smoke run (numbers are not checked here; see README)"
cargo run --locked -q -p lethe-bench -- --quick

echo
echo "all tests passed"
