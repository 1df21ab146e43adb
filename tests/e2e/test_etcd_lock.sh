#!/usr/bin/env bash
# Two `ikc apply` runs from different directories sharing one etcd state
# (spec.state in each copy of the stack file): while one runs, another fails
# at once naming the holder, one with a short --lock-timeout gives up after
# it, and one with a long --lock-timeout waits for the first to finish and
# then runs on the state the first left (one update, nothing created twice).
. "$(dirname "$0")/lib.sh"
. "$src/tests/e2e/etcd.sh"
. "$src/tests/integration/lib/sim.sh"
export IKC_POLL_INTERVAL=0.05
etcd_start "$work/etcd" 1 || { echo "etcd did not start"; exit 1; }
trap 'etcd_stop_all; rm -rf "$work"' EXIT
# slow enough that the first apply runs for seconds (cluster: 180 s / 40)
sim_start "$work/sim" --speed 40 || { echo "ikc-sim did not start"; exit 1; }
first=
trap '[ -n "$first" ] && kill -9 "$first" 2>/dev/null; sim_stop; etcd_stop_all; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }
url="etcd://$ETCD_ENDPOINTS/ikc/x"
for d in a b; do
	mkdir -p "$work/$d"
	sed "0,/^spec:/s##spec:\n  state: $url#" "$src/examples/nginx-asia/ikc.yaml" >"$work/$d/ikc.yaml"
done
# b/ wants 3 replicas: the run that waited has one change to make
sed -i 's/replicas: 2/replicas: 3/' "$work/b/ikc.yaml"
grep -q "state: $url" "$work/a/ikc.yaml" && grep -q "replicas: 3" "$work/b/ikc.yaml" ||
	{ echo "could not edit the stack files"; exit 1; }
# run_in DIR ARGS...: run, from DIR (the stack file there is ./ikc.yaml)
run_in() { local d=$1; shift; pushd "$d" >/dev/null || return; run "$@"; popd >/dev/null || return; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# --- the first apply, from a/, until it holds the lock in etcd
(cd "$work/a" && exec "$IKC" apply --auto-approve) >"$work/first.out" 2>"$work/first.err" &
first=$!
for _ in $(seq 1 200); do
	[ -n "$(etcd_ctl get ikc/x/lock --print-value-only 2>/dev/null)" ] && break
	sleep 0.05
done
holder=$(etcd_ctl get ikc/x/lock --print-value-only)
[ "$(jq -r .pid <<<"$holder" 2>/dev/null)" = "$first" ] ||
	{ rc=-1; out=$(cat "$work/first.out"); err=$(cat "$work/first.err"); fail "the lock in etcd is not the first apply's: '$holder'"; finish; }

# --- a second apply from b/ fails at once, naming the holder
t0=$(now)
run_in "$work/b" apply --auto-approve
t1=$(now)
expect_rc 1 "second apply while the first holds the lock"
expect_err "state is locked by ikc apply"
expect_err "pid $first"
expect_err "ikc force-unlock"
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 3) }' || fail "the refused apply took $(elapsed "$t0" "$t1")s to give up"
[ "$(etcd_ctl get ikc/x/lock --print-value-only)" = "$holder" ] || fail "the refused apply touched the holder's lock"
kill -0 "$first" 2>/dev/null || fail "the first apply ended before the second was refused; the sim is too fast for this test"

# --- with --lock-timeout 1s it waits that long, then gives up
t0=$(now)
run_in "$work/b" apply --auto-approve --lock-timeout 1s
t1=$(now)
expect_rc 1 "apply with a 1s lock timeout while the first holds the lock"
expect_err "pid $first"
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1 && b - a < 5) }' ||
	fail "with --lock-timeout 1s the apply gave up after $(elapsed "$t0" "$t1")s"
kill -0 "$first" 2>/dev/null || fail "the first apply ended before the timed-out wait; the sim is too fast for this test"

# --- with --lock-timeout 2m it waits for the first, then runs on its state
t0=$(now)
run_in "$work/b" apply --auto-approve --lock-timeout 2m
t1=$(now)
expect_rc 0 "apply that waited for the lock"
wait "$first"
firstrc=$?
first=
[ "$firstrc" = 0 ] || fail "the first apply failed ($firstrc): $(cat "$work/first.err")"
grep -qF "Apply complete: 4 added, 0 changed, 0 replaced, 0 destroyed." "$work/first.out" ||
	fail "the first apply did not create the stack: $(tail -5 "$work/first.out")"
expect_out "Apply complete: 0 added, 1 changed, 0 replaced, 0 destroyed."
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 0.5) }' || fail "the waiting apply did not wait ($(elapsed "$t0" "$t1")s)"
calls=$(sim_get calls)
twice=$(jq -r '.creates | to_entries[] | select(.value != 1) | .key' <<<"$calls")
[ -z "$twice" ] || fail "created more than once: $twice"
[ "$(sim_get world | jq '.clusters | length')" = 1 ] || fail "the sim does not hold exactly one cluster"
[ -z "$(etcd_ctl get ikc/x/lock --keys-only)" ] || fail "the lock is still in etcd after both applies"

# --- both directories see the one state
run_in "$work/a" state list
expect_rc 0 "state list from a/"
[ "$(wc -l <<<"$out")" = 4 ] || fail "a/ does not see the 4 resources"
run_in "$work/b" plan --detailed-exitcode
expect_rc 0 "plan from b/ is empty"
finish
