#!/usr/bin/env bash
# test_gcloud.sh - Google's own CLI against ikc-sim: service-account activation
# (JWT grant, ID-token grant), the reference cluster create, describe,
# get-credentials + kubectl through gke-gcloud-auth-plugin, resize, node pool
# create/delete, cluster delete.  Skips (77) when gcloud is not installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v gcloud >/dev/null || { echo "gcloud not installed: skipped"; exit 77; }
. "$here/../lib/sim.sh"
work=$(mktemp -d /tmp/ikc-sim-gcloud-XXXXXX)
trap 'sim_stop || true; rm -rf "$work"' EXIT
sim_start "$work/sim" --speed 200

export CLOUDSDK_CONFIG=$work/gcloud
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
export CLOUDSDK_CORE_PROJECT=gyao-sandbox
export CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE=$IKC_CA_BUNDLE
export REQUESTS_CA_BUNDLE=$IKC_CA_BUNDLE
export CLOUDSDK_API_ENDPOINT_OVERRIDES_CONTAINER=$IKC_CONTAINER_ENDPOINT
export CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE=$IKC_CONTAINER_ENDPOINT
export KUBECONFIG=$work/kubeconfig
zone=asia-east1-a
fail() { echo "FAIL: $*"; cat "$work/sim/sim.log"; exit 1; }

gcloud auth activate-service-account \
  --key-file="$GOOGLE_APPLICATION_CREDENTIALS" >/dev/null 2>&1 ||
  fail "activate-service-account"
gcloud container clusters create nginx-asia --num-nodes 2 --zone $zone \
  --machine-type n1-standard-2 \
  --scopes compute-rw,storage-ro,bigquery,logging-write,monitoring \
  >"$work/create.out" 2>&1 || { cat "$work/create.out"; fail "create"; }
grep -q "RUNNING" "$work/create.out" || fail "create did not print RUNNING"
out=$(gcloud container clusters describe nginx-asia --zone $zone \
      --format='value(status,currentNodeCount,nodePools[0].config.machineType)')
[ "$out" = "RUNNING	2	n1-standard-2" ] || fail "describe: '$out'"

kubectl=${IKC_KUBECTL:-$(command -v kubectl || true)}
nodes() { "$kubectl" get nodes -o name | wc -l; }
if [ -x "$kubectl" ] && command -v gke-gcloud-auth-plugin >/dev/null; then
  gcloud container clusters get-credentials nginx-asia --zone $zone \
    >/dev/null 2>&1 || fail "get-credentials"
  [ "$(nodes)" = 2 ] || fail "kubectl sees $(nodes) nodes, want 2"
fi
gcloud container clusters resize nginx-asia --node-pool default-pool \
  --num-nodes 3 --zone $zone >/dev/null 2>&1 || fail "resize"
if [ -x "$kubectl" ] && [ -f "$KUBECONFIG" ]; then
  [ "$(nodes)" = 3 ] || fail "kubectl sees $(nodes) nodes after resize, want 3"
fi
gcloud container node-pools create pool-b --cluster nginx-asia --zone $zone \
  --num-nodes 1 >/dev/null 2>&1 || fail "node-pools create"
out=$(gcloud container node-pools list --cluster nginx-asia --zone $zone \
      --format='value(name)' | tr '\n' ' ')
[ "$out" = "default-pool pool-b " ] || fail "node-pools list: '$out'"
gcloud container node-pools delete pool-b --cluster nginx-asia --zone $zone \
  >/dev/null 2>&1 || fail "node-pools delete"
gcloud container clusters delete nginx-asia --zone $zone >/dev/null 2>&1 ||
  fail "delete"
out=$(gcloud container clusters list --format='value(name)')
[ -z "$out" ] || fail "list after delete: '$out'"

# Nothing was created twice.
calls=$(curl -sf --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}_sim/calls")
echo "$calls" | grep -q '"projects/gyao-sandbox/locations/asia-east1-a/clusters/nginx-asia":1' ||
  fail "create count: $calls"
echo "gcloud against ikc-sim ok"
