#!/usr/bin/env bash
# test_scale.sh - `kubectl scale rc nginx --replicas=4` gives 4 Running pods.
. "$(dirname "$0")/common.sh"
use_namespace kc-scale
kc -n "$NS" create --validate=false -f "$MANIFESTS/rc.yaml" >/dev/null
eventually 30 pods_running 2 || fail "2 Running pods first"
out=$(kc -n "$NS" scale rc nginx --replicas=4)
expect_match "$out" '^replicationcontroller/nginx scaled$' "scale output"
eventually 30 pods_running 4 || { kc -n "$NS" get pods; fail "4 Running pods"; }
rc_ready() {
  kc -n "$NS" get rc nginx --no-headers | grep -Eq '^nginx +4 +4 +4 '
}
eventually 10 rc_ready || { kc -n "$NS" get rc nginx; fail "rc 4/4/4"; }
[ "$(kc -n "$NS" get rc nginx -o jsonpath='{.metadata.generation}')" = 2 ] || fail "generation 2"
# and back down
kc -n "$NS" scale rc nginx --replicas=1 >/dev/null
eventually 30 pods_running 1 || { kc -n "$NS" get pods; fail "1 Running pod"; }
echo ok
