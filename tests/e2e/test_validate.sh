#!/usr/bin/env bash
# ikc validate: the reference stack is valid; broken files get positioned errors.
. "$(dirname "$0")/lib.sh"

run validate -f "$src/examples/nginx-asia/ikc.yaml"
expect_rc 0 "reference stack validates"
expect_out "valid stack \"nginx-asia\" with 4 resources"

# Every case file says what it expects in its first lines:  # expect: TEXT
for f in "$src"/tests/e2e/cases/*.yaml; do
  run validate -f "$f"
  name=$(basename "$f")
  [ "$rc" -eq 1 ] || fail "$name: expected exit code 1"
  while IFS= read -r want; do
    want=${want#\# expect: }
    want=${want//FILE/$f}
    grep -qF -- "ikc: error: $want" <<<"$err" || fail "$name: stderr lacks: ikc: error: $want"
  done < <(grep '^# expect: ' "$f")
done

run validate -f "$work/missing.yaml"
expect_rc 1 "missing file"
expect_err "missing.yaml"

run validate -f "$src/examples/nginx-asia/ikc.yaml" extra
expect_rc 1 "extra argument"

run valdate
expect_rc 1 "misspelt command"
expect_err 'unknown command "valdate" (did you mean "validate"?)'
finish
