#!/usr/bin/env bash
# test_shell.sh - tests/integration/lib/sim.sh against a real ikc-sim: start,
# env exported, a token from /_sim/token, the GKE list, clean stop.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/sim.sh"
dir=$(mktemp -d /tmp/ikc-sim-shell-XXXXXX)
trap 'sim_stop || true; rm -rf "$dir"' EXIT
sim_start "$dir" --speed 500
[ -n "$SIM_PID" ] && kill -0 "$SIM_PID"
[ "$IKC_CA_BUNDLE" = "$dir/ca.pem" ] || { echo "IKC_CA_BUNDLE=$IKC_CA_BUNDLE"; exit 1; }
[ -f "$GOOGLE_APPLICATION_CREDENTIALS" ]
tok=$(curl -sf --cacert "$IKC_CA_BUNDLE" -X POST "${IKC_CONTAINER_ENDPOINT}_sim/token" |
      sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$tok" ]
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$IKC_CA_BUNDLE" \
       -H "Authorization: Bearer $tok" \
       "${IKC_CONTAINER_ENDPOINT}v1/projects/p/locations/-/clusters")
[ "$code" = 200 ] || { echo "list answered $code"; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$IKC_CA_BUNDLE" \
       "${IKC_CONTAINER_ENDPOINT}v1/projects/p/locations/-/clusters")
[ "$code" = 401 ] || { echo "no token answered $code"; exit 1; }
sim_stop
[ ! -e "$dir/ready" ] || { echo "ready left behind"; exit 1; }
echo "sim.sh ok"
