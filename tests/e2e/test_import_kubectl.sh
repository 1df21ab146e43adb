#!/usr/bin/env bash
# An RC and a Service made with `kubectl create -f` and imported plan no
# change when the stack file holds the same manifests (issue 12 §2): server
# defaults are not changes, lists match by their schema's merge keys.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
kubectl=${IKC_KUBECTL:?}
stack="$work/ikc.yaml"
state="file://$work/state.json"
export IKC_POLL_INTERVAL=0.05
sim_start "$work/sim" --speed 400 || { echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; rm -rf "$work"' EXIT

# ikc makes the cluster; kubectl, as the operator, makes the workloads
awk 'BEGIN{RS="---\n"; ORS="---\n"} NR <= 3' "$src/examples/nginx-asia/ikc.yaml" |
	sed '$ d' | sed '/external_ip/d; /outputs:/d' >"$stack"
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply the cluster"
kubeconfig_for Cluster/nginx-asia "$stack" "$state" || fail "kubeconfig"
awk 'BEGIN{RS="---\n"; ORS="---\n"} NR > 3' "$src/examples/nginx-asia/ikc.yaml" >"$work/workloads.yaml"
"$kubectl" create -f "$work/workloads.yaml" >/dev/null || fail "kubectl create -f"

{ echo "---"; cat "$work/workloads.yaml"; } >>"$stack"
run plan -f "$stack" --state "$state"
expect_rc 1 "plan with unmanaged live objects"
expect_err "ikc import"
run import ReplicationController/nginx default/nginx -f "$stack" --state "$state"
expect_rc 0 "import the RC"
run import Service/nginxservice default/nginxservice -f "$stack" --state "$state"
expect_rc 0 "import the Service"
run plan --detailed-exitcode -f "$stack" --state "$state"
expect_rc 0 "plan after importing what kubectl made"
expect_out "No changes"

# The Service's ports written in another order and with the default
# protocol: the same ports, matched by key.
sed 's/^  - port: 80$/  - protocol: TCP\n    port: 80/' "$stack" >"$work/proto.yaml"
grep -q "protocol: TCP" "$work/proto.yaml" || fail "test setup: protocol not added"
run plan --detailed-exitcode -f "$work/proto.yaml" --state "$state"
expect_rc 0 "plan with the default protocol written out"

# A real change still shows.
sed 's/replicas: 2/replicas: 3/' "$stack" >"$work/three.yaml"
run plan --detailed-exitcode -f "$work/three.yaml" --state "$state"
expect_rc 2 "plan with 3 replicas"
expect_out "spec.replicas"
finish
