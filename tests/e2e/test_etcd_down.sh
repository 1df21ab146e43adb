#!/usr/bin/env bash
# etcd (one member) stopped while ikc apply creates the cluster: the apply
# fails clearly, naming a rescue file in its working directory that holds
# what it could not write; once etcd is back, `ikc state push` of that file
# restores it, and the next apply builds on it (nothing created twice).
# Then etcd restarted during an apply with no write due: the run completes.
. "$(dirname "$0")/lib.sh"
. "$src/tests/e2e/etcd.sh"
. "$src/tests/integration/lib/sim.sh"
stack="$work/ikc.yaml"
cp "$src/examples/nginx-asia/ikc.yaml" "$stack"
mkdir -p "$work/a"
export IKC_POLL_INTERVAL=0.05 IKC_ETCD_LOCK_TTL=3
etcd_start "$work/etcd" 1 || { echo "etcd did not start"; exit 1; }
trap 'etcd_stop_all; rm -rf "$work"' EXIT
# slow enough that creating the cluster takes seconds (180 s / 30 = 6 s)
sim_start "$work/sim" --speed 30 || { echo "ikc-sim did not start"; exit 1; }
first=
trap '[ -n "$first" ] && kill -9 "$first" 2>/dev/null; sim_stop; etcd_stop_all; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }
state="etcd://$ETCD_ENDPOINTS/ikc/x"
stored() { etcd_ctl get --prefix ikc/x/state/ --print-value-only 2>/dev/null; }
cd "$work/a" || exit 1

# --- the apply, until the cluster's operation is in the journal in etcd
"$IKC" apply --auto-approve -f "$stack" --state "$state" >"$work/out" 2>"$work/err" &
first=$!
before=
for _ in $(seq 1 200); do
	doc=$(stored)
	if [ -n "$doc" ] && [ -n "$(jq -r '.journal[]? | select(.address == "Cluster/nginx-asia") | .operation // empty' <<<"$doc")" ]; then
		before=$(jq -r .serial <<<"$doc")
		break
	fi
	sleep 0.05
done
[ -n "$before" ] || { rc=-1; out=$(cat "$work/out"); err=$(cat "$work/err"); fail "no operation journaled in etcd for Cluster/nginx-asia"; finish; }
kill -0 "$first" 2>/dev/null || fail "the apply ended before etcd was stopped; the sim is too fast for this test"

# --- etcd goes away; the apply must fail, not hang
etcd_member_stop 0 TERM
for _ in $(seq 1 600); do
	kill -0 "$first" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$first" 2>/dev/null; then
	rc=-1; out=$(cat "$work/out"); err=$(cat "$work/err")
	fail "the apply still runs 60s after etcd stopped"
	finish
fi
wait "$first"
rc=$?
first=
out=$(cat "$work/out")
err=$(cat "$work/err")
expect_rc 1 "apply with etcd stopped"
expect_err "ikc: error:"
expect_err "$state"
rescue=$(grep -o '\./ikc-rescue-nginx-asia-[0-9]*\.state\.json' <<<"$err" | tail -1)
[ -n "$rescue" ] || fail "the error names no rescue file"
expect_err "ikc state push $rescue"
[ -n "$rescue" ] && [ -f "$rescue" ] || fail "the rescue file $rescue is not in the apply's directory"
[ -n "$rescue" ] && [ "$(stat -c %a "$rescue")" = 600 ] || fail "the rescue file is not private (0600)"
# it holds what the apply could not write: the cluster, created
rserial=$(jq -r .serial "$rescue" 2>/dev/null)
[ "$rserial" -gt "$before" ] 2>/dev/null || fail "the rescue file's serial ($rserial) is not newer than etcd's ($before)"
[ "$(jq -r '.resources[]? | select(.address == "Cluster/nginx-asia") | .address' "$rescue" 2>/dev/null)" = Cluster/nginx-asia ] ||
	fail "the rescue file does not hold the created cluster"
