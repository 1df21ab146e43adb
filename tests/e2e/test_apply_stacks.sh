#!/usr/bin/env bash
# Bigger stacks than the reference: examples/multi-pool (a cluster with three
# node pools, two namespaces and objects in each) and examples/kubeconfig
# (Kubernetes objects only, for a cluster named by a kubeconfig context),
# applied to ikc-sim and checked with kubectl.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
kubectl=${IKC_KUBECTL:?}
export IKC_POLL_INTERVAL=0.05
sim_start "$work/sim" --speed 400 || { echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }
export HOME="$work/home"
mkdir -p "$HOME"

# ---------- three node pools, two namespaces ----------
mkdir -p "$work/shop"
shop="$work/shop/ikc.yaml"
cp "$src/examples/multi-pool/ikc.yaml" "$shop"
shop_state="file://$work/shop/state.json"
run apply --auto-approve -f "$shop" --state "$shop_state"
expect_rc 0 "apply multi-pool"
expect_out "Apply complete: 11 added, 0 changed, 0 replaced, 0 destroyed."
pools=$(sim_get world | jq -r '[.clusters[0].nodePools[].name] | sort | join(",")')
[ "$pools" = "batch,general,highmem" ] || fail "node pools in the sim: $pools"

# a kubeconfig for the cluster, as an operator would write it; its current
# context points nowhere, so the kubeconfig stack must pick "staging"
run state show Cluster/shop -f "$shop" --state "$shop_state" --format json
endpoint=$(jq -r '.outputs.endpoint' <<<"$out")
ca=$(jq -r '.outputs.masterAuth.clusterCaCertificate' <<<"$out")
token=$(curl -sS --cacert "$IKC_CA_BUNDLE" -X POST "${IKC_CONTAINER_ENDPOINT}_sim/token" | jq -r .access_token)
cat >"$work/kubeconfig.yaml" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: shop
  cluster: {server: "https://$endpoint", certificate-authority-data: "$ca"}
- name: elsewhere
  cluster: {server: "https://127.0.0.1:9", certificate-authority-data: "$ca"}
users:
- name: ops
  user: {token: "$token"}
contexts:
- name: staging
  context: {cluster: shop, user: ops}
- name: other
  context: {cluster: elsewhere, user: ops}
current-context: other
YAML
k() { "$kubectl" --kubeconfig "$work/kubeconfig.yaml" --context staging "$@"; }

nodes=$(k get nodes --no-headers -o 'custom-columns=P:.metadata.labels.cloud\.google\.com/gke-nodepool' | sort | uniq -c | awk '{print $2 "=" $1}' | paste -sd,)
[ "$nodes" = "batch=1,general=2,highmem=1" ] || fail "kubectl: nodes per pool: $nodes"
for ns in storefront backend; do
	k get namespace "$ns" >/dev/null 2>&1 || fail "kubectl: no namespace $ns"
done
[ "$(k -n storefront get deployment web -o 'jsonpath={.status.readyReplicas}')" = 2 ] || fail "storefront/web not 2 ready"
[ "$(k -n backend get deployment api -o 'jsonpath={.status.readyReplicas}')" = 2 ] || fail "backend/api not 2 ready"
[ "$(k -n storefront get configmap web-config -o 'jsonpath={.data.BACKEND_URL}')" = "http://api.backend.svc.cluster.local" ] ||
	fail "storefront/web-config"
k -n default get deployment web >/dev/null 2>&1 && fail "web landed in default too"
lbip=$(k -n storefront get service web -o 'jsonpath={.status.loadBalancer.ingress[0].ip}')
run output storefront_ip -f "$shop" --state "$shop_state"
[ -n "$lbip" ] && [ "$out" = "$lbip" ] || fail "ikc output storefront_ip ($out) != kubectl's ($lbip)"
run plan --detailed-exitcode -f "$shop" --state "$shop_state"
expect_rc 0 "plan after the multi-pool apply is empty"

# ---------- a stack that targets a cluster from a kubeconfig ----------
mkdir -p "$work/tools"
tools="$work/tools/ikc.yaml"
cp "$src/examples/kubeconfig/ikc.yaml" "$tools"
cp "$work/kubeconfig.yaml" "$work/tools/kubeconfig.yaml"
tools_state="file://$work/tools/state.json"
gke_calls() { sim_get calls | jq '[.routes | to_entries[] | select(.key | test("^[A-Z]+ /v1/")) | .value] | add // 0'; }
before=$(gke_calls)
# no Google credentials at all: none are needed
saved_gac=$GOOGLE_APPLICATION_CREDENTIALS
unset GOOGLE_APPLICATION_CREDENTIALS
run apply --auto-approve -f "$tools" --state "$tools_state"
expect_rc 0 "apply the kubeconfig stack"
expect_out "Apply complete: 4 added, 0 changed, 0 replaced, 0 destroyed."
clusterip=$(k -n tools get service dashboard -o 'jsonpath={.spec.clusterIP}')
expect_out "dashboard_ip = \"$clusterip\""
[ "$(k -n tools get deployment dashboard -o 'jsonpath={.status.readyReplicas}')" = 1 ] || fail "tools/dashboard not ready"
[ "$(k -n tools get configmap dashboard -o 'jsonpath={.metadata.labels.ikc\.dev/stack}')" = tools ] ||
	fail "tools/dashboard lacks the stack label"
run plan --detailed-exitcode -f "$tools" --state "$tools_state"
expect_rc 0 "plan after the kubeconfig apply is empty"
[ "$(gke_calls)" = "$before" ] || fail "the kubeconfig stack called the GKE API ($before -> $(gke_calls) calls)"
run destroy --auto-approve -f "$tools" --state "$tools_state"
expect_rc 0 "destroy the kubeconfig stack"
expect_out "4 destroyed"
k get namespace tools >/dev/null 2>&1 && fail "namespace tools still exists"
export GOOGLE_APPLICATION_CREDENTIALS=$saved_gac

# ---------- the multi-pool stack goes, with all its pools ----------
k -n storefront get deployment web >/dev/null 2>&1 || fail "destroying the tools stack touched the shop stack"
run destroy --auto-approve -f "$shop" --state "$shop_state"
expect_rc 0 "destroy multi-pool"
[ "$(sim_get world | jq '.clusters | length')" = 0 ] || fail "the sim still holds a cluster"
finish
