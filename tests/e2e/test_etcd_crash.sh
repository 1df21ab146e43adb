#!/usr/bin/env bash
# ikc apply on an etcd state killed with SIGKILL while GKE creates the
# cluster: its lock stays until the lease (IKC_ETCD_LOCK_TTL=3) expires, so an
# apply right after is refused naming the dead holder; an apply with
# --lock-timeout waits, gets the lock once the lease is gone, waits on the
# very operation the first run journaled (no second create) and finishes.
. "$(dirname "$0")/lib.sh"
. "$src/tests/e2e/etcd.sh"
. "$src/tests/integration/lib/sim.sh"
stack="$work/ikc.yaml"
cp "$src/examples/nginx-asia/ikc.yaml" "$stack"
mkdir -p "$work/a" "$work/b"
export IKC_POLL_INTERVAL=0.05 IKC_ETCD_LOCK_TTL=3
etcd_start "$work/etcd" 1 || { echo "etcd did not start"; exit 1; }
trap 'etcd_stop_all; rm -rf "$work"' EXIT
# slow enough that creating the cluster takes seconds (180 s / 20 = 9 s)
sim_start "$work/sim" --speed 20 || { echo "ikc-sim did not start"; exit 1; }
first=
trap '[ -n "$first" ] && kill -9 "$first" 2>/dev/null; sim_stop; etcd_stop_all; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }
state="etcd://$ETCD_ENDPOINTS/ikc/x"
# The state document as etcd holds it now (one chunk: the whole document).
stored() { etcd_ctl get --prefix ikc/x/state/ --print-value-only 2>/dev/null; }
now() { date +%s.%N; }

# --- the first apply, until the cluster's operation is in the journal in etcd
(cd "$work/a" && exec "$IKC" apply --auto-approve -f "$stack" --state "$state") \
	>"$work/first.out" 2>"$work/first.err" &
first=$!
op=
for _ in $(seq 1 200); do
	op=$(stored | jq -r '.journal[]? | select(.address == "Cluster/nginx-asia") | .operation // empty' 2>/dev/null)
	[ -n "$op" ] && break
	sleep 0.05
done
[ -n "$op" ] || { rc=-1; out=$(cat "$work/first.out"); err=$(cat "$work/first.err"); fail "no operation journaled in etcd for Cluster/nginx-asia"; finish; }
kill -0 "$first" 2>/dev/null || fail "the first apply ended before the cluster was created"

# --- kill -9 in the middle of the cluster create
kill -9 "$first"
wait "$first" 2>/dev/null
killed=$first
first=
t_kill=$(now)
[ "$(sim_get world | jq -r '.clusters[0].status')" = PROVISIONING ] || fail "expected the cluster PROVISIONING after the kill"
[ "$(etcd_ctl get ikc/x/lock --print-value-only | jq -r .pid)" = "$killed" ] ||
	fail "the killed run's lock should stay in etcd until its lease expires"

# --- right away, without --lock-timeout: refused, naming the dead holder
cd "$work/b" || exit 1
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 1 "apply while the dead run's lease lasts"
expect_err "state is locked by ikc apply"
expect_err "pid $killed"

# --- with --lock-timeout: waits out the lease, resumes the journal's operation
(IKC_LOG=debug exec "$IKC" apply --auto-approve -f "$stack" --state "$state" --lock-timeout 1m) \
	>"$work/out" 2>"$work/err" &
first=$!
second=$first
t_lock=
while kill -0 "$first" 2>/dev/null; do
	h=$(etcd_ctl get ikc/x/lock --print-value-only | jq -r '.pid // empty' 2>/dev/null)
	if [ -n "$h" ] && [ "$h" != "$killed" ]; then
		t_lock=$(now)
		break
	fi
	sleep 0.05
done
wait "$first"
rc=$?
first=
out=$(cat "$work/out")
err=$(cat "$work/err")
[ -n "$t_lock" ] || fail "never saw the waiting apply take the lock"
[ "$h" = "$second" ] || [ -z "$t_lock" ] || fail "the lock taken (pid $h) is not the waiting apply's"
if [ -n "$t_lock" ]; then
	waited=$(awk -v a="$t_kill" -v b="$t_lock" 'BEGIN { printf "%.1f", b - a }')
	awk -v w="$waited" 'BEGIN { exit !(w >= 1.5 && w < 15) }' ||
		fail "the lock was taken ${waited}s after the kill; the 3s lease should have held it 1.5-15s"
	echo "the waiting apply took the lock ${waited}s after the kill"
fi
expect_rc 0 "apply after the kill"
expect_out "Finishing what an earlier run left in flight"
expect_out "Apply complete: 2 added, 0 changed, 0 replaced, 0 destroyed."
grep -q "GET [^ ]*/operations/$op -> 200" <<<"$err" || fail "the second run did not wait on operation $op"
calls=$(sim_get calls)
[ "$(jq '.routes["POST /v1/projects/{project}/locations/{location}/clusters"]' <<<"$calls")" = 1 ] ||
	fail "the cluster create was sent more than once: $(jq -c .routes <<<"$calls")"
twice=$(jq -r '.creates | to_entries[] | select(.value != 1) | .key' <<<"$calls")
[ -z "$twice" ] || fail "created more than once: $twice"
[ "$(sim_get world | jq '.clusters | length')" = 1 ] || fail "the sim does not hold exactly one cluster"
[ -z "$(etcd_ctl get ikc/x/lock --keys-only)" ] || fail "the lock is still in etcd after the apply"
doc=$(stored)
[ -n "$doc" ] && jq -e '(.journal // []) | length == 0' <<<"$doc" >/dev/null || fail "the journal in etcd is not empty"
[ "$(jq '.resources | length' <<<"$doc")" = 4 ] || fail "the state in etcd does not hold the 4 resources"

run plan --detailed-exitcode -f "$stack" --state "$state"
expect_rc 0 "plan after the resumed apply is empty"
finish
