#!/usr/bin/env bash
# ikc.dev/prevent-destroy: a plan, apply or destroy that would delete or
# replace a protected resource fails naming it, and changes nothing.
# ikc import: an object kubectl made outside ikc makes the plan fail,
# suggesting the import; after `ikc import` the plan shows only the
# differences between the live object and the file.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
kubectl=${IKC_KUBECTL:?}
stack="$work/ikc.yaml"
state="file://$work/state.json"
export IKC_POLL_INTERVAL=0.05
sim_start "$work/sim" --speed 400 || { echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }

# the reference stack with the node pool and the Service protected
awk '{ print }
     /^  name: default-pool$/ || /^  name: nginxservice$/ {
	print "  annotations:"; print "    ikc.dev/prevent-destroy: \"true\"" }' \
	"$src/examples/nginx-asia/ikc.yaml" >"$stack"
[ "$(grep -c 'prevent-destroy' "$stack")" = 2 ] || { echo "test setup: annotations not added"; exit 1; }
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply the protected stack"

# kubectl, as the operator
kubeconfig_for Cluster/nginx-asia "$stack" "$state" || fail "kubeconfig"
calls_now() { sim_get calls | jq -c '[.routes | to_entries[] | select((.key | test("(POST|PUT|PATCH|DELETE) ")) and (.key != "POST /token"))]'; }

# --- deleting the protected Service: plan and apply fail naming it
awk 'BEGIN{RS="---\n"; ORS="---\n"} !/kind: Service/' "$stack" | sed '$ d' |
	sed '/external_ip/d; /outputs:/d' >"$work/nosvc.yaml"
run plan -f "$work/nosvc.yaml" --state "$state"
expect_rc 1 "plan deleting a protected Service"
expect_err "Service/nginxservice"
expect_err "prevent-destroy"
mutations=$(calls_now)
run apply --auto-approve -f "$work/nosvc.yaml" --state "$state"
expect_rc 1 "apply deleting a protected Service"
expect_err "Service/nginxservice"
[ "$(calls_now)" = "$mutations" ] || fail "the refused apply changed something"
"$kubectl" get service nginxservice >/dev/null 2>&1 || fail "the protected Service is gone"

# --- replacing the protected node pool (new oauthScopes force it)
sed 's#- https://www.googleapis.com/auth/bigquery#- https://www.googleapis.com/auth/cloud-platform#' \
	"$stack" >"$work/scopes.yaml"
run plan -f "$work/scopes.yaml" --state "$state"
expect_rc 1 "plan replacing a protected node pool"
expect_err "NodePool/default-pool"
expect_err "prevent-destroy"

# --- destroy refuses too, naming both
run destroy --auto-approve -f "$stack" --state "$state"
expect_rc 1 "destroy of a protected stack"
expect_err "NodePool/default-pool"
expect_err "Service/nginxservice"
[ "$(calls_now)" = "$mutations" ] || fail "the refused destroy changed something"
[ "$(sim_get world | jq '.clusters | length')" = 1 ] || fail "the refused destroy removed the cluster"

# --- an in-place change of a protected resource is allowed
sed 's/nodeCount: 2/nodeCount: 3/' "$stack" >"$work/bigger.yaml"
run plan --detailed-exitcode -f "$work/bigger.yaml" --state "$state"
expect_rc 2 "an in-place update of a protected node pool plans"

# --- import: kubectl creates a ConfigMap outside ikc
"$kubectl" create configmap settings --from-literal=color=blue --from-literal=size=m >/dev/null ||
	fail "kubectl create configmap"
cat >>"$stack" <<'YAML'
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
  size: l
  shape: round
