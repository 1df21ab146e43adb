#!/usr/bin/env bash
# The reference scenario end to end: ikc against a running ikc-sim, checked
# with Debian's kubectl the way an operator would.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
kubectl=${IKC_KUBECTL:?}
stack="$work/ikc.yaml"
cp "$src/examples/nginx-asia/ikc.yaml" "$stack"
state="file://$work/state.json"
export IKC_POLL_INTERVAL=0.05
sim_start "$work/sim" --speed 400 || { echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; rm -rf "$work"' EXIT

sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }

# --- apply: four creates, in order, and the outputs
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "first apply"
expect_out "Apply complete: 4 added, 0 changed, 0 replaced, 0 destroyed."
expect_out "external_ip"

# --- the state says which file (and digest) the applied changes came from
run state pull -f "$stack" --state "$state"
[ "$(jq -r .source.digest <<<"$out")" = "$(sha256sum "$stack" | cut -d' ' -f1)" ] \
  || fail "state source digest is not the stack file's"

# --- kubectl sees what ikc made
kubeconfig_for Cluster/nginx-asia "$stack" "$state" || fail "kubeconfig"
running=$("$kubectl" get pods --no-headers 2>&1 | grep -c ' Running ')
[ "$running" -eq 2 ] || fail "kubectl: expected 2 Running pods, got $running"
lbip=$("$kubectl" get service nginxservice -o 'jsonpath={.status.loadBalancer.ingress[0].ip}')
run output external_ip -f "$stack" --state "$state"
[ -n "$lbip" ] && [ "$out" = "$lbip" ] || fail "ikc output external_ip ($out) != kubectl's EXTERNAL-IP ($lbip)"

# --- a second plan has nothing to do
run plan --detailed-exitcode -f "$stack" --state "$state"
expect_rc 0 "second plan is empty"

# --- drift: kubectl scales the RC, ikc drift reports it, apply brings it back
"$kubectl" scale rc nginx --replicas=4 >/dev/null || fail "kubectl scale"
run drift --detailed-exitcode -f "$stack" --state "$state"
expect_rc 2 "drift after kubectl scale"
expect_out "ReplicationController/nginx"
expect_out "spec.replicas"
grep -qE '2 *-> *4' <<<"$out" || fail "drift should show replicas 2 -> 4"
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply after drift"
[ "$("$kubectl" get rc nginx -o 'jsonpath={.spec.replicas}')" = 2 ] || fail "replicas not back to 2"

# --- replicas: 3 in the file: exactly one in-place update
sed -i 's/replicas: 2/replicas: 3/' "$stack"
run plan --format json --detailed-exitcode -f "$stack" --state "$state"
expect_rc 2 "plan for replicas 3"
jq -e '[.changes[] | select(.action != "no-op")] | length == 1 and .[0].action == "update"
       and .[0].address == "ReplicationController/nginx"' <<<"$out" >/dev/null || fail "one in-place update"
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply replicas 3"
expect_out "0 added, 1 changed, 0 replaced, 0 destroyed"
[ "$("$kubectl" get pods --no-headers | grep -c ' Running ')" -eq 3 ] || fail "3 pods Running"

# --- a new machineType: nodePools.update, no replacement
sed -i 's/machineType: n1-standard-2/machineType: n1-standard-4/' "$stack"
run plan --format json -f "$stack" --state "$state"
jq -e '[.changes[] | select(.action != "no-op")] | length == 1 and .[0].action == "update"
       and .[0].address == "NodePool/default-pool"' <<<"$out" >/dev/null || fail "machineType is an in-place update"
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply machineType"
expect_out "0 added, 1 changed, 0 replaced, 0 destroyed"

# --- new oauthScopes: the node pool is replaced, and the plan says why
sed 's#- https://www.googleapis.com/auth/bigquery#- https://www.googleapis.com/auth/cloud-platform#' "$stack" >"$work/scopes.yaml"
run plan -f "$work/scopes.yaml" --state "$state"
expect_out "NodePool/default-pool"
expect_out "spec.config.oauthScopes"
expect_out "forces replacement"

# --- removing the Service document deletes it
awk 'BEGIN{RS="---\n"; ORS="---\n"} !/kind: Service/' "$stack" | sed '$ d' >"$work/nosvc.yaml"
sed -i '/external_ip/d; /outputs:/d' "$work/nosvc.yaml"
run apply --auto-approve -f "$work/nosvc.yaml" --state "$state"
expect_rc 0 "apply without the Service"
expect_out "1 destroyed"
"$kubectl" get service nginxservice >/dev/null 2>&1 && fail "the Service still exists"

# --- destroy leaves nothing in the sim
run destroy --auto-approve -f "$work/nosvc.yaml" --state "$state"
expect_rc 0 "destroy"
clusters=$(sim_get world | jq '[.clusters // [] | .[]] | length')
[ "$clusters" = 0 ] || fail "the sim still holds $clusters cluster(s)"
run state list -f "$work/nosvc.yaml" --state "$state"
[ -z "$out" ] || fail "state not empty after destroy"
finish
