# sim.sh - shell helpers for integration tests that need a running ikc-sim.
#   . tests/integration/lib/sim.sh
#   sim_start DIR [extra ikc-sim args...]   # starts it, waits for DIR/ready,
#                                           # exports DIR/env and SIM_PID
#   sim_stop                                # SIGTERM, waits for a clean exit
# The binary is $IKC_SIM_BIN, else $IKC_BUILD_DIR/sim/ikc-sim.

sim_start() {
  local dir=$1
  shift
  local bin=${IKC_SIM_BIN:-${IKC_BUILD_DIR:-build}/sim/ikc-sim}
  mkdir -p "$dir" || return 1
  rm -f "$dir/ready"
  "$bin" serve --dir "$dir" --port 0 "$@" >>"$dir/sim.log" 2>&1 &
  SIM_PID=$!
  export SIM_PID
  local i
  for i in $(seq 1 600); do
    if [ -s "$dir/ready" ]; then
      set -a
      # shellcheck disable=SC1091
      . "$dir/env"
      set +a
      return 0
    fi
    if ! kill -0 "$SIM_PID" 2>/dev/null; then
      echo "sim_start: ikc-sim exited early; log:" >&2
      cat "$dir/sim.log" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "sim_start: ikc-sim did not become ready" >&2
  kill "$SIM_PID" 2>/dev/null
  return 1
}

sim_stop() {
  [ -n "${SIM_PID:-}" ] || return 0
  kill -TERM "$SIM_PID" 2>/dev/null || return 0
  local rc=0
  wait "$SIM_PID" 2>/dev/null || rc=$?
  SIM_PID=
  return $rc
}
