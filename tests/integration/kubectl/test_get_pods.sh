#!/usr/bin/env bash
# test_get_pods.sh - the RC's 2 pods show as Running (1/1) in `kubectl get pods`.
. "$(dirname "$0")/common.sh"
use_namespace kc-pods
kc -n "$NS" create --validate=false -f "$MANIFESTS/rc.yaml" >/dev/null
eventually 30 pods_running 2 || { kc -n "$NS" get pods -o wide; fail "2 Running pods"; }
out=$(kc -n "$NS" get pods)
expect_match "$out" '^NAME +READY +STATUS +RESTARTS +AGE$' "pods header"
[ "$(printf '%s\n' "$out" | grep -Ec '^nginx-[a-z0-9]{5} +1/1 +Running +0 +[0-9]+s$')" -eq 2 ] ||
  { printf '%s\n' "$out"; fail "two nginx-xxxxx rows Running"; }
# the pods run on the pool's nodes, spread over both
nodes=$(kc -n "$NS" get pods -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u)
[ "$(printf '%s\n' "$nodes" | grep -c '^gke-nginx-asia-default-pool-')" -eq 2 ] ||
  { printf '%s\n' "$nodes"; fail "pods on 2 pool nodes"; }
# the RC's status counts follow
rc_ready() { [ "$(kc -n "$NS" get rc nginx -o jsonpath='{.status.readyReplicas}')" = 2 ]; }
eventually 10 rc_ready || fail "rc readyReplicas"
out=$(kc -n "$NS" get pods -l app=nginx --field-selector=status.phase=Running -o name)
[ "$(printf '%s\n' "$out" | grep -c '^pod/nginx-')" -eq 2 ] || fail "label+field selector"
echo ok
