#!/usr/bin/env bash
# ikc_vs_kubectl.sh - ikc against Debian's kubectl on one ikc-sim cluster, with
# the same PAIRS ConfigMaps + PAIRS Services (ClusterIP) in namespace "bench":
#   1. apply creating every object:  kubectl apply -f DIR  vs  ikc apply
#   2. nothing to change, warm:      kubectl diff -f DIR   vs  ikc plan
#   3. ikc's refresh rate (objects read per second while one ikc plan reads
#      live state) vs the sim's own GET rate
#      vs the sim's own GET rate (wrk, as in sim_bench.sh)
# Usage: bench/ikc_vs_kubectl.sh [PAIRS]          (default 500: 1,000 objects)
# Environment:
#   IKC_BUILD_DIR      build to use (default build-bench: a Release build)
#   IKC_BIN, IKC_SIM_BIN, IKC_KUBECTL   override the binaries
#   BENCH_RUNS         timed runs of each command (default 5, 1 warm-up first)
#   BENCH_APPLY_LIMIT  seconds one ikc apply may take (default 240); past it
#                      the apply is interrupted, the objects it made are counted
#                      and the plan step is skipped (it needs a finished apply)
#   BENCH_OUT          folder for the raw results (default: a temp folder, removed)
# Timing is hyperfine (median of BENCH_RUNS, whole process); objects are
# deleted between apply runs (not timed). Stops by itself and stops its sim.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pairs=${1:-500}
runs=${BENCH_RUNS:-5}
apply_limit=${BENCH_APPLY_LIMIT:-240}
build=${IKC_BUILD_DIR:-$top/build-bench}
ikc=${IKC_BIN:-$build/cli/ikc}
export IKC_SIM_BIN=${IKC_SIM_BIN:-$build/sim/ikc-sim}
kubectl=${IKC_KUBECTL:-$top/.deps/kubectl/usr/bin/kubectl}
total=$((2 * pairs))
ns=bench

for t in "$ikc" "$IKC_SIM_BIN" "$kubectl"; do
  [ -x "$t" ] || { echo "ikc_vs_kubectl: $t is missing (build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DIKC_TESTS=OFF && cmake --build build-bench --target ikc ikc-sim)" >&2; exit 1; }
done
for t in hyperfine wrk jq curl timeout; do
  command -v "$t" >/dev/null || { echo "ikc_vs_kubectl: $t is not installed" >&2; exit 1; }
done

. "$top/tests/integration/lib/sim.sh"
work=$(mktemp -d /tmp/ikc-vs-kubectl-XXXXXX)
out=${BENCH_OUT:-$work/results}
mkdir -p "$out"
cleanup() {
  sim_stop || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" | tee -a "$out/summary.txt"; }

# ---------- the sim, one cluster, a kubeconfig both tools use
sim_start "$work/sim" --speed 1000
tok=$(curl -sf --cacert "$IKC_CA_BUNDLE" -X POST "${IKC_CONTAINER_ENDPOINT}_sim/token" | jq -r .access_token)
api=${IKC_CONTAINER_ENDPOINT}v1/projects/bench/locations/us-central1-a
gke() {
  curl -sS --fail-with-body --cacert "$IKC_CA_BUNDLE" -H "Authorization: Bearer $tok" \
       -H 'Content-Type: application/json' "$@"
}
gke -X POST "$api/clusters" -d '{"cluster": {"name": "bench",
  "nodePools": [{"name": "default-pool", "initialNodeCount": 1}]}}' >/dev/null
cluster=
for _ in $(seq 1 200); do
  cluster=$(gke "$api/clusters/bench")
  [ "$(jq -r .status <<<"$cluster")" = RUNNING ] && break
  sleep 0.1
done
[ "$(jq -r .status <<<"$cluster")" = RUNNING ] || { echo "ikc_vs_kubectl: cluster not RUNNING" >&2; exit 1; }
server="https://$(jq -r .endpoint <<<"$cluster")"
jq -r .masterAuth.clusterCaCertificate <<<"$cluster" | base64 -d >"$work/cluster-ca.pem"
cat >"$work/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: bench
  cluster: {server: "$server", certificate-authority-data: "$(jq -r .masterAuth.clusterCaCertificate <<<"$cluster")"}
users:
- name: bench
  user: {token: "$tok"}
contexts:
- name: bench
  context: {cluster: bench, user: bench}
current-context: bench
YAML
export KUBECONFIG=$work/kubeconfig HOME=$work/home   # kubectl's cache lives in HOME
mkdir -p "$HOME"
kube() {
  curl -sS --fail-with-body --cacert "$work/cluster-ca.pem" -H "Authorization: Bearer $tok" "$@"
}
kube -X POST -H 'Content-Type: application/json' "$server/api/v1/namespaces" \
  -d "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$ns\"}}" >/dev/null

# ---------- the manifests (one file per object) and the same objects as a stack
dir=$work/manifests
mkdir -p "$dir"
for i in $(seq -w 1 "$pairs"); do
  cat >"$dir/configmap-$i.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: config-$i
  namespace: $ns
  labels:
    app: bench
