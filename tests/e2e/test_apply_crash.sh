#!/usr/bin/env bash
# ikc apply killed with SIGKILL while GKE creates the cluster: the next apply
# takes over the dead run's lock, waits on the very operation the first run
# started (no second create), and finishes the stack.  While a run holds the
# lock, a second apply fails at once, naming the holder.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
stack="$work/ikc.yaml"
cp "$src/examples/nginx-asia/ikc.yaml" "$stack"
statefile="$work/state.json"
state="file://$statefile"
export IKC_POLL_INTERVAL=0.05
# slow enough that creating the cluster takes seconds (180 s / 20 = 9 s)
sim_start "$work/sim" --speed 20 || { echo "ikc-sim did not start"; exit 1; }
first=
trap '[ -n "$first" ] && kill -9 "$first" 2>/dev/null; sim_stop; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }

# --- the first apply, until the cluster's operation is in the journal
"$IKC" apply --auto-approve -f "$stack" --state "$state" >"$work/first.out" 2>"$work/first.err" &
first=$!
op=
for _ in $(seq 1 200); do
	op=$(jq -r '.journal[]? | select(.address == "Cluster/nginx-asia") | .operation // empty' \
		"$statefile" 2>/dev/null)
	[ -n "$op" ] && break
	sleep 0.05
done
[ -n "$op" ] || { rc=-1; out=$(cat "$work/first.out"); err=$(cat "$work/first.err"); fail "no operation journaled for Cluster/nginx-asia"; finish; }
kill -0 "$first" 2>/dev/null || fail "the first apply ended before the cluster was created"

# --- meanwhile a second apply fails at once, naming the holder
t0=$(date +%s.%N)
run apply --auto-approve -f "$stack" --state "$state"
t1=$(date +%s.%N)
expect_rc 1 "second apply while the first holds the lock"
expect_err "state is locked by ikc apply"
expect_err "pid $first"
expect_err "ikc force-unlock"
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 3) }' || fail "the second apply took $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')s to give up"
[ -f "$statefile.lock" ] || fail "the refused apply removed the holder's lock"

# --- kill -9 in the middle of the cluster create
kill -9 "$first"
wait "$first" 2>/dev/null
first=
[ -f "$statefile.lock" ] || fail "a killed run cannot release its lock; the lock file should still be there"
status=$(sim_get world | jq -r '.clusters[0].status')
[ "$status" = PROVISIONING ] || fail "expected the cluster PROVISIONING after the kill, got $status"

# --- apply again: takes over the lock, waits on the same operation
IKC_LOG=debug run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply after the kill"
expect_err "took over the state lock"
expect_out "Finishing what an earlier run left in flight"
expect_out "Apply complete: 2 added, 0 changed, 0 replaced, 0 destroyed."
grep -q "GET [^ ]*/operations/$op -> 200" <<<"$err" || fail "the second run did not wait on operation $op"
calls=$(sim_get calls)
[ "$(jq '.routes["POST /v1/projects/{project}/locations/{location}/clusters"]' <<<"$calls")" = 1 ] ||
	fail "the cluster create was sent more than once: $(jq -c .routes <<<"$calls")"
twice=$(jq -r '.creates | to_entries[] | select(.value != 1) | .key' <<<"$calls")
[ -z "$twice" ] || fail "created more than once: $twice"
[ "$(sim_get world | jq '.clusters | length')" = 1 ] || fail "the sim does not hold exactly one cluster"
[ -f "$statefile.lock" ] && fail "the lock file is still there after the apply"
jq -e '(.journal // []) | length == 0' "$statefile" >/dev/null || fail "the journal is not empty"

run plan --detailed-exitcode -f "$stack" --state "$state"
expect_rc 0 "plan after the resumed apply is empty"
# --- kill -9 after the create was sent but before its operation was noted:
# the journal names the create without an operation; the next apply must
# still wait for the cluster to be ready before building on it
sed 's/nginx-asia/nginx-eu/g' "$src/examples/nginx-asia/ikc.yaml" >"$work/eu.yaml"
eufile="$work/eu.json"
curl -sS --cacert "$IKC_CA_BUNDLE" -X POST \
	-d '{"spec": "slow:ms=1500:nth=1:route=POST /v1/projects/*/clusters"}' \
	"${IKC_CONTAINER_ENDPOINT}_sim/faults" >/dev/null || fail "cannot add the slow fault"
"$IKC" apply --auto-approve -f "$work/eu.yaml" --state "file://$eufile" >"$work/first.out" 2>"$work/first.err" &
first=$!
for _ in $(seq 1 100); do
	jq -e '.journal[]? | select(.address == "Cluster/nginx-eu")' "$eufile" >/dev/null 2>&1 && break
	sleep 0.05
done
sleep 0.3
kill -9 "$first"
wait "$first" 2>/dev/null
first=
jq -e '.journal[] | select(.address == "Cluster/nginx-eu") | .operation == null' "$eufile" >/dev/null ||
	fail "the journal should hold the cluster create without an operation"
for _ in $(seq 1 100); do
	[ "$(sim_get world | jq '[.clusters[] | select(.name == "nginx-eu")] | length')" = 1 ] && break
	sleep 0.05
done
run apply --auto-approve -f "$work/eu.yaml" --state "file://$eufile"
expect_rc 0 "apply after a kill before the operation was journaled"
expect_out "Apply complete: 2 added, 0 changed, 0 replaced, 0 destroyed."
[ "$(sim_get calls | jq '.creates["projects/demo-project/locations/asia-east1-a/clusters/nginx-eu"]')" = 1 ] ||
	fail "nginx-eu was not created exactly once"
run plan --detailed-exitcode -f "$work/eu.yaml" --state "file://$eufile"
expect_rc 0 "plan after the second resumed apply is empty"
finish
