#!/usr/bin/env bash
# demo.sh - ikc's main job on the embedded cloud: builds ikc and ikc-sim,
# checks and plans examples/nginx-asia, and shows the result.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIKC_TESTS=OFF >/dev/null
cmake --build build -j"$jobs" --target ikc >/dev/null

ikc="$top/build/cli/ikc"
stack="$top/examples/nginx-asia/ikc.yaml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "\$ ikc version"; "$ikc" version
echo; echo "\$ ikc validate -f examples/nginx-asia/ikc.yaml"
"$ikc" validate -f "$stack"
echo; echo "\$ ikc plan --refresh=false -f examples/nginx-asia/ikc.yaml"
"$ikc" plan --refresh=false -f "$stack" --state "file://$work/state.json"
