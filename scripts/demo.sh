#!/usr/bin/env bash
# Lethe's main job on the bundled samples, from a fresh machine: scan chat
# transcripts for PII (also finding one subject's values in other
# spellings), then redact commerce records under the default policy.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
rustup target add wasm32-wasip2 >/dev/null
cargo build --locked --release -q -p lethe-cli
lethe=target/release/lethe

echo "== validating the standard plugins"
for p in std-scrubber fieldmap-commerce fieldmap-generic; do
  "$lethe" plugin validate "builtin:$p" | head -1
done

echo
echo "== scanning samples/transcripts.jsonl (first 5 results)"
"$lethe" scan --subject samples/subject.json < samples/transcripts.jsonl | head -5

echo
echo "== redacting samples/items.jsonl (first 3 results)"
"$lethe" redact-items --field-map builtin:fieldmap-commerce --subject samples/subject.json \
  < samples/items.jsonl | head -3
