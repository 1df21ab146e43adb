#!/usr/bin/env bash
# Secrets never appear: canary values planted in a Secret (and the access
# token ikc uses) are looked for in every output, the debug log, the state
# and its backups.  A changed Secret is still seen as a change: the plan
# compares the file with the live object, since the state keeps no value
# and no function of one (docs/secrets.md).
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
kubectl=${IKC_KUBECTL:?}
sim_example
canary1="canary-7f3e9b1c-first-value"
canary2="canary-d41a62e0-second-value"
b1=$(printf %s "$canary1" | base64 -w0)
b2=$(printf %s "$canary2" | base64 -w0)
token=$(curl -sS --cacert "$IKC_CA_BUNDLE" -X POST "${IKC_CONTAINER_ENDPOINT}_sim/token" | jq -r .access_token)
[ -n "$token" ] && [ "$token" != null ] || { echo "no token from the sim"; exit 1; }
export GOOGLE_OAUTH_ACCESS_TOKEN="$token" IKC_LOG=debug
mkdir -p "$work/outs"
cat >>"$stack" <<YAML
---
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
type: Opaque
data:
  password: $b1
YAML
n=0
# keep every output of every run, for the grep at the end
keep() { n=$((n + 1)); cp "$work/out" "$work/outs/$n.out"; cp "$work/err" "$work/outs/$n.err"; }

run plan -f "$stack" --state "$state"; keep
expect_rc 0 "first plan"
expect_out "data.password: (sensitive)"
run apply --auto-approve -f "$stack" --state "$state"; keep
expect_rc 0 "apply with a Secret"
expect_out "Apply complete: 5 added"
run plan -f "$stack" --state "$state" --detailed-exitcode; keep
expect_rc 0 "nothing to do after apply"
run plan --refresh=false -f "$stack" --state "$state" --detailed-exitcode; keep
expect_rc 0 "nothing to do without refresh either"
expect_err "Secret/app-secret: its sensitive values are not compared without refresh"

# the state holds which keys ikc manages, not the value nor a hash of it
jq -e '.resources[] | select(.address == "Secret/app-secret") | (has("secret_salt") | not) and
       .desired.data.password == "(sensitive)" and .observed.data.password == "(sensitive)"' \
  "$work/state/state.json" >/dev/null || fail "the state keeps only a mask of the Secret's data"

# a changed Secret is still a change, shown masked everywhere
sed -i "s/$b1/$b2/" "$stack"
run plan -f "$stack" --state "$state" --detailed-exitcode; keep
expect_rc 2 "changed Secret is a change"
expect_out "Secret/app-secret"
expect_out "data.password: (sensitive) -> (sensitive)"
# without refresh there is nothing to compare with: said, not guessed
run plan --refresh=false -f "$stack" --state "$state" --detailed-exitcode; keep
expect_rc 0 "a Secret value is not compared without refresh"
expect_err "Secret/app-secret: its sensitive values are not compared without refresh"
run plan -f "$stack" --state "$state" --format json; keep
jq -e '[.changes[] | select(.address == "Secret/app-secret")][0].action == "update"' <<<"$out" >/dev/null \
  || fail "json: the Secret is updated"
run plan -f "$stack" --state "$state" --format markdown; keep
expect_out "Secret/app-secret"
run plan -f "$stack" --state "$state" --out "$work/secret.plan"; keep
expect_rc 0 "saved plan with a Secret"
run show "$work/secret.plan"; keep
run show "$work/secret.plan" --format json; keep
run show "$work/secret.plan" --format markdown; keep
run apply "$work/secret.plan" -f "$stack" --state "$state"; keep
expect_rc 0 "apply the saved Secret change"

# kubectl sees the new value: ikc did send it
kubeconfig_for Cluster/nginx-asia "$stack" "$state" "$token" || fail "kubeconfig"
[ "$("$kubectl" get secret app-secret -o 'jsonpath={.data.password}')" = "$b2" ] || fail "the Secret holds the second value"

# drift of a Secret changed by kubectl: reported, masked
"$kubectl" patch secret app-secret -p "{\"data\":{\"password\":\"$b1\"}}" >/dev/null || fail "kubectl patch"
run drift -f "$stack" --state "$state" --detailed-exitcode; keep
expect_rc 2 "Secret drift"
expect_out "Secret/app-secret"
run drift -f "$stack" --state "$state" --format json --metrics-file "$work/outs/m.prom"; keep
run state show Secret/app-secret -f "$stack" --state "$state"; keep
run state show Secret/app-secret -f "$stack" --state "$state" --format json; keep
run state pull -f "$stack" --state "$state"; keep
run show -f "$stack" --state "$state"; keep
run show -f "$stack" --state "$state" --format json; keep
run output -f "$stack" --state "$state" --format json; keep

# an update of the Secret that the API keeps refusing stays in the journal:
# the journal on disk holds the new value only masked
canary3="canary-0b5c7d22-third-value"
b3=$(printf %s "$canary3" | base64 -w0)
sed -i "s/$b2/$b3/" "$stack"
curl -sS --cacert "$IKC_CA_BUNDLE" -X POST "${IKC_CONTAINER_ENDPOINT}_sim/faults" \
  -d '{"spec": "500:times=1000:route=PATCH /api/v1/namespaces/default/secrets"}' >/dev/null
run apply --auto-approve -f "$stack" --state "$state"; keep
expect_rc 1 "apply fails while the API refuses the Secret"
jq -e '[.journal[] | select(.address == "Secret/app-secret")] | length == 1' \
  "$work/state/state.json" >/dev/null || fail "the refused Secret change is in the journal"
mkdir -p "$work/journaled" && cp "$work/state/state.json" "$work/journaled/"
curl -sS --cacert "$IKC_CA_BUNDLE" -X DELETE "${IKC_CONTAINER_ENDPOINT}_sim/faults" >/dev/null
run apply --auto-approve -f "$stack" --state "$state"; keep
expect_rc 0 "the next apply finishes the Secret change"

# the canaries appear nowhere, saved plan file included
leaks=$(grep -rlF -e "$canary1" -e "$canary2" -e "$canary3" -e "$b1" -e "$b2" -e "$b3" -e "$token" \
  "$work/outs" "$work/state" "$work/journaled" "$work/secret.plan" 2>/dev/null)
[ -z "$leaks" ] || fail "a secret appears in: $leaks"
ls "$work/state" | grep -q . || fail "no state files to look at"
finish
