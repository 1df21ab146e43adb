#!/usr/bin/env bash
# test_delete.sh - `kubectl delete -f` removes the RC (and, in the background,
# its pods) and the Service.
. "$(dirname "$0")/common.sh"
use_namespace kc-delete
kc -n "$NS" create --validate=false -f "$MANIFESTS/rc.yaml" -f "$MANIFESTS/service.yaml" >/dev/null
eventually 30 pods_running 2 || fail "2 Running pods"
out=$(kc -n "$NS" delete -f "$MANIFESTS/rc.yaml" -f "$MANIFESTS/service.yaml")
expect_match "$out" '^replicationcontroller "nginx" deleted$' "delete rc"
expect_match "$out" '^service "nginxservice" deleted$' "delete svc"
out=$(kc -n "$NS" get rc,svc 2>&1)
expect_match "$out" '^No resources found' "nothing left"
no_pods() { [ "$(kc -n "$NS" get pods --no-headers 2>/dev/null | wc -l)" -eq 0 ]; }
eventually 30 no_pods || { kc -n "$NS" get pods; fail "pods removed with the rc"; }
if out=$(kc -n "$NS" get rc nginx 2>&1); then fail "rc still there"; fi
expect_match "$out" 'Error from server \(NotFound\): replicationcontrollers "nginx" not found' "NotFound"
# the namespace goes too
kc delete namespace "$NS" >/dev/null
if kc get namespace "$NS" >/dev/null 2>&1; then fail "namespace still there"; fi
echo ok
