#!/usr/bin/env bash
# --format markdown for pull-request comments: a summary table, each change
# in a collapsed block, and never more than 60,000 characters -- a plan of
# 2,000 changes says what it left out and points at the JSON.
. "$(dirname "$0")/lib.sh"
stack="$work/ikc.yaml"
state="file://$work/state.json"
{
  printf 'apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: many}\n'
  printf 'spec:\n  kubernetes: {kubeconfig: kubeconfig}\n'
  for i in $(seq 1 2000); do
    printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%d}\ndata: {key: "value %d", other: "x"}\n' "$i" "$i"
  done
} >"$stack"

run plan --refresh=false -f "$stack" --state "$state" --format markdown --detailed-exitcode
expect_rc 2 "2,000 creates"
len=$(wc -m <"$work/out")
[ "$len" -le 60000 ] || fail "markdown is $len characters (cap 60,000)"
expect_out "**Plan: 2000 to add, 0 to change, 0 to replace, 0 to destroy.**"
expect_out "| action | resource | why |"
expect_out "| create | \`ConfigMap/cm-1\` |"
expect_out "<details><summary>create <code>ConfigMap/cm-1</code></summary>"
expect_out "+ data.key: \"value 1\""
grep -qE '^\*\*Left out to stay under 60000 characters:\*\* [0-9]+ rows? of the table, the details of [0-9]+ resources? .*`ikc plan --format json` has everything\.$' <<<"$out" \
  || fail "no line saying what was left out"
# what is shown plus what is said to be left out is everything
rows=$(grep -c '^| create |' <<<"$out")
left=$(grep -oE '[0-9]+ rows? of the table' <<<"$out" | grep -oE '^[0-9]+')
[ $((rows + left)) -eq 2000 ] || fail "table rows $rows + left out $left != 2000"
blocks=$(grep -c '^<details><summary>create' <<<"$out")
bleft=$(grep -oE 'the details of [0-9]+' <<<"$out" | grep -oE '[0-9]+$')
[ $((blocks + bleft)) -eq 2000 ] || fail "blocks $blocks + left out $bleft != 2000"
# every opened block is closed (the cut never splits one)
[ "$(grep -c '^<details>' <<<"$out")" -eq "$(grep -c '^</details>' <<<"$out")" ] || fail "unbalanced <details>"

# the JSON has everything
run plan --refresh=false -f "$stack" --state "$state" --format json
expect_rc 0 "json"
jq -e '.format_version and (.changes | length == 2000) and .summary.create == 2000' <<<"$out" >/dev/null \
  || fail "json has all 2000 changes"

# a small plan is shown whole, with no left-out line
head -n 15 "$stack" >"$work/small.yaml"
run plan --refresh=false -f "$work/small.yaml" --state "$state" --format markdown
expect_rc 0 "small markdown"
expect_out "**Plan: 2 to add, 0 to change, 0 to replace, 0 to destroy.**"
grep -q "Left out" <<<"$out" && fail "a small plan left something out"
[ "$(grep -c '^<details><summary>create' <<<"$out")" -eq 2 ] || fail "two blocks"
# one change larger than a whole comment: listed in the table, its block left out
big=$(head -c 300000 /dev/zero | tr '\0' 'x')
{
  printf 'apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: big}\n'
  printf 'spec:\n  kubernetes: {kubeconfig: kubeconfig}\n'
  printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {key: "%s"}\n' "$big"
  printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: small}\ndata: {key: "v"}\n'
} >"$work/big.yaml"
run plan --refresh=false -f "$work/big.yaml" --state "file://$work/big.json" --format markdown
expect_rc 0 "markdown of a huge change"
len=$(wc -m <"$work/out")
[ "$len" -le 60000 ] || fail "markdown of a huge change is $len characters"
expect_out "| create | \`ConfigMap/big\` |"
expect_out "<details><summary>create <code>ConfigMap/small</code></summary>"
expect_out "the details of 1 resource and 0 drifted resources."
finish