YAML
run plan -f "$stack" --state "$state"
expect_rc 1 "plan with an unmanaged live ConfigMap"
expect_err "ConfigMap/settings already exists but is not managed by this stack"
cmd=$(grep -o 'ikc import [^ ]* [^ ]*' <<<"$err" | head -1)
[ -n "$cmd" ] || fail "the error does not suggest an ikc import command"
run state list -f "$stack" --state "$state"
grep -q ConfigMap <<<"$out" && fail "a failed plan recorded the ConfigMap"
run import ConfigMap/settings kube-system/settings -f "$stack" --state "$state"
expect_rc 1 "import with an ID in another namespace"
expect_err 'ConfigMap/settings is in namespace "default" but the ID says "kube-system"'
# shellcheck disable=SC2086
run ${cmd#ikc } -f "$stack" --state "$state"
expect_rc 0 "$cmd"
run plan --format json --detailed-exitcode -f "$stack" --state "$state"
expect_rc 2 "plan after the import"
jq -e '[.changes[] | select(.action != "no-op")] | length == 1 and .[0].action == "update"
       and .[0].address == "ConfigMap/settings"' <<<"$out" >/dev/null ||
	fail "after import, one update of ConfigMap/settings"
run plan -f "$stack" --state "$state"
expect_out "data.size"
expect_out "data.shape"
grep -q 'data.color' <<<"$out" && fail "the plan shows data.color, which already matches"
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply after the import"
expect_out "0 added, 1 changed, 0 replaced, 0 destroyed"
[ "$("$kubectl" get configmap settings -o 'jsonpath={.data.size}/{.data.shape}/{.data.color}')" = "l/round/blue" ] ||
	fail "kubectl: settings not updated"
[ "$(sim_get calls | jq '.creates["cluster/nginx-asia/api/v1/namespaces/default/configmaps/settings"]')" = 1 ] ||
	fail "the imported ConfigMap was created again"
run plan --detailed-exitcode -f "$stack" --state "$state"
expect_rc 0 "plan after applying the import"
# --- import of a GKE cluster made outside ikc (straight through the REST API)
gtoken=$(curl -sS --cacert "$IKC_CA_BUNDLE" -X POST "${IKC_CONTAINER_ENDPOINT}_sim/token" | jq -r .access_token)
gke() { curl -sS --cacert "$IKC_CA_BUNDLE" -H "Authorization: Bearer $gtoken" -H 'Content-Type: application/json' "$@"; }
gke -X POST -d '{"cluster": {"name": "legacy", "initialNodeCount": 1}}' \
	"${IKC_CONTAINER_ENDPOINT}v1/projects/demo-project/locations/us-east1-b/clusters" >/dev/null
cat >"$work/legacy.yaml" <<'YAML'
apiVersion: ikc.dev/v1
kind: Stack
metadata:
  name: legacy
spec:
  google:
    project: demo-project
---
apiVersion: container.googleapis.com/v1
kind: Cluster
metadata:
  name: legacy
spec:
  location: us-east1-b
  initialNodeCount: 1
  resourceLabels:
    team: infra
YAML
lstate="file://$work/legacy.json"
run plan -f "$work/legacy.yaml" --state "$lstate"
expect_rc 1 "plan with an unmanaged live cluster"
expect_err "ikc import Cluster/legacy projects/demo-project/locations/us-east1-b/clusters/legacy"
run import Cluster/legacy projects/demo-project/locations/us-east1-b/clusters/legacy -f "$work/legacy.yaml" --state "$lstate"
expect_rc 0 "import of the cluster"
run plan --format json --detailed-exitcode -f "$work/legacy.yaml" --state "$lstate"
expect_rc 2 "plan after the cluster import"
jq -e '[.changes[] | select(.action != "no-op")] | length == 1 and .[0].action == "update"
       and .[0].address == "Cluster/legacy"' <<<"$out" >/dev/null || fail "after import, one update of Cluster/legacy"
run apply --auto-approve -f "$work/legacy.yaml" --state "$lstate"
expect_rc 0 "apply after the cluster import"
[ "$(gke "${IKC_CONTAINER_ENDPOINT}v1/projects/demo-project/locations/us-east1-b/clusters/legacy" | jq -r .resourceLabels.team)" = infra ] ||
	fail "the imported cluster lacks the label"
[ "$(sim_get calls | jq '.creates["projects/demo-project/locations/us-east1-b/clusters/legacy"]')" = 1 ] ||
	fail "the imported cluster was created again"
finish
