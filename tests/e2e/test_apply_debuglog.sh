#!/usr/bin/env bash
# IKC_LOG=debug: every API call of an apply is logged with its method, URL,
# status and time, as many lines as the sim served calls, and none of the
# access tokens the sim issued to ikc (nor the service-account key or the
# signed JWT assertion) appears anywhere in ikc's output.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
stack="$work/ikc.yaml"
cp "$src/examples/nginx-asia/ikc.yaml" "$stack"
state="file://$work/state.json"
export IKC_POLL_INTERVAL=0.05
sim_start "$work/sim" --speed 400 || { echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }
served() { sim_get calls | jq '[.routes[]] | add // 0'; }

IKC_LOG=debug run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply with IKC_LOG=debug"
all="$out
$err"
calls=$(grep -c 'debug: http: ' <<<"$err")
good=$(grep -cE 'debug: http: (GET|POST|PUT|PATCH|DELETE) https://[^ ]+ -> [0-9]{3} \([0-9]+ ms\)' <<<"$err")
[ "$calls" -gt 20 ] || fail "only $calls API calls logged"
[ "$calls" = "$good" ] || fail "$((calls - good)) logged calls lack method, URL, status or time"
[ "$calls" = "$(served)" ] || fail "ikc logged $calls calls, the sim served $(served)"
for want in "POST https://127.0.0.1:$SIM_PORT/token -> 200" \
	    "POST https://127.0.0.1:$SIM_PORT/v1/projects/demo-project/locations/asia-east1-a/clusters -> 200" \
	    "/api/v1/namespaces/default/services?fieldManager=ikc -> 201"; do
	grep -qF -- "$want" <<<"$err" || fail "no log line for $want"
done

# the tokens the sim gave ikc (kept in its world file, written every 0.5 s)
sleep 1
tokens=$(jq -r '.tokens | keys[]' "$work/sim/world.json")
[ -n "$tokens" ] || fail "the sim issued no token"
prefix=$(head -1 <<<"$tokens" | cut -d. -f1-2)
[ -n "$prefix" ] || fail "no token prefix"
while read -r t; do
	[ -n "$t" ] && grep -qF -- "$t" <<<"$all" && fail "the access token ${t:0:12}... appears in ikc's output"
done <<<"$tokens"
grep -qF -- "$prefix." <<<"$all" && fail "a string starting with the token prefix $prefix. appears in ikc's output"
grep -q 'PRIVATE KEY' <<<"$all" && fail "the service-account key appears in ikc's output"
grep -qE 'assertion=|eyJhbGciOi' <<<"$all" && fail "the signed JWT assertion appears in ikc's output"

# a failing call is logged too, still without the token
run_sim_fault() { curl -sS --cacert "$IKC_CA_BUNDLE" -X POST -d "{\"spec\": \"$1\"}" "${IKC_CONTAINER_ENDPOINT}_sim/faults" >/dev/null; }
run_sim_fault "401:route=GET /v1/projects/*/clusters/nginx-asia"
IKC_LOG=debug run plan -f "$stack" --state "$state"
expect_rc 1 "plan when GKE refuses the token"
grep -qE 'debug: http: GET https://[^ ]+/clusters/nginx-asia -> 401 \([0-9]+ ms\)' <<<"$err" || fail "the 401 is not logged"
grep -qF -- "$prefix." <<<"$out$err" && fail "a token appears in the output of a failed call"
finish
