#!/usr/bin/env bash
# ikc apply on a 3-member etcd cluster; the member ikc talks to first (the
# leader, first in the URL) is killed while the cluster is being created:
# ikc goes on with the other two and completes, its later state writes land,
# and the state reads back whole from what remains.  Then a member that
# hangs instead (first in the URL) while another stack is applied: the run
# keeps its lock and completes.
. "$(dirname "$0")/lib.sh"
. "$src/tests/e2e/etcd.sh"
. "$src/tests/integration/lib/sim.sh"
stack="$work/ikc.yaml"
cp "$src/examples/nginx-asia/ikc.yaml" "$stack"
export IKC_POLL_INTERVAL=0.05 IKC_ETCD_LOCK_TTL=3
etcd_start "$work/etcd" 3 || { echo "etcd did not start"; exit 1; }
trap 'etcd_stop_all; rm -rf "$work"' EXIT
# slow enough that the apply runs for seconds (cluster: 180 s / 40)
sim_start "$work/sim" --speed 40 || { echo "ikc-sim did not start"; exit 1; }
first=
trap '[ -n "$first" ] && kill -9 "$first" 2>/dev/null; sim_stop; etcd_stop_all; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }
stored() { etcd_ctl get --prefix ikc/x/state/ --print-value-only 2>/dev/null; }

leader=
for _ in $(seq 1 50); do
	leader=$(etcd_leader) && break
	sleep 0.1
done
[ -n "$leader" ] || { echo "the etcd cluster has no leader"; exit 1; }
# the leader first, so the member ikc uses is the one that goes away
eps="127.0.0.1:${ETCD_PORTS[$leader]}"
for ((i = 0; i < 3; i++)); do
	[ "$i" = "$leader" ] || eps+=",127.0.0.1:${ETCD_PORTS[$i]}"
done
state="etcd://$eps/ikc/x"

# --- the apply, until the cluster's operation is in the journal in etcd
(cd "$work" && exec "$IKC" apply --auto-approve -f "$stack" --state "$state") >"$work/out" 2>"$work/err" &
first=$!
serial=
for _ in $(seq 1 200); do
	doc=$(stored)
	if [ -n "$doc" ] && jq -e '.journal[]? | select(.address == "Cluster/nginx-asia") | .operation' <<<"$doc" >/dev/null 2>&1; then
		serial=$(jq -r .serial <<<"$doc")
		break
	fi
	sleep 0.05
done
[ -n "$serial" ] || { rc=-1; out=$(cat "$work/out"); err=$(cat "$work/err"); fail "no operation journaled in etcd for Cluster/nginx-asia"; finish; }
kill -0 "$first" 2>/dev/null || fail "the apply ended before the member was stopped; the sim is too fast for this test"

# --- stop the leader
etcd_member_stop "$leader" KILL
echo "stopped member m$leader (the leader) at serial $serial"

wait "$first"
rc=$?
first=
out=$(cat "$work/out")
err=$(cat "$work/err")
expect_rc 0 "apply with one of three members stopped"
expect_out "Apply complete: 4 added, 0 changed, 0 replaced, 0 destroyed."
grep -q "ikc-rescue" <<<"$err$out" && fail "the apply fell back to a rescue file"
ls "$work"/ikc-rescue-* >/dev/null 2>&1 && fail "a rescue file was written"
doc=$(stored)
[ "$(jq -r .serial <<<"$doc")" -gt "$serial" ] 2>/dev/null || fail "no state was written after the member stopped"
[ -n "$doc" ] && jq -e '((.journal // []) | length == 0) and (.resources | length == 4)' <<<"$doc" >/dev/null ||
	fail "the state in etcd is not the finished stack: $(jq -c '{journal, n: (.resources | length)}' <<<"$doc")"
[ -z "$(etcd_ctl get ikc/x/lock --keys-only)" ] || fail "the lock is still in etcd after the apply"
newleader=$(etcd_leader) || fail "the two remaining members have no leader"
[ "$newleader" != "$leader" ] || fail "the stopped member is still the leader"
[ "$(sim_get world | jq '.clusters | length')" = 1 ] || fail "the sim does not hold exactly one cluster"
twice=$(sim_get calls | jq -r '.creates | to_entries[] | select(.value != 1) | .key')
[ -z "$twice" ] || fail "created more than once: $twice"

# --- the state reads back whole through the same URL (its first member gone)
run plan --detailed-exitcode -f "$stack" --state "$state"
expect_rc 0 "plan after the apply is empty"
run state list -f "$stack" --state "$state"
expect_rc 0 "state list"
[ "$(wc -l <<<"$out")" = 4 ] || fail "state list does not show the 4 resources"

# --- the member comes back and catches up: the state is the same there
etcd_member_start "$leader" || fail "the stopped member did not come back"
for _ in $(seq 1 50); do
	back=$(ETCDCTL_API=3 etcdctl --endpoints="http://127.0.0.1:${ETCD_PORTS[$leader]}" \
		get --prefix ikc/x/state/ --print-value-only --consistency=s 2>/dev/null)
	[ "$back" = "$doc" ] && break
	sleep 0.1
done
[ "$back" = "$doc" ] || fail "the restarted member does not hold the state the others hold"

# --- a member that hangs (SIGSTOP: the kernel takes connections, nobody
# answers), first in the URL, while another stack is applied: the lock's
# lease must be renewed through the others in time (IKC_ETCD_LOCK_TTL=3)
leader=$(etcd_leader) || fail "no leader after the member came back"
hung=$(( (leader + 1) % 3 ))
eps="127.0.0.1:${ETCD_PORTS[$hung]}"
for ((i = 0; i < 3; i++)); do
	[ "$i" = "$hung" ] || eps+=",127.0.0.1:${ETCD_PORTS[$i]}"
done
sed 's/nginx-asia/nginx-eu/g' "$src/examples/nginx-asia/ikc.yaml" >"$work/eu.yaml"
(cd "$work" && exec "$IKC" apply --auto-approve -f "$work/eu.yaml" --state "etcd://$eps/ikc/eu") \
	>"$work/eu.out" 2>"$work/eu.err" &
first=$!
for _ in $(seq 1 200); do
	[ -n "$(etcd_ctl get ikc/eu/lock --keys-only 2>/dev/null)" ] && break
	sleep 0.05
done
kill -STOP "${ETCD_PIDS[$hung]}"
echo "member m$hung (a follower, first in the URL) hangs from now on"
wait "$first"
rc=$?
first=
kill -CONT "${ETCD_PIDS[$hung]}"
out=$(cat "$work/eu.out")
err=$(cat "$work/eu.err")
expect_rc 0 "apply with a hung member first in the URL"
expect_out "Apply complete: 4 added, 0 changed, 0 replaced, 0 destroyed."
grep -q "expired" <<<"$err" && fail "the run lost its lock while a member hung"
doc=$(etcd_ctl get --prefix ikc/eu/state/ --print-value-only 2>/dev/null)
[ -n "$doc" ] && jq -e '((.journal // []) | length == 0) and (.resources | length == 4)' <<<"$doc" >/dev/null ||
	fail "the eu state in etcd is not the finished stack"
finish
