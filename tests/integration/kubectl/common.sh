# common.sh - helpers for the kubectl tests: a kubectl with a fresh discovery
# cache, a namespace per test, polling with a deadline, assertions.
set -euo pipefail
KUBECTL=${IKC_KUBECTL:-/work/main/.deps/kubectl/usr/bin/kubectl}
KC_DIR=${KC_DIR:?KC_DIR is not set (run through ctest)}
KC_HOME=$(mktemp -d /tmp/ikc-kubectl-home-XXXXXX)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MANIFESTS="$here/manifests"
trap 'rm -rf "$KC_HOME"' EXIT

[ -x "$KUBECTL" ] || { echo "kubectl not found at $KUBECTL"; exit 1; }
[ -s "$KC_DIR/kubeconfig" ] || { echo "no cluster: $KC_DIR/kubeconfig missing (setup failed?)"; exit 1; }

# kubectl as a user runs it, against the sim's cluster, fresh cache each test.
kc() {
  HOME="$KC_HOME" "$KUBECTL" --kubeconfig "$KC_DIR/kubeconfig" --request-timeout=20s "$@"
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect_match TEXT REGEX WHAT
expect_match() {
  printf '%s\n' "$1" | grep -Eq -- "$2" || { printf '%s\n' "$1" >&2; fail "$3: no match for /$2/"; }
}

# eventually SECONDS CMD... : retries CMD until it succeeds or time runs out.
eventually() {
  local limit=$1 start
  shift
  start=$(date +%s)
  until "$@"; do
    if [ $(( $(date +%s) - start )) -ge "$limit" ]; then
      echo "timed out after ${limit}s waiting for: $*" >&2
      return 1
    fi
    sleep 0.3
  done
}

# use_namespace NAME: a fresh namespace for this test (kubectl create ns).
use_namespace() {
  NS=$1
  kc delete namespace "$NS" --ignore-not-found >/dev/null
  kc create namespace "$NS" >/dev/null
}

# count_running_pods: lines of `kubectl get pods` with STATUS Running and READY 1/1.
count_running_pods() {
  kc -n "$NS" get pods --no-headers 2>/dev/null | awk '$2 == "1/1" && $3 == "Running"' | wc -l
}

pods_running() {
  [ "$(count_running_pods)" -eq "$1" ] &&
    [ "$(kc -n "$NS" get pods --no-headers 2>/dev/null | wc -l)" -eq "$1" ]
}
