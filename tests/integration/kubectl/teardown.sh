#!/usr/bin/env bash
# teardown.sh - stops the ikc-sim that setup.sh started (by its pid) and
# checks that it exits cleanly.
set -uo pipefail
KC_DIR=${KC_DIR:?}
[ -s "$KC_DIR/sim.pid" ] || exit 0
pid=$(cat "$KC_DIR/sim.pid")
kill -TERM "$pid" 2>/dev/null || { rm -f "$KC_DIR/sim.pid"; exit 0; }
for _ in $(seq 1 100); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  echo "ikc-sim $pid did not stop on SIGTERM"
  kill -KILL "$pid" 2>/dev/null
  exit 1
fi
rm -f "$KC_DIR/sim.pid"
if grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$KC_DIR/sim/sim.log"; then
  echo "sanitizer report in the sim's log:"
  cat "$KC_DIR/sim/sim.log"
  exit 1
fi
echo "ikc-sim stopped"
