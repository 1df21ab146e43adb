#!/usr/bin/env bash
# test_create.sh - `kubectl create -f` of the reference ReplicationController
# and LoadBalancer Service (spec.md), then reading them back.
. "$(dirname "$0")/common.sh"
use_namespace kc-create
out=$(kc -n "$NS" create --validate=false -f "$MANIFESTS/rc.yaml" -f "$MANIFESTS/service.yaml")
expect_match "$out" '^replicationcontroller/nginx created$' "create rc"
expect_match "$out" '^service/nginxservice created$' "create service"
out=$(kc -n "$NS" get rc nginx)
expect_match "$out" '^NAME +DESIRED +CURRENT +READY +AGE$' "rc header"
expect_match "$out" '^nginx +2 +[0-9]+ +[0-9]+ +[0-9]+s$' "rc row"
# server defaults as a user sees them
[ "$(kc -n "$NS" get rc nginx -o jsonpath='{.spec.template.spec.containers[0].imagePullPolicy}')" = Always ] ||
  fail "imagePullPolicy default"
[ "$(kc -n "$NS" get svc nginxservice -o jsonpath='{.spec.ports[0].protocol}')" = TCP ] ||
  fail "port protocol default"
# a second create is refused as AlreadyExists
if out=$(kc -n "$NS" create --validate=false -f "$MANIFESTS/rc.yaml" 2>&1); then
  fail "second create succeeded"
fi
expect_match "$out" 'Error from server \(AlreadyExists\): .*replicationcontrollers "nginx" already exists' "conflict"
echo ok