[ "$(sim_get world | jq '.clusters | length')" = 1 ] || fail "the sim should hold the one cluster"

# --- etcd is back (same data): it still holds the older state
etcd_member_start 0 || { fail "etcd did not come back"; finish; }
run state pull -f "$stack" --state "$state" --lock-timeout 30s
expect_rc 0 "pull once etcd is back"
held=$(jq -r .serial <<<"$out" 2>/dev/null)
[ "$held" -ge "$before" ] 2>/dev/null && [ "$held" -lt "$rserial" ] 2>/dev/null ||
	fail "etcd should hold a serial from $before up to before the rescue file's $rserial, not '$held'"
[ -z "$(jq -r '.resources[]? | select(.address == "Cluster/nginx-asia") | .address' <<<"$out" 2>/dev/null)" ] ||
	fail "etcd already holds the created cluster; the rescue file would restore nothing"

# --- state push of the rescue file restores it
run state push "$rescue" -f "$stack" --state "$state" --lock-timeout 30s
expect_rc 0 "state push of the rescue file"
expect_out "State pushed: serial $rserial."
run state pull -f "$stack" --state "$state"
expect_rc 0 "pull after the push"
printf '%s\n' "$out" >"$work/pulled.json"
cmp -s "$rescue" "$work/pulled.json" ||
	fail "state pull does not give back the rescue file: $(diff "$rescue" "$work/pulled.json" | head -20)"

# --- the next apply builds on it: nothing is created twice
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply after the push"
expect_out "Apply complete:"
twice=$(sim_get calls | jq -r '.creates | to_entries[] | select(.value != 1) | .key')
[ -z "$twice" ] || fail "created more than once: $twice"
[ "$(sim_get world | jq '.clusters | length')" = 1 ] || fail "the sim does not hold exactly one cluster"
run plan --detailed-exitcode -f "$stack" --state "$state"
expect_rc 0 "plan after the apply is empty"
[ "$(stored | jq '.resources | length')" = 4 ] || fail "the state in etcd does not hold the 4 resources"

# --- etcd restarted while another stack's apply waits on its cluster, with
# no state write due meanwhile: the run keeps its lock and completes (a
# sim of its own, slower: the cluster takes 12 s, longer than the outage)
sim_stop
sim_start "$work/sim2" --speed 15 || { fail "the second ikc-sim did not start"; finish; }
sed 's/nginx-asia/nginx-eu/g' "$src/examples/nginx-asia/ikc.yaml" >"$work/eu.yaml"
"$IKC" apply --auto-approve -f "$work/eu.yaml" --state "etcd://$ETCD_ENDPOINTS/ikc/eu" \
	>"$work/eu.out" 2>"$work/eu.err" &
first=$!
for _ in $(seq 1 200); do
	etcd_ctl get --prefix ikc/eu/state/ --print-value-only 2>/dev/null |
		grep -q '"operation"' && break
	sleep 0.05
done
etcd_member_stop 0 TERM
sleep 3                       # keepalives fail (each tries for ~1.7 s)
etcd_member_start 0 || fail "etcd did not come back"
wait "$first"
rc=$?
first=
out=$(cat "$work/eu.out")
err=$(cat "$work/eu.err")
expect_rc 0 "apply across an etcd restart"
expect_out "Apply complete: 4 added, 0 changed, 0 replaced, 0 destroyed."
expect_err "could not renew the state lock lease"
expect_err "renewed the state lock lease"
[ "$(grep -c "could not renew" <<<"$err")" = 1 ] || fail "the failed renewals were warned about more than once"
ls ./ikc-rescue-nginx-eu-* >/dev/null 2>&1 && fail "a rescue file was written though etcd was back in time"
[ -z "$(etcd_ctl get ikc/eu/lock --keys-only)" ] || fail "the eu lock is still in etcd after the apply"
finish
