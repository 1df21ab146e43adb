#!/usr/bin/env bash
# Saved plans against ikc-sim: ikc plan --out, ikc show/apply PLANFILE; a plan
# is refused when the state moved, when kubectl changed an object it touches,
# when the stack file changed, or when the file was edited or cut; an
# untouched one applies and the state records the git commit it came from.
# Also --detailed-exitcode and --metrics-file of drift.
. "$(dirname "$0")/lib.sh"
. "$src/tests/integration/lib/sim.sh"
kubectl=${IKC_KUBECTL:?}
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
  GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
mkdir -p "$HOME"
export IKC_POLL_INTERVAL=0.05
sim_start "$work/sim" --speed 400 || { echo "ikc-sim did not start"; exit 1; }
trap 'sim_stop; rm -rf "$work"' EXIT
repo="$work/repo"
git init -q -b main "$repo"
cp "$src/examples/nginx-asia/ikc.yaml" "$repo/ikc.yaml"
git -C "$repo" add ikc.yaml && git -C "$repo" commit -qm "nginx-asia"
stack="$repo/ikc.yaml"
state="file://$work/state.json"
cd "$work"

# --- a saved plan of the whole stack, from git, applies untouched
c1=$(git -C "$repo" rev-parse HEAD)
run plan --git "$repo#main" -f ikc.yaml --state "$state" --out "$work/create.plan"
expect_rc 0 "plan --out"
expect_out "Saved the plan to $work/create.plan"
[ "$(stat -c %a "$work/create.plan")" = 600 ] || fail "the plan file is not 0600"
run show "$work/create.plan" --format json
expect_rc 0 "show PLANFILE"
jq -e --arg c "$c1" '.source.git_commit == $c and .summary.create == 4' <<<"$out" >/dev/null \
  || fail "show PLANFILE json: commit and 4 creates"
run show "$work/create.plan"
expect_out "Plan: 4 to add, 0 to change, 0 to replace, 0 to destroy."
run apply "$work/create.plan" --git "$repo#main" -f ikc.yaml --state "$state"
expect_rc 0 "apply the saved create plan (no --auto-approve needed)"
expect_out "Apply complete: 4 added, 0 changed, 0 replaced, 0 destroyed."
run state pull --state "$state" -f "$stack"
jq -e --arg c "$c1" --arg d "$(sha256sum "$stack" | cut -d' ' -f1)" \
  '.source.git_commit == $c and .source.git_ref == "main" and .source.digest == $d' <<<"$out" >/dev/null \
  || fail "state source names the commit, ref and digest"

# kubectl against the sim's cluster
kubeconfig_for Cluster/nginx-asia "$stack" "$state" || fail "kubeconfig"

# --- a second commit: its plan names its own commit
sed -i 's/replicas: 2/replicas: 3/' "$stack"
git -C "$repo" commit -qam "3 replicas"
c2=$(git -C "$repo" rev-parse HEAD)
run plan --git "$repo#main" -f ikc.yaml --state "$state" --out "$work/p1.plan" --detailed-exitcode
expect_rc 2 "plan of the second commit has changes"
expect_out "From git commit $c2 (main)."
expect_out "spec.replicas: 2 -> 3"

# --- edited or truncated plan files are refused
cp "$work/p1.plan" "$work/tampered.plan"
sed -i 's/"replicas":3/"replicas":30/g' "$work/tampered.plan"
cmp -s "$work/p1.plan" "$work/tampered.plan" && fail "the tamper did not change the file"
run apply "$work/tampered.plan" --git "$repo#main" -f ikc.yaml --state "$state"
expect_rc 1 "tampered plan"
expect_err "checksum does not match"
head -c 300 "$work/p1.plan" >"$work/cut.plan"
run apply "$work/cut.plan" --git "$repo#main" -f ikc.yaml --state "$state"
expect_rc 1 "truncated plan"
expect_err "cut.plan"
run show "$work/cut.plan"
expect_rc 1 "show of a truncated plan"

# --- refused when the stack file differs from the one planned
run apply "$work/p1.plan" --git "$repo#$c1" -f ikc.yaml --state "$state"
expect_rc 1 "plan of another stack file"
expect_err "was made from another stack file"

# --- refused after kubectl changed an object the plan touches
"$kubectl" annotate rc nginx touched=yes >/dev/null || fail "kubectl annotate"
run apply "$work/p1.plan" --git "$repo#main" -f ikc.yaml --state "$state"
expect_rc 1 "plan after kubectl changed the RC"
expect_err "ReplicationController/nginx: changed since the plan was made"
[ "$("$kubectl" get rc nginx -o 'jsonpath={.spec.replicas}')" = 2 ] || fail "a refused plan changed replicas"

