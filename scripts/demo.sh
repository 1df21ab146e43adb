#!/usr/bin/env bash
# demo.sh - ikc's main job on the embedded cloud: builds ikc and ikc-sim,
# starts ikc-sim, plans and applies examples/nginx-asia, shows the result
# with ikc and with kubectl, then stops the sim.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

scripts/deps.sh
echo "building ikc and ikc-sim…"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIKC_TESTS=OFF >/dev/null
cmake --build build -j"$jobs" --target ikc ikc-sim >/dev/null

ikc="$top/build/cli/ikc"
kubectl="$top/.deps/kubectl/usr/bin/kubectl"
stack="examples/nginx-asia/ikc.yaml"
work=$(mktemp -d)
export IKC_SIM_BIN="$top/build/sim/ikc-sim"
. tests/integration/lib/sim.sh
trap 'sim_stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# Simulated time runs 60x faster: a cluster takes a few seconds, not minutes.
sim_start "$work/sim" --speed 60
state="file://$work/state.json"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say ikc validate -f $stack
"$ikc" validate -f "$stack"
say ikc plan -f $stack
"$ikc" plan -f "$stack" --state "$state"
say ikc apply --auto-approve -f $stack
"$ikc" apply --auto-approve -f "$stack" --state "$state"

# kubectl, pointed at the new cluster the way `gcloud get-credentials` would.
endpoint=$("$ikc" state show Cluster/nginx-asia -f "$stack" --state "$state" --format json | jq -r .outputs.endpoint)
ca=$("$ikc" state show Cluster/nginx-asia -f "$stack" --state "$state" --format json | jq -r .outputs.masterAuth.clusterCaCertificate)
token=$(curl -sS --cacert "$IKC_CA_BUNDLE" -X POST "${IKC_CONTAINER_ENDPOINT}_sim/token" | jq -r .access_token)
cat >"$work/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- {name: nginx-asia, cluster: {server: "https://$endpoint", certificate-authority-data: "$ca"}}
users:
- {name: nginx-asia, user: {token: "$token"}}
contexts:
- {name: nginx-asia, context: {cluster: nginx-asia, user: nginx-asia}}
current-context: nginx-asia
YAML
export KUBECONFIG="$work/kubeconfig" HOME="$work"
say kubectl get nodes,rc,pods,services
"$kubectl" get nodes,rc,pods,services
say ikc output external_ip
"$ikc" output external_ip -f "$stack" --state "$state"
say ikc plan --detailed-exitcode -f $stack
"$ikc" plan --detailed-exitcode -f "$stack" --state "$state"
echo "(exit code $?: nothing left to do)"
