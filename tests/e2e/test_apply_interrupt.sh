#!/usr/bin/env bash
# Ctrl-C during ikc apply on a slow cloud.  The first SIGINT starts nothing
# new, lets the calls in flight finish, saves the state and releases the
# lock: exit 130, the state holds what finished and the journal what was in
# flight.  A second SIGINT stops at once, the state saved.  Either way the
# next apply finishes the job and a plan afterwards is empty.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
statefile="$work/state.json"
state="file://$statefile"
export IKC_POLL_INTERVAL=0.05
# slow: a cluster takes 180 s / 40 = 4.5 s, a node pool 2.25 s
sim_start "$work/sim" --speed 40 || { echo "ikc-sim did not start"; exit 1; }
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; sim_stop; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }

header() {
	cat <<'YAML'
apiVersion: ikc.dev/v1
kind: Stack
metadata:
  name: fleet
spec:
  google:
    project: demo-project
YAML
}
cluster() {
	printf -- '---\napiVersion: container.googleapis.com/v1\nkind: Cluster\n'
	printf 'metadata:\n  name: %s\nspec:\n  location: us-central1-a\n  initialNodeCount: 1\n' "$1"
}
pool() {
	printf -- '---\napiVersion: container.googleapis.com/v1\nkind: NodePool\n'
	printf 'metadata:\n  name: %s\nspec:\n  cluster: %s\n  nodeCount: 1\n' "$1" "$2"
}
# start_apply FILE: ikc apply in the background (two changes at a time)
start_apply() {
	"$IKC" apply --auto-approve --parallelism 2 -f "$1" --state "$state" \
		>"$work/bg.out" 2>"$work/bg.err" &
	pid=$!
}
# wait_state JQ: until the state file satisfies JQ (10 s at most)
wait_state() {
	local _
	for _ in $(seq 1 200); do
		jq -e "$1" "$statefile" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}
# stop_bg: waits for the background apply; its outputs into $out/$err/$rc
stop_bg() {
	wait "$pid"
	rc=$?
	pid=
	out=$(cat "$work/bg.out")
	err=$(cat "$work/bg.err")
}
journaled() { jq -r '[.journal[]? | select(.operation) | .address] | sort | join(",")' "$statefile"; }
recorded() { jq -r '[.resources[].address] | sort | join(",")' "$statefile"; }
clusters() { sim_get world | jq -r '[.clusters[].name] | sort | join(",")'; }

# --- a cluster to start from
header >"$work/base.yaml"
cluster base >>"$work/base.yaml"
run apply --auto-approve -f "$work/base.yaml" --state "$state"
expect_rc 0 "apply the base cluster"

# --- four independent changes, two at a time: a node pool (fast) and three
# clusters.  Ctrl-C once the pool is done and two clusters are in flight.
{ cat "$work/base.yaml"; pool extra base; cluster c2; cluster c3; cluster c4; } >"$work/fleet.yaml"
start_apply "$work/fleet.yaml"
wait_state '(.resources[] | select(.address == "NodePool/extra")) and
	    ([.journal[]? | select(.operation and (.address | startswith("Cluster/")))]
	     | length == 2)' ||
	fail "never saw NodePool/extra done with two clusters in flight"
kill -INT "$pid"
stop_bg
expect_rc 130 "apply after one Ctrl-C"
expect_out "Interrupted: 1 added"
expect_err "interrupted: 1 change not started, 2 left in flight"
[ -f "$statefile.lock" ] && fail "the lock file is still there after Ctrl-C"
jq -e . "$statefile" >/dev/null || fail "the state does not parse"
[ "$(recorded)" = "Cluster/base,NodePool/extra" ] || fail "state holds $(recorded)"
inflight=$(journaled)
case "$inflight $(clusters)" in
"Cluster/c2,Cluster/c3 base,c2,c3" | "Cluster/c2,Cluster/c4 base,c2,c4" | \
"Cluster/c3,Cluster/c4 base,c3,c4") ;;
*) fail "journal holds [$inflight], the sim holds clusters [$(clusters)]: want the two in flight, and the third never started" ;;
esac

# --- the next apply finishes the job
run apply --auto-approve -f "$work/fleet.yaml" --state "$state"
expect_rc 0 "apply after the interrupted one"
expect_out "Finishing what an earlier run left in flight"
expect_out "Apply complete: 1 added, 0 changed, 0 replaced, 0 destroyed."
run plan --detailed-exitcode -f "$work/fleet.yaml" --state "$state"
expect_rc 0 "plan after finishing is empty"
[ "$(clusters)" = "base,c2,c3,c4" ] || fail "the sim holds clusters $(clusters)"

