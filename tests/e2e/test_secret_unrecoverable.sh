#!/usr/bin/env bash
# A short Secret value (three letters) cannot be recovered from anything ikc
# writes: the state and its backups, the journal of a change the API
# refused, saved plan files, every output format, `state pull`, `state
# show`, `show`, drift reports, metrics and the IKC_LOG=debug log.  An
# offline attacker (e2e_secretguess) tries all 17,576 three-letter values,
# as they are and as base64, against SHA-256 and HMAC-SHA-256 under every
# hex token the files hold (as a salt beside a hash would be).  First it
# must recover such a value from a file written the way ikc used to store
# Secrets (salt + HMAC), so that it is known to find what it looks for.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
guess=${IKC_SECRETGUESS:?}
kubectl=${IKC_KUBECTL:?}
letters=abcdefghijklmnopqrstuvwxyz

# the attacker works: salted HMAC of the JSON text of base64("qzx")
salt=0123456789abcdef0123456789abcdef
mac=$(printf '%s' '"cXp4"' | openssl dgst -sha256 -hmac "$salt" -r | cut -d' ' -f1)
printf '{"secret_salt":"%s","desired":{"data":{"p":"(sensitive) hmac-sha256:%s"}}}\n' \
  "$salt" "$mac" >"$work/old-design.json"
"$guess" 3 "$letters" "$work/old-design.json" >"$work/guess" && fail "the attacker does not find a salted hash"
grep -q 'recovered qzx' "$work/guess" || fail "the attacker recovered the wrong value: $(cat "$work/guess")"

sim_example
export IKC_LOG=debug
mkdir -p "$work/outs"
cat >>"$stack" <<YAML
---
apiVersion: v1
kind: Secret
metadata:
  name: short-string
stringData:
  pin: qzx
---
apiVersion: v1
kind: Secret
metadata:
  name: short-data
data:
  pin: $(printf kvw | base64 -w0)
YAML
n=0
keep() { n=$((n + 1)); cp "$work/out" "$work/outs/$n.out"; cp "$work/err" "$work/outs/$n.err"; }

run plan -f "$stack" --state "$state"; keep
run apply --auto-approve -f "$stack" --state "$state"; keep
expect_rc 0 "apply the Secrets"
run plan -f "$stack" --state "$state" --detailed-exitcode; keep
expect_rc 0 "nothing to do"
for fmt in text json markdown; do
  run plan --refresh=false -f "$stack" --state "$state" --format "$fmt"; keep
done
# a change of each value, planned and saved
sed -i "s/pin: qzx/pin: jyb/; s/pin: $(printf kvw | base64 -w0)/pin: $(printf hfu | base64 -w0)/" "$stack"
for fmt in text json markdown; do
  run plan -f "$stack" --state "$state" --format "$fmt"; keep
done
run plan -f "$stack" --state "$state" --out "$work/outs/change.plan"; keep
expect_rc 0 "saved plan"
for fmt in text json markdown; do
  run show "$work/outs/change.plan" --format "$fmt"; keep
done
# the change refused by the API: it waits in the journal
curl -sS --cacert "$IKC_CA_BUNDLE" -X POST "${IKC_CONTAINER_ENDPOINT}_sim/faults" \
  -d '{"spec": "500:times=1000:route=PATCH /api/v1/namespaces/default/secrets"}' >/dev/null
run apply --auto-approve -f "$stack" --state "$state"; keep
expect_rc 1 "apply refused by the API"
jq -e '[.journal[] | select(.address | startswith("Secret/"))] | length >= 1' \
  "$work/state/state.json" >/dev/null || fail "the refused change is not in the journal"
cp "$work/state/state.json" "$work/outs/journaled-state.json"
curl -sS --cacert "$IKC_CA_BUNDLE" -X DELETE "${IKC_CONTAINER_ENDPOINT}_sim/faults" >/dev/null
run apply "$work/outs/change.plan" -f "$stack" --state "$state"; keep
run apply --auto-approve -f "$stack" --state "$state"; keep
expect_rc 0 "the change applied"
# drift: someone sets another short value
kubeconfig_for Cluster/nginx-asia "$stack" "$state" || fail "kubeconfig"
"$kubectl" patch secret short-data -p "{\"data\":{\"pin\":\"$(printf wdt | base64 -w0)\"}}" >/dev/null ||
  fail "kubectl patch"
for fmt in text json; do
  run drift -f "$stack" --state "$state" --format "$fmt" --metrics-file "$work/outs/m$n.prom"; keep
done
run state pull -f "$stack" --state "$state"; keep
for a in Secret/short-string Secret/short-data; do
  run state show "$a" -f "$stack" --state "$state"; keep
  run state show "$a" -f "$stack" --state "$state" --format json; keep
done
run show -f "$stack" --state "$state" --format json; keep
run output -f "$stack" --state "$state" --format json; keep
grep -q 'debug: http: ' "$work/outs/"*.err || fail "no debug log was written"

# everything ikc wrote: outputs, logs, plan files, the state, its backups,
# the journaled state, and whatever ikc keeps in its working folders
files=$(find "$work/outs" "$work/state" "$work/home" -type f 2>/dev/null)
[ -d .ikc ] && files="$files $(find .ikc -type f)"
[ "$(wc -w <<<"$files")" -gt 20 ] || fail "too few files to look at: $files"
"$guess" 3 "$letters" $files >"$work/guess"
grc=$?
cat "$work/guess"
[ "$grc" -eq 0 ] || fail "a short Secret value was recovered from what ikc wrote"
finish