data:
  index: "$i"
  greeting: hello from $i
YAML
  cat >"$dir/service-$i.yaml" <<YAML
apiVersion: v1
kind: Service
metadata:
  name: service-$i
  namespace: $ns
  labels:
    app: bench
spec:
  type: ClusterIP
  selector:
    app: bench-$i
  ports:
  - name: http
    port: 80
    targetPort: 8080
YAML
done
stack=$work/ikc.yaml
{
  printf 'apiVersion: ikc.dev/v1\nkind: Stack\nmetadata:\n  name: bench\n'
  printf 'spec:\n  kubernetes:\n    kubeconfig: %s\n' "$work/kubeconfig"
  for f in "$dir"/*.yaml; do echo ---; cat "$f"; done
} >"$stack"
state=file://$work/state.json
"$ikc" validate -f "$stack" >/dev/null

# ---------- helpers
# objects (ConfigMaps + Services labelled app=bench) in the namespace
count_objects() {
  local n=0 r
  for r in configmaps services; do
    n=$((n + $(kube "$server/api/v1/namespaces/$ns/$r?labelSelector=app%3Dbench" | jq '.items | length')))
  done
  echo "$n"
}
cat >"$work/reset.sh" <<SH
#!/usr/bin/env bash
# deletes the benchmark's objects and ikc's state (between apply runs, not timed)
set -e
for r in configmaps services; do
  curl -sS --fail-with-body -o /dev/null --cacert "$work/cluster-ca.pem" \
    -H "Authorization: Bearer $tok" -X DELETE \
    "$server/api/v1/namespaces/$ns/\$r?labelSelector=app%3Dbench"
done
rm -f "$work"/state.json*
SH
chmod +x "$work/reset.sh"
# median wall seconds of a hyperfine JSON export
median() { jq -r '.results[0].median * 1000 | round / 1000' "$1"; }
# requests the sim served on the cluster endpoint, by method
served() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/calls" |
           jq --arg m "$1" '[.routes | to_entries[] | select(.key | startswith("cluster/bench " + $m + " ")) | .value] | add // 0'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# "ikc is R x as fast as OTHER" (R = other's time / ikc's), or, below 1, how much slower
compare() {
  awk -v o="$1" -v i="$2" -v name="$3" 'BEGIN {
    if (o >= i) printf "ikc is %.2fx as fast as %s", o / i, name
    else printf "ikc is %.1fx SLOWER than %s (ratio %.4f)", i / o, name, o / i }'
}

say "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
say "ikc: $("$ikc" version 2>/dev/null | head -1); kubectl: $("$kubectl" version --client --short 2>/dev/null | head -1)"
say "objects: $pairs ConfigMaps + $pairs Services = $total in namespace $ns; runs: $runs (+1 warm-up)"
hf() { hyperfine --style basic --warmup 1 --runs "$runs" "$@"; }

# ---------- 1. apply, every object created
say ""
say "== apply ($total creates)"
say "   kubectl apply -f DIR   (objects deleted before each run)"
hf --prepare "$work/reset.sh" --export-json "$out/kubectl-apply.json" \
   "$kubectl apply -f $dir" >>"$out/hyperfine.txt"
[ "$(count_objects)" -eq "$total" ] || { echo "ikc_vs_kubectl: kubectl apply did not make $total objects" >&2; exit 1; }
kapply=$(median "$out/kubectl-apply.json")
say "   kubectl apply: median ${kapply} s"

# ---------- 2. kubectl diff with everything applied by kubectl
say "== plan / diff (nothing to change)"
# kubectl 1.20 diff asks /openapi/v2 whether each kind supports dry-run (a
# PATCH path with a dryRun parameter); where the sim's document does not say so,
# kubectl diff cannot run, and `kubectl get -f DIR -o yaml` (the reads that
# kubectl diff starts with, without its dry-run PATCHes or the diff) stands in:
# ikc's ratio against it is a lower bound of its ratio against kubectl diff.
drc=0
"$kubectl" diff -f "$dir" >"$out/kubectl-diff.txt" 2>&1 || drc=$?
if [ "$drc" -eq 0 ]; then
  kname="kubectl diff -f DIR"
  hf -N --export-json "$out/kubectl-diff.json" "$kubectl diff -f $dir" >>"$out/hyperfine.txt"
elif grep -q "support dry-run" "$out/kubectl-diff.txt"; then
  say "   kubectl diff -f DIR: cannot run here: $(head -1 "$out/kubectl-diff.txt")"
  kname="kubectl get -f DIR -o yaml (stand-in: the reads of kubectl diff)"
  hf -N --export-json "$out/kubectl-diff.json" "$kubectl get -f $dir -o yaml" >>"$out/hyperfine.txt"
else
  echo "ikc_vs_kubectl: kubectl diff failed or found changes (exit $drc):" >&2
  head -5 "$out/kubectl-diff.txt" >&2
  exit 1
fi
kdiff=$(median "$out/kubectl-diff.json")
say "   $kname: median ${kdiff} s"

# ---------- ikc apply: one run first, bounded; more runs when it is quick
"$work/reset.sh"
say "   ikc apply --auto-approve -f STACK   (objects and state deleted before each run)"
start=$(date +%s.%N)
rc=0
timeout -s INT -k 30 "$apply_limit" "$ikc" apply --auto-approve -f "$stack" --state "$state" \
  >"$out/ikc-apply.txt" 2>&1 || rc=$?
iapply=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f", e - s }')
made=$(count_objects)
applied=0
if [ "$rc" -eq 0 ] && [ "$made" -eq "$total" ]; then
  applied=1
  if awk -v t="$iapply" 'BEGIN { exit !(t < 20) }'; then
    hf --prepare "$work/reset.sh" --export-json "$out/ikc-apply.json" \
       "$ikc apply --auto-approve -f $stack --state $state" >>"$out/hyperfine.txt"
    iapply=$(median "$out/ikc-apply.json")
    say "   ikc apply: median ${iapply} s"
  else
    say "   ikc apply: ${iapply} s (one run: too slow to repeat)"
  fi
  say "   => $(compare "$kapply" "$iapply" "kubectl apply") (aim: >= 5x as fast)"
else
  say "   ikc apply: stopped after ${iapply} s (limit ${apply_limit} s, exit $rc): $made of $total objects exist"
  say "   => at best $(compare "$kapply" "$iapply" "kubectl apply") (aim: >= 5x as fast); $(awk -v m="$made" -v t="$iapply" 'BEGIN { printf "%.1f", m / t }') objects/s vs kubectl's $(awk -v m="$total" -v t="$kapply" 'BEGIN { printf "%.1f", m / t }')"
fi

# ---------- 2b. ikc plan with everything applied by ikc
if [ "$applied" -eq 1 ]; then
  "$ikc" plan --detailed-exitcode -f "$stack" --state "$state" >"$out/ikc-plan.txt" 2>&1 ||
    { echo "ikc_vs_kubectl: ikc plan after apply is not empty (exit $?)" >&2; exit 1; }
  hf -N --export-json "$out/ikc-plan.json" \
     "$ikc plan --detailed-exitcode -f $stack --state $state" >>"$out/hyperfine.txt"
  iplan=$(median "$out/ikc-plan.json")
  say "   ikc plan: median ${iplan} s"
  say "   => $(compare "$kdiff" "$iplan" "${kname%% -f*}") (aim: >= 10x as fast as kubectl diff)"

  # ---------- 3. refresh rate vs the sim's GET rate
  # ikc reads a collection with one LIST during a refresh, so the rate that
  # matters is objects read per second, set against the GETs per second the
  # sim serves for one object.
  say "== refresh"
  g0=$(served GET)
  "$ikc" plan -f "$stack" --state "$state" >/dev/null 2>&1
  gets=$(( $(served GET) - g0 ))
  say "   one ikc plan: $total objects read with $gets requests; $(awk -v g="$total" -v t="$iplan" 'BEGIN { printf "%.0f", g / t }') objects/s over the whole median plan"
  # the refresh window: from the start of its first request to the end of its
  # last (IKC_LOG=debug lines, stamped as they arrive, say "(N ms)")
  IKC_LOG=debug "$ikc" plan -f "$stack" --state "$state" 2>&1 >/dev/null |
    while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done >"$out/ikc-plan-debug.txt"
  window=$(awk -v ns="/namespaces/$ns/" '/ GET / && index($0, ns) {
              ms = 0; if (match($0, /\([0-9.]+ ms\)/)) ms = substr($0, RSTART + 1, RLENGTH - 5) + 0
              st = $1 - ms / 1000; if (!n || st < f) f = st; if ($1 > l) l = $1; n++ }
            END { if (n) printf "%d %.4f", n, l - f; else print "0 0" }' "$out/ikc-plan-debug.txt")
  rate=$(awk -v w="$window" -v o="$total" 'BEGIN { split(w, a, " "); if (a[2] > 0) printf "%.0f", o / a[2]; else print 0 }')
  say "   refresh window (IKC_LOG=debug run): ${window%% *} requests in ${window#* } s: $rate objects/s"
  cm=$(kube "$server/api/v1/namespaces/$ns/configmaps/config-$(printf '%0*d' ${#pairs} 1)" | jq -r .metadata.name)
  wrk -t2 -c16 -d5s -H "Authorization: Bearer $tok" "$server/api/v1/namespaces/$ns/configmaps/$cm" >"$out/wrk.txt"
  simmax=$(awk '/Requests\/sec/ { print $2 }' "$out/wrk.txt")
  say "   sim: wrk -t2 -c16 -d5s GET one ConfigMap: $simmax GET/s"
  say "   => ikc refreshes at $(awk -v r="$rate" -v m="$simmax" 'BEGIN { printf "%.0f", 100 * r / m }') % of the sim's GET rate (aim: >= 80 %)"
else
  say "   ikc plan: not measured (it needs a finished ikc apply); run with fewer PAIRS or a higher BENCH_APPLY_LIMIT"
fi
if [ -n "${BENCH_OUT:-}" ]; then
  say ""
  say "raw results: $out"
fi