# --- a second Ctrl-C does not wait for slow calls in flight: every operation
# poll now takes 6 s, so one Ctrl-C alone would wait that long
{ cat "$work/fleet.yaml"; cluster c5; cluster c6; } >"$work/more.yaml"
curl -sS --cacert "$IKC_CA_BUNDLE" -X POST -d '{"spec": "slow:ms=6000:route=GET /v1/projects/*/operations/*"}' \
	"${IKC_CONTAINER_ENDPOINT}_sim/faults" >/dev/null || fail "cannot add the slow fault"
start_apply "$work/more.yaml"
wait_state '[.journal[]? | select(.operation)] | length == 2' || fail "never saw c5 and c6 in flight"
sleep 0.3
t0=$(date +%s.%N)
kill -INT "$pid"
sleep 0.3
kill -INT "$pid"
stop_bg
t1=$(date +%s.%N)
expect_rc 130 "apply after two Ctrl-C"
expect_err "stopped"
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 3) }' ||
	fail "two Ctrl-C took $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')s to stop"
[ -f "$statefile.lock" ] && fail "the lock file is still there after two Ctrl-C"
jq -e . "$statefile" >/dev/null || fail "the state does not parse after two Ctrl-C"
[ "$(journaled)" = "Cluster/c5,Cluster/c6" ] || fail "journal holds [$(journaled)] after two Ctrl-C"

curl -sS --cacert "$IKC_CA_BUNDLE" -X DELETE "${IKC_CONTAINER_ENDPOINT}_sim/faults" >/dev/null
run apply --auto-approve -f "$work/more.yaml" --state "$state"
expect_rc 0 "apply after two Ctrl-C"
expect_out "Finishing what an earlier run left in flight"
run plan --detailed-exitcode -f "$work/more.yaml" --state "$state"
expect_rc 0 "plan after finishing is empty"
twice=$(sim_get calls | jq -r '.creates | to_entries[] | select(.value != 1) | .key')
[ -z "$twice" ] || fail "created more than once: $twice"
[ "$(clusters)" = "base,c2,c3,c4,c5,c6" ] || fail "the sim holds clusters $(clusters)"
# --- Ctrl-C while refreshing (every cluster read now takes 2 s): 130 too,
# nothing planned, nothing created, the lock released
curl -sS --cacert "$IKC_CA_BUNDLE" -X POST -d '{"spec": "slow:ms=2000:route=GET /v1/projects/*/clusters/*"}' \
	"${IKC_CONTAINER_ENDPOINT}_sim/faults" >/dev/null || fail "cannot add the slow fault"
{ cat "$work/more.yaml"; cluster c7; } >"$work/last.yaml"
start_apply "$work/last.yaml"
sleep 0.8
kill -INT "$pid"
stop_bg
expect_rc 130 "apply interrupted while refreshing"
grep -q "will be created" <<<"$out" && fail "a plan was made after Ctrl-C"
[ -f "$statefile.lock" ] && fail "the lock file is still there after Ctrl-C while refreshing"
[ "$(clusters)" = "base,c2,c3,c4,c5,c6" ] || fail "the sim holds clusters $(clusters)"
curl -sS --cacert "$IKC_CA_BUNDLE" -X DELETE "${IKC_CONTAINER_ENDPOINT}_sim/faults" >/dev/null
# --- destroy stops the same way: the deletions in flight stay in the journal
# (and their resources in the state); the next destroy finishes them
"$IKC" destroy --auto-approve --parallelism 2 -f "$work/more.yaml" --state "$state" \
	>"$work/bg.out" 2>"$work/bg.err" &
pid=$!
wait_state '[.journal[]? | select(.action == "delete" and .operation)] | length == 2' ||
	fail "never saw two deletions in flight"
kill -INT "$pid"
stop_bg
expect_rc 130 "destroy after one Ctrl-C"
[ -f "$statefile.lock" ] && fail "the lock file is still there after Ctrl-C of destroy"
deleting=$(jq -r '[.journal[]? | select(.action == "delete" and .operation) | .address] | sort | join(",")' "$statefile")
[ "$(jq -r --arg d "$deleting" '[.resources[].address | select(IN($d | split(",")[]))] | length' "$statefile")" = 2 ] ||
	fail "the state should still hold the two resources being deleted ($deleting)"
run destroy --auto-approve -f "$work/more.yaml" --state "$state"
expect_rc 0 "destroy after the interrupted one"
expect_out "Finishing what an earlier run left in flight"
[ -z "$(clusters)" ] || fail "the sim still holds clusters $(clusters)"
run state list -f "$work/more.yaml" --state "$state"
[ -z "$out" ] || fail "state not empty after destroy: $out"
finish
