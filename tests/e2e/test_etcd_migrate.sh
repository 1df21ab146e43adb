#!/usr/bin/env bash
# `ikc state migrate` from a file to a real etcd and back: `ikc state pull`
# gives the same bytes from every backend, the file that comes back is the
# file that left, and the stack works from etcd in between (plan empty, an
# apply there travels back with the state).
. "$(dirname "$0")/lib.sh"
. "$src/tests/e2e/etcd.sh"
. "$src/tests/integration/lib/sim.sh"
stack="$work/ikc.yaml"
cp "$src/examples/nginx-asia/ikc.yaml" "$stack"
mkdir -p "$work/a" "$work/b"
filestate="file://$work/a/state.json"
export IKC_POLL_INTERVAL=0.05
etcd_start "$work/etcd" 1 || { echo "etcd did not start"; exit 1; }
trap 'etcd_stop_all; rm -rf "$work"' EXIT
sim_start "$work/sim" --speed 400 || { echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; etcd_stop_all; rm -rf "$work"' EXIT
etcdstate="etcd://$ETCD_ENDPOINTS/ikc/x"

run apply --auto-approve -f "$stack" --state "$filestate"
expect_rc 0 "apply to the file state"
expect_out "Apply complete: 4 added, 0 changed, 0 replaced, 0 destroyed."
run state pull -f "$stack" --state "$filestate"
expect_rc 0 "pull from the file"
printf '%s\n' "$out" >"$work/pull-file.json"
lineage=$(jq -r .lineage "$work/pull-file.json")
serial=$(jq -r .serial "$work/pull-file.json")
[ -n "$lineage" ] && [ "$serial" -gt 0 ] 2>/dev/null || fail "the pulled file state has no lineage/serial"

# --- file -> etcd
run state migrate --to "$etcdstate" -f "$stack" --state "$filestate"
expect_rc 0 "migrate file -> etcd"
expect_out "State moved from $filestate to $etcdstate"
# etcd holds the file's bytes: the manifest's size and SHA-256 are the file's
manifest=$(etcd_ctl get ikc/x/state --print-value-only)
[ "$(jq -r .sha256 <<<"$manifest")" = "$(sha256sum <"$work/a/state.json" | cut -d' ' -f1)" ] ||
	fail "etcd's manifest ($manifest) does not name the file's SHA-256"
[ "$(jq -r .size <<<"$manifest")" = "$(stat -c %s "$work/a/state.json")" ] ||
	fail "etcd's manifest does not name the file's size"
[ "$(jq -r .serial <<<"$manifest")" = "$serial" ] || fail "the serial changed on the way to etcd"
[ "$(jq -r .lineage <<<"$manifest")" = "$lineage" ] || fail "the lineage changed on the way to etcd"
run state pull -f "$stack" --state "$etcdstate"
expect_rc 0 "pull from etcd"
printf '%s\n' "$out" >"$work/pull-etcd.json"
cmp -s "$work/pull-file.json" "$work/pull-etcd.json" ||
	fail "state pull from etcd differs from state pull from the file: $(diff "$work/pull-file.json" "$work/pull-etcd.json" | head -20)"
[ -f "$work/a/state.json" ] || fail "migrate removed the file it read"
[ -n "$(etcd_ctl get ikc/x/lock --keys-only)" ] && fail "migrate left the etcd lock behind"
[ -f "$work/a/state.json.lock" ] && fail "migrate left the file lock behind"

# --- the stack works from etcd: nothing to do
run plan --detailed-exitcode -f "$stack" --state "$etcdstate"
expect_rc 0 "plan on the migrated state is empty"

# --- etcd -> another file: the very bytes that left
run state migrate --to "file://$work/b/back.json" -f "$stack" --state "$etcdstate"
expect_rc 0 "migrate etcd -> file"
expect_out "State moved from $etcdstate to file://$work/b/back.json"
cmp -s "$work/a/state.json" "$work/b/back.json" ||
	fail "the file back from etcd is not the file that went: $(diff "$work/a/state.json" "$work/b/back.json" | head -20)"
run state pull -f "$stack" --state "file://$work/b/back.json"
expect_rc 0 "pull from the file back from etcd"
printf '%s\n' "$out" >"$work/pull-back.json"
cmp -s "$work/pull-file.json" "$work/pull-back.json" || fail "state pull after the round trip differs"

# --- a change applied on etcd travels back the same way
sed -i 's/replicas: 2/replicas: 3/' "$stack"
run apply --auto-approve -f "$stack" --state "$etcdstate"
expect_rc 0 "apply on the etcd state"
expect_out "0 added, 1 changed, 0 replaced, 0 destroyed"
run state pull -f "$stack" --state "$etcdstate"
printf '%s\n' "$out" >"$work/pull-etcd2.json"
[ "$(jq -r .serial "$work/pull-etcd2.json")" -gt "$serial" ] || fail "the apply on etcd did not raise the serial"
run state migrate --to "file://$work/b/back2.json" -f "$stack" --state "$etcdstate"
expect_rc 0 "migrate the changed state etcd -> file"
run state pull -f "$stack" --state "file://$work/b/back2.json"
printf '%s\n' "$out" >"$work/pull-back2.json"
cmp -s "$work/pull-etcd2.json" "$work/pull-back2.json" || fail "state pull of the changed state differs after etcd -> file"
[ "$(jq -r '.resources[] | select(.address == "ReplicationController/nginx") | .desired.spec.replicas' \
	"$work/pull-back2.json")" = 3 ] || fail "the state back from etcd lacks replicas: 3"
run plan --detailed-exitcode -f "$stack" --state "file://$work/b/back2.json"
expect_rc 0 "plan on the file back from etcd is empty"
finish
