#!/usr/bin/env bash
# test_strict.sh - what kubectl shows of the sim's strictness, over HTTPS as
# with a real cluster: a Secret's stringData comes back as base64 data only,
# a quantity in canonical form, and invalid values are refused with the API
# server's errors (422 Invalid with the field, 400 for bytes that are not
# base64).  Run with Debian's kubectl 1.20 and, when present, kubectl 1.32.
. "$(dirname "$0")/common.sh"
use_namespace kc-strict
kubectls=("$KUBECTL")
[ -x /usr/bin/kubectl ] && [ "$(readlink -f /usr/bin/kubectl)" != "$(readlink -f "$KUBECTL")" ] &&
  kubectls+=(/usr/bin/kubectl)
for k in "${kubectls[@]}"; do
  KUBECTL=$k
  kc -n "$NS" delete secret,configmap,deployment,service --all >/dev/null 2>&1 || true
  out=$(printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: abc\n' |
        kc -n "$NS" apply --validate=false -f - 2>&1)
  expect_match "$out" '^secret/s created$' "$k: apply a Secret with stringData"
  [ "$(kc -n "$NS" get secret s -o jsonpath='{.data.password}')" = "YWJj" ] ||
    fail "$k: stringData is not folded into data"
  [ -z "$(kc -n "$NS" get secret s -o jsonpath='{.stringData}')" ] ||
    fail "$k: stringData is returned"
  out=$(printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: bad\ndata:\n  "a b": YWJj\n' |
        kc -n "$NS" create --validate=false -f - 2>&1) && fail "$k: a bad key was accepted"
  expect_match "$out" 'The Secret "bad" is invalid: data\[a b\]: Invalid value: "a b": a valid config key must consist of alphanumeric characters' \
    "$k: 422 for a bad key"
  out=$(printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: bad\ndata:\n  a: "abc!"\n' |
        kc -n "$NS" create --validate=false -f - 2>&1) && fail "$k: bad base64 was accepted"
  expect_match "$out" 'Error from server \(BadRequest\).*Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3' \
    "$k: 400 for bad base64"
  out=$(kc -n "$NS" create deployment q --image=nginx:1.25 --dry-run=client -o json |
        jq '.spec.template.spec.containers[0].resources = {"limits": {"cpu": "1000m", "memory": "1024Mi"}, "requests": {"cpu": "0.5"}}' |
        kc -n "$NS" create --validate=false -f - 2>&1)
  expect_match "$out" '^deployment.apps/q created$' "$k: create a Deployment with quantities"
  [ "$(kc -n "$NS" get deployment q -o jsonpath='{.spec.template.spec.containers[0].resources.limits.cpu} {.spec.template.spec.containers[0].resources.limits.memory} {.spec.template.spec.containers[0].resources.requests.cpu}')" = "1 1Gi 500m" ] ||
    fail "$k: quantities are not canonical"
  out=$(printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n    targetPort: "80"\n' |
        kc -n "$NS" create --validate=false -f - 2>&1) && fail "$k: targetPort \"80\" was accepted"
  expect_match "$out" 'The Service "web" is invalid: spec.ports\[0\].targetPort: Invalid value: "80": must contain at least one letter \(a-z\)' \
    "$k: 422 for a numeric port name"
  out=$(kc -n "$NS" label secret s 'bad key=x' 2>&1) && fail "$k: a bad label key was accepted"
  expect_match "$out" 'metadata.labels: Invalid value: "bad key"|invalid label|not a valid label' "$k: bad label refused"
done
echo ok
