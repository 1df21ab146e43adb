#!/usr/bin/env bash
# test_validate.sh - kubectl 1.20's default client-side validation works too:
# it downloads /openapi/v2 (protobuf) and, finding no schema, lets the server
# judge; a typo comes back as a server Warning and the field is dropped.
. "$(dirname "$0")/common.sh"
use_namespace kc-validate
out=$(kc -n "$NS" create -f "$MANIFESTS/rc.yaml" 2>&1)
expect_match "$out" '^replicationcontroller/nginx created$' "create with validation"
out=$(printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: b\n' |
      kc -n "$NS" create -f - 2>&1)
expect_match "$out" '^configmap/typo created$' "create with a typo"
expect_match "$out" 'Warning: unknown field "datta"' "server warning"
got=$(kc -n "$NS" get configmap typo -o jsonpath='{.data}')
[ -z "$got" ] || fail "unknown field kept: '$got'"
echo ok
