#!/usr/bin/env bash
# sim_bench.sh - request rate of ikc-sim with wrk (keep-alive connections):
#   1. GET of one cluster object on the GKE side (main port, thread pool)
#   2. GET of one ConfigMap on a cluster endpoint (thread per connection)
#   3. ConfigMap creates (POST, a new name each time) on the cluster endpoint
# Usage: bench/sim_bench.sh [SECONDS] [CONNECTIONS]
# The binary is $IKC_SIM_BIN, else $IKC_BUILD_DIR/sim/ikc-sim (use a build
# without sanitizers for figures).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-10}
conns=${2:-16}
threads=2
. "$top/tests/integration/lib/sim.sh"
dir=$(mktemp -d /tmp/ikc-sim-bench-XXXXXX)
lua=$(mktemp /tmp/ikc-sim-bench-XXXXXX.lua)
trap 'sim_stop || true; rm -rf "$dir" "$lua"' EXIT

sim_start "$dir" --speed 1000
ca=$IKC_CA_BUNDLE
base=${IKC_CONTAINER_ENDPOINT}
tok=$(curl -sf --cacert "$ca" -X POST "${base}_sim/token" |
      sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
auth="Authorization: Bearer $tok"
cluster="${base}v1/projects/bench/locations/us-central1-a/clusters"
curl -sf --cacert "$ca" -H "$auth" -X POST "$cluster" \
  -d '{"cluster":{"name":"bench","initialNodeCount":1}}' >/dev/null
for _ in $(seq 1 100); do
  st=$(curl -sf --cacert "$ca" -H "$auth" "$cluster/bench" |
       sed -n 's/.*"status":"\([A-Z]*\)".*/\1/p')
  [ "$st" = RUNNING ] && break
  sleep 0.1
done
endpoint=$(curl -sf --cacert "$ca" -H "$auth" "$cluster/bench" |
           sed -n 's/.*"endpoint":"\([^"]*\)".*/\1/p')
cm="https://$endpoint/api/v1/namespaces/default/configmaps"
curl -sk -H "$auth" -H 'Content-Type: application/json' -X POST "$cm" \
  -d '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bench-cm"},"data":{"k":"v"}}' >/dev/null

cat >"$lua" <<'LUA'
local counter = 0
local id = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function request()
  counter = counter + 1
  local body = string.format(
    '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c-%d-%d"},"data":{"k":"v"}}',
    id, counter)
  return wrk.format("POST", nil, nil, body)
end
function init(args)
  id = tonumber(wrk.thread:get("id")) or 0
end
LUA

run() {
  local label=$1
  shift
  echo "== $label"
  echo "   wrk $*" | sed "s/$tok/\$TOKEN/g"
  wrk "$@" | tee /dev/stderr | awk '/Requests\/sec/ {print "   => " $2 " requests/s"} /Non-2xx/ {print "   !! " $0}'
}
{
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  run "GKE: GET one cluster" -t$threads -c$conns -d${secs}s -H "$auth" "$cluster/bench"
  run "cluster API: GET one ConfigMap" -t$threads -c$conns -d${secs}s -H "$auth" "$cm/bench-cm"
  run "cluster API: create ConfigMaps" -t$threads -c$conns -d${secs}s -H "$auth" \
      -H 'Content-Type: application/json' -s "$lua" "$cm"
} 2>/dev/null
