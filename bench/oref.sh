#!/usr/bin/env bash
# determine-basal latency: oref-rs through the C ABI and through the OrefGrain, next to oref0
# 0.7.1 in node, all on the 600 oref0 scenarios of oref-rs/tests/vectors/loop.json.
# Needs node/npm for the reference (tools/oref0-vectors installs oref0 into an ignored folder).
# Arguments go to the .NET bench, e.g. bench/oref.sh --rounds 10
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p .data/bench
node_json=""
if command -v node >/dev/null && command -v npm >/dev/null; then
  (cd tools/oref0-vectors && npm install --no-audit --no-fund --ignore-scripts --silent)
  node tools/oref0-vectors/bench.js 5 > .data/bench/oref0-node.json
  node_json="$PWD/.data/bench/oref0-node.json"
fi
dotnet build bench/Nocturne.OrefBench -c Release -v quiet -nologo
dotnet bench/Nocturne.OrefBench/bin/Release/net10.0/Nocturne.OrefBench.dll --root "$PWD" --node "$node_json" "$@"
