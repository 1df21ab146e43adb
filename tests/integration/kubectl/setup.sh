#!/usr/bin/env bash
# setup.sh - starts one ikc-sim (speed 10: a cluster takes 18 s, a load
# balancer 2 s), creates cluster nginx-asia with node pool default-pool of 2
# nodes through the GKE API with curl, and writes the kubeconfig of
# api-reference §3.3 (server https://ENDPOINT, CA data, static token).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/sim.sh"
KC_DIR=${KC_DIR:?}
if [ -s "$KC_DIR/sim.pid" ]; then
  # a previous run's sim that teardown never stopped
  kill -TERM "$(cat "$KC_DIR/sim.pid")" 2>/dev/null || true
fi
rm -rf "$KC_DIR"
mkdir -p "$KC_DIR"
sim_start "$KC_DIR/sim" --speed 10
echo "$SIM_PID" > "$KC_DIR/sim.pid"

api=${IKC_CONTAINER_ENDPOINT}v1/projects/demo-project/locations/asia-east1-a
tok=$(curl -sf --cacert "$IKC_CA_BUNDLE" -X POST "${IKC_CONTAINER_ENDPOINT}_sim/token" |
      jq -r .access_token)
[ -n "$tok" ] && [ "$tok" != null ] || { echo "no token"; exit 1; }
gke() {
  curl -sS --fail-with-body --cacert "$IKC_CA_BUNDLE" -H "Authorization: Bearer $tok" \
       -H 'Content-Type: application/json' "$@"
}
gke -X POST "$api/clusters" -d '{"cluster": {"name": "nginx-asia",
  "nodePools": [{"name": "default-pool", "initialNodeCount": 2,
                 "config": {"machineType": "n1-standard-2"}}]}}' >/dev/null

status=
for _ in $(seq 1 400); do
  cluster=$(gke "$api/clusters/nginx-asia")
  status=$(printf '%s' "$cluster" | jq -r .status)
  [ "$status" = RUNNING ] && break
  sleep 0.2
done
[ "$status" = RUNNING ] || { echo "cluster is $status, not RUNNING"; exit 1; }
endpoint=$(printf '%s' "$cluster" | jq -r .endpoint)
ca=$(printf '%s' "$cluster" | jq -r .masterAuth.clusterCaCertificate)
name=gke_demo-project_asia-east1-a_nginx-asia
cat > "$KC_DIR/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: $name
  cluster: {server: "https://$endpoint", certificate-authority-data: "$ca"}
users:
- name: $name
  user: {token: "$tok"}
contexts:
- name: $name
  context: {cluster: $name, user: $name}
current-context: $name
KUBECONFIG
echo "cluster nginx-asia at https://$endpoint"
