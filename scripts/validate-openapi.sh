#!/usr/bin/env bash
# Validates the HTTP API's OpenAPI 3.1 document with openapi-spec-validator
# (from PyPI, in a virtualenv under target/venv that is made on first use).
#
# Usage: scripts/validate-openapi.sh
# Writes target/openapi.json; exits non-zero if the document is not valid.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="target/venv"
mkdir -p target

if [ ! -x "$venv/bin/openapi-spec-validator" ]; then
    echo "==> making $venv with openapi-spec-validator"
    python3 -m venv "$venv" || {
        echo "error: python3 -m venv failed; install Python 3 with venv (Debian: apt-get install -y python3-venv)" >&2
        exit 1
    }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-spec-validator>=0.7,<0.8"
fi

echo "==> generating target/openapi.json"
cargo run -q --locked -p lethe-api --example openapi > target/openapi.json

echo "==> validating"
"$venv/bin/openapi-spec-validator" --schema 3.1.0 target/openapi.json
"$venv/bin/python" - target/openapi.json <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc.get("openapi", "").startswith("3.1"), "not an OpenAPI 3.1 document"
ops = sum(1 for p in doc["paths"].values() for m in p if m in {"get", "put", "post", "delete", "patch"})
print(f"OpenAPI {doc['openapi']}: {len(doc['paths'])} paths, {ops} operations")
PY
