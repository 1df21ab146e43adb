#!/usr/bin/env bash
# test_apply.sh - `kubectl apply -f` of a changed manifest: client-side apply
# sends a strategic merge patch (new image, a removed port).
. "$(dirname "$0")/common.sh"
use_namespace kc-apply
out=$(kc -n "$NS" apply --validate=false -f "$MANIFESTS/rc-ports.yaml" -f "$MANIFESTS/service.yaml")
expect_match "$out" '^replicationcontroller/nginx created$' "first apply rc"
expect_match "$out" '^service/nginxservice created$' "first apply svc"
cip=$(kc -n "$NS" get svc nginxservice -o jsonpath='{.spec.clusterIP}')
eventually 30 pods_running 2 || fail "2 Running pods"
out=$(kc -n "$NS" apply --validate=false -f "$MANIFESTS/rc-ports.yaml")
expect_match "$out" '^replicationcontroller/nginx unchanged$' "unchanged apply"
out=$(kc -n "$NS" apply --validate=false -f "$MANIFESTS/rc-v2.yaml" -f "$MANIFESTS/service-v2.yaml")
expect_match "$out" '^replicationcontroller/nginx configured$' "apply v2 rc"
expect_match "$out" '^service/nginxservice configured$' "apply v2 svc"
got=$(kc -n "$NS" get rc nginx -o jsonpath='{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[*].containerPort} {.metadata.generation}')
[ "$got" = "nginx:1.27 80 2" ] || fail "rc after apply: '$got' (want image nginx:1.27, port 443 removed, generation 2)"
got=$(kc -n "$NS" get svc nginxservice -o jsonpath='{.spec.ports[*].port} {.spec.clusterIP}')
[ "$got" = "81 $cip" ] || fail "service after apply: '$got' (want port 81 only, clusterIP $cip kept)"
# the last-applied annotation now holds v2
kc -n "$NS" get rc nginx -o jsonpath='{.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}' |
  grep -q 'nginx:1.27' || fail "last-applied annotation"
echo ok
