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
# A bad rule through the admin endpoint is refused with the reason.
out=$(curl -s -w ' %{http_code}' --cacert "$IKC_CA_BUNDLE" -X POST \
      -d '{"spec":"teapot:nth=1"}' "${IKC_CONTAINER_ENDPOINT}_sim/faults")
case "$out" in
  *"unknown kind"*" 400") ;;
  *) echo "bad fault rule answered: $out"; exit 1 ;;
esac
sim_stop
[ ! -e "$dir/ready" ] || { echo "ready left behind"; exit 1; }
# ...and on the command line the sim does not start.
bin=${IKC_SIM_BIN:-${IKC_BUILD_DIR:-build}/sim/ikc-sim}
if "$bin" serve --dir "$dir/bad" --faults "503:rate=2" 2>"$dir/bad.err"; then
  echo "a bad --faults spec was accepted"; exit 1
fi
grep -q "bad value for 'rate'" "$dir/bad.err" || { cat "$dir/bad.err"; exit 1; }
echo "sim.sh ok"
