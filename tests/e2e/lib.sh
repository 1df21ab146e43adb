# lib.sh - helpers for end-to-end tests of the ikc command line.
set -uo pipefail
: "${IKC:?IKC must name the ikc binary}"
src=${IKC_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
export NO_COLOR=1

# run ARGS...: runs ikc, keeping stdout in $out, stderr in $err, status in $rc.
run() {
  "$IKC" "$@" >"$work/out" 2>"$work/err"
  rc=$?
  out=$(cat "$work/out")
  err=$(cat "$work/err")
}

fail() {
  echo "FAIL: $*"
  echo "--- exit code: $rc"
  echo "--- stdout:"; echo "$out"
  echo "--- stderr:"; echo "$err"
  failures=$((failures + 1))
}

expect_rc() { [ "$rc" -eq "$1" ] || fail "expected exit code $1 ($2)"; }
expect_out() { grep -qF -- "$1" <<<"$out" || fail "stdout lacks: $1"; }
expect_err() { grep -qF -- "$1" <<<"$err" || fail "stderr lacks: $1"; }
expect_no_err() { [ -z "$err" ] || fail "unexpected stderr"; }

finish() {
  if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
  fi
  echo "all checks passed"
}

# kubeconfig_for ADDRESS STACK STATE [TOKEN]: writes $work/kubeconfig for the
# cluster ikc created (endpoint and CA from the state, as `gcloud container
# clusters get-credentials` would), with TOKEN or one minted by the sim, and
# exports KUBECONFIG and a fresh HOME (kubectl's discovery cache).
kubeconfig_for() {
  local entry endpoint ca tok=${4:-}
  entry=$("$IKC" state show "$1" -f "$2" --state "$3" --format json) || return 1
  endpoint=$(jq -r .outputs.endpoint <<<"$entry")
  ca=$(jq -r .outputs.masterAuth.clusterCaCertificate <<<"$entry")
  [ -n "$tok" ] || tok=$(curl -sS --cacert "$IKC_CA_BUNDLE" -X POST \
    "${IKC_CONTAINER_ENDPOINT}_sim/token" | jq -r .access_token)
  cat >"$work/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- {name: sim, cluster: {server: "https://$endpoint", certificate-authority-data: "$ca"}}
users:
- {name: sim, user: {token: "$tok"}}
contexts:
- {name: sim, context: {cluster: sim, user: sim}}
current-context: sim
YAML
  export KUBECONFIG="$work/kubeconfig" HOME="$work/home"
  mkdir -p "$HOME"
}

# sim_example: a running ikc-sim (tests/integration/lib/sim.sh, stopped at
# exit), $stack a copy of examples/nginx-asia, $state its state URL under
# $work/state, a fresh HOME (kubectl's discovery cache) and fast polling.
sim_example() {
  export IKC_POLL_INTERVAL=0.05 HOME="$work/home"
  mkdir -p "$HOME" "$work/state"
  sim_start "$work/sim" --speed 400 || { echo "ikc-sim did not start"; exit 1; }
  trap 'sim_stop; rm -rf "$work"' EXIT
  stack="$work/ikc.yaml"
  state="file://$work/state/state.json"
  cp "$src/examples/nginx-asia/ikc.yaml" "$stack"
}
