#!/usr/bin/env bash
# ikc converges against an API server that normalises what it stores: a
# Secret written with stringData (kept only as base64 data), Secret data,
# quantities written in other forms than the server's canonical one
# ("0.5", 1000m, 1024Mi, a YAML number), int-or-string ports written as
# numbers and as decimal strings.  After one apply the next plan is empty,
# with and without refresh; a real change is still seen.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
kubectl=${IKC_KUBECTL:?}
sim_example
cat >>"$stack" <<'YAML'
---
apiVersion: v1
kind: Secret
metadata:
  name: app-string
stringData:
  password: s3cr3t-from-stringData
  config.json: '{"a": 1}'
---
apiVersion: v1
kind: Secret
metadata:
  name: app-data
type: Opaque
data:
  token: dG9rZW4tZnJvbS1kYXRh
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  selector:
    matchLabels: {app: api}
  strategy:
    rollingUpdate: {maxSurge: "1", maxUnavailable: 0}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: api
        image: nginx:1.25
        ports:
        - {containerPort: 8080, name: http}
        readinessProbe:
          httpGet: {path: /, port: "8080"}
        resources:
          limits: {cpu: 1000m, memory: 1024Mi}
          requests: {cpu: 0.5, memory: "0.5Gi"}
---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
  - {name: web, port: 80, targetPort: "8080"}
  - {name: named, port: 81, targetPort: http}
YAML

run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply"
expect_out "Apply complete: 8 added"
run plan -f "$stack" --state "$state" --detailed-exitcode
expect_rc 0 "the second plan is empty"
expect_out "No changes"
run plan --refresh=false -f "$stack" --state "$state" --detailed-exitcode
expect_rc 0 "the second plan is empty without refresh"
expect_err "Secret/app-string: its sensitive values are not compared without refresh"
run drift -f "$stack" --state "$state" --detailed-exitcode
expect_rc 0 "no drift after apply"

# the server holds what a real one would: base64 data, canonical quantities, numbers
kubeconfig_for Cluster/nginx-asia "$stack" "$state" || fail "kubeconfig"
[ "$("$kubectl" get secret app-string -o 'jsonpath={.data.password}')" = \
  "$(printf %s s3cr3t-from-stringData | base64 -w0)" ] || fail "stringData is in data"
[ -z "$("$kubectl" get secret app-string -o 'jsonpath={.stringData}')" ] || fail "stringData returned"
got=$("$kubectl" get deployment api -o 'jsonpath={.spec.template.spec.containers[0].resources.limits.cpu} {.spec.template.spec.containers[0].resources.limits.memory} {.spec.template.spec.containers[0].resources.requests.cpu} {.spec.template.spec.containers[0].resources.requests.memory}')
[ "$got" = "1 1Gi 500m 512Mi" ] || fail "quantities as the server stores them: $got"
[ "$("$kubectl" get service api -o 'jsonpath={.spec.ports[0].targetPort}')" = 8080 ] || fail "targetPort"

# a changed stringData value is a change (compared with the live base64 data)
sed -i 's/s3cr3t-from-stringData/another-value/' "$stack"
run plan -f "$stack" --state "$state" --detailed-exitcode
expect_rc 2 "changed stringData is a change"
expect_out "data.password: (sensitive) -> (sensitive)"
# a quantity that means another value is a change
sed -i 's/cpu: 0.5,/cpu: 0.25,/' "$stack"
run plan -f "$stack" --state "$state" --detailed-exitcode
expect_rc 2 "changed quantity is a change"
expect_out 'resources.requests.cpu: "500m" -> "250m"'
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply the changes"
run plan -f "$stack" --state "$state" --detailed-exitcode
expect_rc 0 "empty again"
# a key removed from stringData is removed from the live data
sed -i '/config.json:/d' "$stack"
run apply --auto-approve -f "$stack" --state "$state"
expect_rc 0 "apply a removed key"
[ -z "$("$kubectl" get secret app-string -o 'jsonpath={.data.config\.json}')" ] ||
  fail "the removed key is still live"
run plan -f "$stack" --state "$state" --detailed-exitcode
expect_rc 0 "empty after removing a key"
finish
