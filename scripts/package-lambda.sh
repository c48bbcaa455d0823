#!/usr/bin/env bash
# Builds the three Lambda bootstraps for AWS Graviton (arm64, provided.al2023):
#   target/lambda/{api,scheduler,worker}/bootstrap
# with cargo-lambda (from PyPI; it brings zig, the cross linker) and prints
# their sizes. `sam build` (infra/template.yaml) runs the same build.
#
# Usage: scripts/package-lambda.sh   (a release build of wasmtime and the AWS
#        SDK for aarch64 with LTO: expect 30-60 minutes on 2 cores the first time)
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${LETHE_LAMBDA_VENV:-target/venv-lambda}"
if [ ! -x "$venv/bin/cargo-lambda" ]; then
    echo "==> installing cargo-lambda (and zig) into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'cargo-lambda>=1.8,<2'
fi
export PATH="$PWD/$venv/bin:$PATH"
rustup target add aarch64-unknown-linux-gnu >/dev/null
rustup target add wasm32-wasip2 >/dev/null

# No debug info in what is shipped: the workspace's release profile keeps
# line tables for local profiling, which triples the bootstraps (Lambda's
# limit is 250 MB unzipped). Panics still print a message.
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_STRIP=symbols
cargo lambda build --release --arm64 --locked -p lethe-lambda

echo
printf '%-10s %12s  %s\n' function bytes path
for f in api scheduler worker; do
    path="target/lambda/$f/bootstrap"
    printf '%-10s %12s  %s\n' "$f" "$(stat -c %s "$path")" "$path"
done
