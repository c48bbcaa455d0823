#!/usr/bin/env bash
# Lethe's main job, from a fresh machine: the standard plugins on the
# bundled samples, then `lethe demo`: the engine on 200 synthetic customers
# in a fresh temporary data directory (an access request, a verified
# erasure, a CSV bulk redaction, an auto-redact night, the audit chain).
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

echo
echo "== lethe demo"
"$lethe" demo "$@"