# --- refused after another apply moved the state
run plan --git "$repo#main" -f ikc.yaml --state "$state" --out "$work/p2.plan"
expect_rc 0 "plan p2"
run apply --auto-approve --git "$repo#main" -f ikc.yaml --state "$state"
expect_rc 0 "a plain apply in between"
run apply "$work/p2.plan" --git "$repo#main" -f ikc.yaml --state "$state"
expect_rc 1 "plan after the state moved"
expect_err "the state changed since"
expect_err "serial"

# --- an untouched saved plan applies exactly its changes
sed -i 's/replicas: 3/replicas: 4/' "$stack"
git -C "$repo" commit -qam "4 replicas"
c3=$(git -C "$repo" rev-parse HEAD)
run plan --git "$repo#main" -f ikc.yaml --state "$state" --out "$work/p3.plan"
expect_rc 0 "plan p3"
run apply "$work/p3.plan" --git "$repo#main" -f ikc.yaml --state "$state"
expect_rc 0 "untouched plan applies"
expect_out "Apply complete: 0 added, 1 changed, 0 replaced, 0 destroyed."
[ "$("$kubectl" get rc nginx -o 'jsonpath={.spec.replicas}')" = 4 ] || fail "replicas not 4 after the saved plan"
run state pull --state "$state" -f "$stack"
jq -e --arg c "$c3" '.source.git_commit == $c' <<<"$out" >/dev/null || fail "state source names the third commit"

# --- refused when --var gives other values than when the plan was made
sed -i 's/image: nginx$/image: ${var.image}/' "$stack"
sed -i '0,/^spec:$/s//spec:\n  variables:\n    image: nginx/' "$stack"
git -C "$repo" commit -qam "image as a variable"
run plan --git "$repo#main" -f ikc.yaml --state "$state" --var image=nginx:1.25 --out "$work/p4.plan"
expect_rc 0 "plan with --var"
expect_out "nginx:1.25"
run apply "$work/p4.plan" --git "$repo#main" -f ikc.yaml --state "$state"
expect_rc 1 "saved plan applied without its --var"
expect_err "ReplicationController/nginx: the plan says update, the stack file now says no-op"
expect_err "p4.plan no longer matches what the stack file asks for"
run apply "$work/p4.plan" --git "$repo#main" -f ikc.yaml --state "$state" --var image=nginx:1.25
expect_rc 0 "saved plan applied with its --var"
[ "$("$kubectl" get rc nginx -o 'jsonpath={.spec.template.spec.containers[0].image}')" = nginx:1.25 ] \
  || fail "image not nginx:1.25 after the saved plan"

# --- drift for cron: exit codes and Prometheus metrics
run drift --git "$repo#main" -f ikc.yaml --state "$state" --var image=nginx:1.25 --detailed-exitcode --metrics-file "$work/ikc.prom"
expect_rc 0 "no drift"
grep -qE '^ikc_drift_resources\{stack="nginx-asia",command="drift"\} 0$' "$work/ikc.prom" || fail "metrics: 0 drifted"
"$kubectl" scale rc nginx --replicas=6 >/dev/null || fail "kubectl scale"
run drift --git "$repo#main" -f ikc.yaml --state "$state" --var image=nginx:1.25 --detailed-exitcode --metrics-file "$work/ikc.prom" --format json
expect_rc 2 "drift after kubectl scale"
jq -e '.format_version and (.drift | length == 1) and .drift[0].address == "ReplicationController/nginx"' <<<"$out" >/dev/null \
  || fail "drift json"
grep -qE '^ikc_drift_resources\{stack="nginx-asia",command="drift"\} 1$' "$work/ikc.prom" || fail "metrics: 1 drifted"
grep -qE '^ikc_plan_changes\{stack="nginx-asia",command="drift",action="update"\} 1$' "$work/ikc.prom" || fail "metrics: 1 update"
grep -qE '^ikc_last_run_timestamp_seconds\{stack="nginx-asia",command="drift"\} [0-9.e+]+$' "$work/ikc.prom" || fail "metrics: timestamp"
grep -qE '^ikc_run_duration_seconds\{stack="nginx-asia",command="drift"\} [0-9.e+-]+$' "$work/ikc.prom" || fail "metrics: duration"
grep -q '^# TYPE ikc_drift_resources gauge$' "$work/ikc.prom" || fail "metrics: TYPE line"
ls "$work" | grep -q 'ikc.prom.tmp' && fail "a temporary metrics file was left"
run plan --git "$repo#main" -f ikc.yaml --state "$state" --var image=nginx:1.25 --detailed-exitcode --format markdown
expect_rc 2 "plan with drift, markdown"
expect_out "**Drift:** 1 resource changed outside ikc since the last apply: \`ReplicationController/nginx\`."
run drift --git "$repo#main" -f ikc.yaml --state "$work/nope/../../nowhere/state.json" --metrics-file "$work/fail.prom"
expect_rc 1 "drift that fails"
grep -q '^ikc_last_run_success{.*} 0$' "$work/fail.prom" || fail "metrics of a failed run"
finish
