#!/usr/bin/env bash
# Unknown fields and wrong types are errors of `ikc validate` and `ikc plan`
# before any API call, with file:line:col and a did-you-mean, checked
# against the API schemas shipped with ikc (issue 12 §1).  No cloud needed:
# the state and endpoints point nowhere, and nothing is called.
. "$(dirname "$0")/lib.sh"
ref="$src/examples/nginx-asia/ikc.yaml"
export IKC_CONTAINER_ENDPOINT=https://127.0.0.1:9/   # nothing listens: a call would fail differently

# a NodePool field in the wrong case
sed 's/    machineType: n1-standard-2/    machinetype: n1-standard-2/' "$ref" >"$work/case.yaml"
run validate -f "$work/case.yaml"
expect_rc 1 "validate: machinetype"
line=$(grep -n "machinetype" "$work/case.yaml" | cut -d: -f1)
expect_err "case.yaml:$line:5: NodePool/default-pool: unknown field \"spec.config.machinetype\" (did you mean \"machineType\"?)"
run plan -f "$work/case.yaml" --state "file://$work/none.json"
expect_rc 1 "plan: machinetype"
expect_err "did you mean \"machineType\""
expect_no_out() { [ -z "$out" ] || fail "unexpected stdout"; }
expect_no_out

# a string where the API wants an integer
sed 's/  replicas: 2/  replicas: "two"/' "$ref" >"$work/type.yaml"
run validate -f "$work/type.yaml"
expect_rc 1 "validate: replicas \"two\""
line=$(grep -n 'replicas: "two"' "$work/type.yaml" | cut -d: -f1)
expect_err "type.yaml:$line:3: ReplicationController/nginx: spec.replicas: expected an integer, got a string \"two\""

# a Kubernetes field misspelt deep in a pod template
sed 's/        image: nginx/        imagePullPolicey: Always\n        image: nginx/' "$ref" >"$work/deep.yaml"
run validate -f "$work/deep.yaml"
expect_rc 1 "validate: imagePullPolicey"
expect_err "unknown field \"spec.template.spec.containers[0].imagePullPolicey\" (did you mean \"imagePullPolicy\"?)"

# every error of the file at once
sed 's/  replicas: 2/  replicas: "two"/' "$work/case.yaml" >"$work/two.yaml"
run validate -f "$work/two.yaml"
expect_rc 1 "validate: two errors"
[ "$(grep -c "error" <<<"$err")" -ge 2 ] || fail "both errors reported"

# --var values are checked once substituted
sed 's/  replicas: 2/  replicas: ${var.replicas}/' "$ref" |
	sed 's/^  outputs:/  variables:\n    replicas: 2\n  outputs:/' >"$work/var.yaml"
run validate -f "$work/var.yaml"
expect_rc 0 "validate with replicas from a variable"
run validate -f "$work/var.yaml" --var replicas=3
expect_rc 0 "validate with --var replicas=3"
run validate -f "$work/var.yaml" --var replicas=three
expect_rc 1 "validate with --var replicas=three"
expect_err "spec.replicas: expected an integer, got a string \"three\""
run plan -f "$work/var.yaml" --var replicas=three --state "file://$work/none.json"
expect_rc 1 "plan with --var replicas=three"
expect_err "spec.replicas: expected an integer"

# int64 fields of GKE take numbers or strings; int32 ones strings holding integers
sed 's/    machineType: n1-standard-2/    machineType: n1-standard-2\n    diskSizeGb: "100"/' "$ref" >"$work/gke.yaml"
run validate -f "$work/gke.yaml"
expect_rc 0 "validate: diskSizeGb as a string"
sed 's/    machineType: n1-standard-2/    machineType: n1-standard-2\n    diskSizeGb: large/' "$ref" >"$work/gkebad.yaml"
run validate -f "$work/gkebad.yaml"
expect_rc 1 "validate: diskSizeGb: large"
expect_err "spec.config.diskSizeGb: expected an integer"
finish
