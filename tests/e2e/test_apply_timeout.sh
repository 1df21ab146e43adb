#!/usr/bin/env bash
# Waits have deadlines, configurable: IKC_CLUSTER_TIMEOUT shorter than the
# cluster's creation makes apply fail naming the operation it waited for;
# the next apply (with the default deadline) resumes the same operation.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
export IKC_POLL_INTERVAL=0.05
stack="$src/examples/nginx-asia/ikc.yaml"
state="file://$work/state.json"
# a cluster takes 180 simulated seconds: 6 s of real time at speed 30
sim_start "$work/sim" --speed 30 || { echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; rm -rf "$work"' EXIT

IKC_CLUSTER_TIMEOUT=1s run apply --auto-approve -f "$stack" --state "$state"
expect_rc 1 "apply past its deadline"
expect_err "Cluster/nginx-asia"
expect_err "operation-"
jq -e '.journal | length == 1 and .[0].operation' "$work/state.json" >/dev/null \
  || fail "the operation waited on is kept in the journal"

IKC_CLUSTER_TIMEOUT=banana run apply --auto-approve -f "$stack" --state "$state"
expect_rc 1 "a bad duration"
expect_err 'IKC_CLUSTER_TIMEOUT="banana" is not a duration'

run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "the next apply finishes"
expect_out "Finishing what an earlier run left in flight"
[ "$(curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/world" | jq '.clusters | length')" = 1 ] \
  || fail "exactly one cluster"
finish
