#!/usr/bin/env bash
# test_diff.sh - `kubectl diff -f FILE`: kubectl 1.20 checks the sim's
# /openapi/v2 (protobuf) for the kind's dryRun parameter, sends a server-side
# dry-run PATCH and diffs the result against the live object.  Exit 1 and the
# change shown when the file differs, exit 0 when it does not, and the live
# object untouched either way.
. "$(dirname "$0")/common.sh"
use_namespace kc-diff
work=$(mktemp -d /tmp/ikc-kubectl-diff-XXXXXX)
trap 'rm -rf "$KC_HOME" "$work"' EXIT

cm() {
  cat >"$work/cm.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: $1
  size: large
YAML
}

cm blue
out=$(kc -n "$NS" apply -f "$work/cm.yaml")
expect_match "$out" '^configmap/settings created$' "apply configmap"
rv=$(kc -n "$NS" get cm settings -o jsonpath='{.metadata.resourceVersion}')

# unchanged file: nothing to show, exit 0
set +e
out=$(kc -n "$NS" diff -f "$work/cm.yaml" 2>&1)
code=$?
set -e
[ "$code" -eq 0 ] || { printf '%s\n' "$out" >&2; fail "diff of an unchanged file exited $code (want 0)"; }
[ -z "$out" ] || { printf '%s\n' "$out" >&2; fail "diff of an unchanged file printed something"; }

# changed file: exit 1 and the change in unified diff form
cm red
set +e
out=$(kc -n "$NS" diff -f "$work/cm.yaml" 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || { printf '%s\n' "$out" >&2; fail "diff of a changed file exited $code (want 1)"; }
expect_match "$out" '^-  color: blue$' "old value shown"
expect_match "$out" '^\+  color: red$' "new value shown"
expect_match "$out" 'settings' "object named"
if printf '%s\n' "$out" | grep -Eq '^[-+]  size:'; then
  printf '%s\n' "$out" >&2
  fail "unchanged key shown as changed"
fi

# the dry run changed nothing on the server
got=$(kc -n "$NS" get cm settings -o jsonpath='{.data.color} {.metadata.resourceVersion}')
[ "$got" = "blue $rv" ] || fail "live configmap after diff: '$got' (want 'blue $rv')"

# applying the change for real makes diff clean again
out=$(kc -n "$NS" apply -f "$work/cm.yaml")
expect_match "$out" '^configmap/settings configured$' "apply changed configmap"
[ "$(kc -n "$NS" get cm settings -o jsonpath='{.data.color}')" = red ] || fail "apply did not change color"
kc -n "$NS" diff -f "$work/cm.yaml" >/dev/null || fail "diff after apply exited non-zero"

# an object the server does not have: shown as all new (a dry-run create),
# and still absent afterwards
cat >"$work/new.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: fresh
data:
  mode: fast
YAML
set +e
out=$(kc -n "$NS" diff -f "$work/new.yaml" 2>&1)
code=$?
set -e
[ "$code" -eq 1 ] || { printf '%s\n' "$out" >&2; fail "diff of a new object exited $code (want 1)"; }
expect_match "$out" '^\+  mode: fast$' "new object's data shown"
expect_match "$out" '^\+  name: fresh$' "new object's name shown"
if kc -n "$NS" get cm fresh >/dev/null 2>&1; then
  fail "diff created configmap fresh"
fi

# apply --dry-run=server goes through the same check and changes nothing
cm green
out=$(kc -n "$NS" apply --dry-run=server -f "$work/cm.yaml")
expect_match "$out" '^configmap/settings configured \(server dry run\)$' "server dry-run apply"
[ "$(kc -n "$NS" get cm settings -o jsonpath='{.data.color}')" = red ] || fail "server dry-run apply changed the configmap"
echo ok
