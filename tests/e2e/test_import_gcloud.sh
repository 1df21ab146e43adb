#!/usr/bin/env bash
# A cluster made by Google's CLI and imported plans no change when the stack
# file says the same thing (issue 12 §2): the node pool's oauthScopes come
# back sorted and expanded from gcloud's aliases, and the file may write them
# in any order, or as the same aliases.  Skips (77) without gcloud.
. "$(dirname "$0")/lib.sh"
command -v gcloud >/dev/null || { echo "gcloud not installed: skipped"; exit 77; }
. "$src/tests/integration/lib/sim.sh"
stack="$work/ikc.yaml"
state="file://$work/state.json"
export IKC_POLL_INTERVAL=0.05
sim_start "$work/sim" --speed 400 || { echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; rm -rf "$work"' EXIT

export CLOUDSDK_CONFIG=$work/gcloud
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
export CLOUDSDK_CORE_PROJECT=demo-project
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE=$IKC_CA_BUNDLE
export REQUESTS_CA_BUNDLE=$IKC_CA_BUNDLE
export CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER=$IKC_CONTAINER_ENDPOINT
export CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE=$IKC_CONTAINER_ENDPOINT
gcloud auth activate-service-account \
  --key-file="$GOOGLE_APPLICATION_CREDENTIALS" >/dev/null 2>&1 ||
  { echo "FAIL: gcloud auth activate-service-account"; exit 1; }
gcloud container clusters create nginx-asia --num-nodes 2 --zone asia-east1-a \
  --machine-type n1-standard-2 \
  --scopes compute-rw,storage-ro,bigquery,logging-write,monitoring \
  >"$work/create.out" 2>&1 || { cat "$work/create.out"; echo "FAIL: gcloud create"; exit 1; }

# The reference stack's GKE part (its scopes in the file's own order).
awk 'BEGIN{RS="---\n"; ORS="---\n"} NR <= 3' "$src/examples/nginx-asia/ikc.yaml" |
	sed '$ d' | sed '/external_ip/d; /outputs:/d; /kubernetes:/d; /cluster: nginx-asia  /d' >"$stack"
grep -q "kind: NodePool" "$stack" || { echo "test setup: no NodePool"; exit 1; }

run import Cluster/nginx-asia projects/demo-project/locations/asia-east1-a/clusters/nginx-asia \
	-f "$stack" --state "$state"
expect_rc 0 "import the cluster"
run import NodePool/default-pool \
	projects/demo-project/locations/asia-east1-a/clusters/nginx-asia/nodePools/default-pool \
	-f "$stack" --state "$state"
expect_rc 0 "import the node pool"
run plan --detailed-exitcode -f "$stack" --state "$state"
expect_rc 0 "plan after import (scopes as URLs, file order)"
expect_out "No changes"

# The same scopes as gcloud's aliases, in another order: still no change.
# (the file's list replaced by aliases, monitoring first)
awk '/oauthScopes:/ { print; n = split("monitoring compute-rw logging-write storage-ro bigquery", a, " ");
		for (i = 1; i <= n; i++) print "      - " a[i]; skip = 1; next }
	skip && /^      - / { next } { skip = 0; print }' "$stack" >"$work/aliases.yaml"
grep -q -- "- compute-rw" "$work/aliases.yaml" || fail "test setup: aliases not written"
run plan --detailed-exitcode -f "$work/aliases.yaml" --state "$state"
expect_rc 0 "plan with gcloud's scope aliases"
expect_out "No changes"

# A real difference still shows, and says the pool is replaced.
sed 's#- bigquery#- cloud-platform#' "$work/aliases.yaml" >"$work/other.yaml"
run plan --detailed-exitcode -f "$work/other.yaml" --state "$state"
expect_rc 2 "plan with another scope"
expect_out "oauthScopes"
finish
