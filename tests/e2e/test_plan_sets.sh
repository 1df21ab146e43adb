#!/usr/bin/env bash
# Sets compare as sets and gcloud's scope aliases as what they stand for
# (issue 12 §2): the reference stack written with aliases in another order
# applies (GKE gets the expanded URLs) and then plans no change.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
stack="$work/ikc.yaml"
state="file://$work/state.json"
export IKC_POLL_INTERVAL=0.05
sim_start "$work/sim" --speed 400 || { echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; rm -rf "$work"' EXIT
sim_get() { curl -sS --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/$1"; }

awk '/oauthScopes:/ { print; n = split("monitoring compute-rw logging-write storage-ro bigquery", a, " ");
		for (i = 1; i <= n; i++) print "      - " a[i]; skip = 1; next }
	skip && /^      - / { next } { skip = 0; print }' \
	"$src/examples/nginx-asia/ikc.yaml" >"$stack"
grep -q -- "- storage-ro" "$stack" || { echo "test setup: aliases not written"; exit 1; }
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply with scope aliases"
tok=$(curl -sS --cacert "$IKC_CA_BUNDLE" -X POST "${IKC_CONTAINER_ENDPOINT}_sim/token" | jq -r .access_token)
scopes=$(curl -sS --cacert "$IKC_CA_BUNDLE" -H "Authorization: Bearer $tok" \
	"${IKC_CONTAINER_ENDPOINT}v1/projects/demo-project/locations/asia-east1-a/clusters/nginx-asia/nodePools/default-pool" |
	jq -c .config.oauthScopes)
[ "$scopes" = '["https://www.googleapis.com/auth/bigquery","https://www.googleapis.com/auth/compute","https://www.googleapis.com/auth/devstorage.read_only","https://www.googleapis.com/auth/logging.write","https://www.googleapis.com/auth/monitoring"]' ] ||
	fail "GKE holds scopes $scopes"
run plan --detailed-exitcode -f "$stack" --state "$state"
expect_rc 0 "plan after apply"
expect_out "No changes"
run drift -f "$stack" --state "$state"
expect_rc 0 "no drift"

# An unknown scope name is an error of validate, with a did-you-mean.
sed 's/- storage-ro/- storage-r0/' "$stack" >"$work/typo.yaml"
run validate -f "$work/typo.yaml"
expect_rc 1 "validate with a misspelt scope alias"
expect_err "storage-r0"
expect_err "did you mean \"storage-ro\""
finish
