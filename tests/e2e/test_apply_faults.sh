#!/usr/bin/env bash
# ikc apply against a faulty cloud: the sim answers 503, 429 with
# Retry-After, 400 FAILED_PRECONDITION and drops connections, on creates as
# well as on reads and operation polls.  The apply still converges, a plan
# afterwards is empty, every fault really fired, and the sim's call counts
# show that nothing was created twice.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
stack="$work/ikc.yaml"
state="file://$work/state.json"
export IKC_POLL_INTERVAL=0.05

# nth= rules fire on a known call of their route, so each one is sure to
# fire; the rate= rules add noise anywhere (capped, so that no single call
# can run out of retries).
faults="503:nth=1:route=POST /v1/projects/*/clusters"
faults+=",drop:nth=1:route=POST /api/v1/namespaces"
faults+=",429:nth=1:retry-after=1:route=POST /apis/apps/v1/"
faults+=",500:nth=2:route=GET /v1/projects/*/operations/*"
faults+=",drop:nth=3:route=GET /v1/projects/*/operations/*"
# six FAILED_PRECONDITION answers, then a 503: the busy answers must not use
# up the tries a 503 gets
faults+=",400:times=6:route=POST /v1/projects/*/nodePools"
faults+=",503:nth=1:route=POST /v1/projects/*/nodePools"
faults+=",503:nth=1:route=POST /v1/projects/*:setSize"
faults+=",503:rate=0.05:times=6"
faults+=",drop:rate=0.02:times=2"
sim_start "$work/sim" --speed 400 --seed 7 --faults "$faults" ||
	{ echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }

# --- first apply: the cluster with one pool, two namespaces and their objects
# (the other two pools come later, so they are created on a running cluster)
awk 'BEGIN{RS="---\n"; ORS="---\n"} !/name: (highmem|batch)\n/' \
	"$src/examples/multi-pool/ikc.yaml" | sed '$ d' >"$stack"
grep -q 'name: highmem' "$stack" && { echo "test setup: highmem still in the stack"; exit 1; }
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "first apply through faults"
expect_out "Apply complete: 9 added, 0 changed, 0 replaced, 0 destroyed."

# --- second apply: two more pools at once on the same cluster; GKE allows one
# operation per cluster, so one of them meets FAILED_PRECONDITION for real
cp "$src/examples/multi-pool/ikc.yaml" "$stack"
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply of two more node pools through faults"
expect_out "Apply complete: 2 added, 0 changed, 0 replaced, 0 destroyed."

# --- a resize goes through setSize, which meets a 503 first
sed -i '/name: general/,/machineType/ s/nodeCount: 2/nodeCount: 3/' "$stack"
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "resize through faults"
expect_out "0 added, 1 changed, 0 replaced, 0 destroyed"

# --- converged: nothing left to do, and the sim holds what the file says
run plan --detailed-exitcode -f "$stack" --state "$state"
expect_rc 0 "plan after the applies is empty"
world=$(sim_get world)
[ "$(jq '.clusters | length' <<<"$world")" = 1 ] || fail "the sim holds $(jq '.clusters | length' <<<"$world") clusters, not 1"
pools=$(jq -r '[.clusters[0].nodePools[] | "\(.name)=\(.nodes)"] | sort | join(" ")' <<<"$world")
[ "$pools" = "batch=1 general=3 highmem=1" ] || fail "node pools in the sim: $pools"

# --- every fault fired, and nothing was created twice
fired=$(sim_get faults)
for rule in "503:nth=1:route=POST /v1/projects/*/clusters" \
	    "drop:nth=1:route=POST /api/v1/namespaces" \
	    "429:nth=1:retry-after=1:route=POST /apis/apps/v1/" \
	    "500:nth=2:route=GET /v1/projects/*/operations/*" \
	    "drop:nth=3:route=GET /v1/projects/*/operations/*" \
	    "400:times=6:route=POST /v1/projects/*/nodePools" \
	    "503:nth=1:route=POST /v1/projects/*/nodePools" \
	    "503:nth=1:route=POST /v1/projects/*:setSize"; do
	n=$(jq --arg r "$rule" '[.[] | select(.rule == $r) | .fired] | first // 0' <<<"$fired")
	[ "$n" -ge 1 ] 2>/dev/null || fail "fault $rule never fired ($fired)"
done
calls=$(sim_get calls)
twice=$(jq -r '.creates | to_entries[] | select(.value != 1) | "\(.key) x\(.value)"' <<<"$calls")
[ -z "$twice" ] || fail "created more than once: $twice"
for key in "projects/demo-project/locations/europe-west1-b/clusters/shop" \
	   "projects/demo-project/locations/europe-west1-b/clusters/shop/nodePools/highmem" \
	   "projects/demo-project/locations/europe-west1-b/clusters/shop/nodePools/batch" \
	   "cluster/shop/api/v1/namespaces/storefront" \
	   "cluster/shop/api/v1/namespaces/backend" \
	   "cluster/shop/apis/apps/v1/namespaces/storefront/deployments/web" \
	   "cluster/shop/apis/apps/v1/namespaces/backend/deployments/api" \
	   "cluster/shop/api/v1/namespaces/storefront/services/web" \
	   "cluster/shop/api/v1/namespaces/backend/services/api" \
	   "cluster/shop/api/v1/namespaces/storefront/configmaps/web-config"; do
	[ "$(jq --arg k "$key" '.creates[$k] // 0' <<<"$calls")" = 1 ] || fail "not created exactly once: $key"
done
finish
