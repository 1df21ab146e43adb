#!/usr/bin/env bash
# test_get_nodes.sh - `kubectl get nodes` lists the pool's 2 Ready nodes.
. "$(dirname "$0")/common.sh"
out=$(kc get nodes)
expect_match "$out" '^NAME +STATUS +ROLES +AGE +VERSION$' "nodes header"
[ "$(printf '%s\n' "$out" | grep -Ec '^gke-nginx-asia-default-pool-[0-9a-f]{8}-[a-z0-9]{4} +Ready +<none> +[0-9a-z]+ +v1\.[0-9]+\.[0-9]+-gke\.[0-9]+$')" -eq 2 ] ||
  { printf '%s\n' "$out"; fail "2 Ready pool nodes"; }
[ "$(printf '%s\n' "$out" | wc -l)" -eq 3 ] || fail "exactly 2 nodes"
out=$(kc get nodes -l cloud.google.com/gke-nodepool=default-pool -o name)
[ "$(printf '%s\n' "$out" | grep -c '^node/')" -eq 2 ] || fail "node pool label"
[ "$(kc get nodes -l node.kubernetes.io/instance-type=n1-standard-2 -o name | wc -l)" -eq 2 ] ||
  fail "instance-type label"
zone=$(kc get nodes -o jsonpath='{.items[0].metadata.labels.topology\.kubernetes\.io/zone}')
[ "$zone" = asia-east1-a ] || fail "zone label is '$zone'"
echo ok
