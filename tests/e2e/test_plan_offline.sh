#!/usr/bin/env bash
# ikc plan --refresh=false: plans from the stored state alone.
. "$(dirname "$0")/lib.sh"
stack="$src/examples/nginx-asia/ikc.yaml"
state="file://$work/state.json"

# Empty state: the four creates, in dependency order.
run plan --refresh=false -f "$stack" --state "$state"
expect_rc 0 "plan without --detailed-exitcode"
order=$(grep -oE '^ *(\+|~|-/\+|-) (Cluster|NodePool|ReplicationController|Service)/[a-z-]+' <<<"$out" | awk '{print $2}' | tr '\n' ' ')
[ "$order" = "Cluster/nginx-asia NodePool/default-pool ReplicationController/nginx Service/nginxservice " ] \
  || fail "creates not in dependency order: $order"
expect_out "Plan: 4 to add, 0 to change, 0 to replace, 0 to destroy."

run plan --refresh=false -f "$stack" --state "$state" --detailed-exitcode
expect_rc 2 "changes present under --detailed-exitcode"

run plan --refresh=false -f "$stack" --state "$state" --format json
expect_rc 0 "json plan"
jq -e '.format_version and (.changes | length == 4) and ([.changes[].action] == ["create","create","create","create"])
       and ([.changes[].address] == ["Cluster/nginx-asia","NodePool/default-pool","ReplicationController/nginx","Service/nginxservice"])
       and .summary.create == 4' <<<"$out" >/dev/null || fail "json plan content"
[ ! -e "$work/state.json" ] || fail "plan wrote a state file"

# Applied state that matches the file: nothing to do, exit 0.
sed 's/REPLICAS/2/' "$src/tests/e2e/fixtures/nginx-asia-applied.json" >"$work/res.json"
"$IKC_MKSTATE" "$state" nginx-asia "$work/res.json" || fail "mkstate"
run plan --refresh=false -f "$stack" --state "$state" --detailed-exitcode
expect_rc 0 "no changes"
expect_out "No changes."

# The file asks for 3 replicas: exactly one in-place update.
sed 's/replicas: 2/replicas: 3/' "$stack" >"$work/ikc.yaml"
run plan --refresh=false -f "$work/ikc.yaml" --state "$state" --format json --detailed-exitcode
expect_rc 2 "one update"
jq -e '[.changes[] | select(.action != "no-op")] | length == 1 and .[0].action == "update"
       and .[0].address == "ReplicationController/nginx"
       and (.[0].fields | map(.path) == ["spec.replicas"])' <<<"$out" >/dev/null \
  || fail "replicas change should be one in-place update"

# New oauthScopes: the node pool is replaced, and the plan says why.
python_free_edit() { sed 's#- https://www.googleapis.com/auth/bigquery#- https://www.googleapis.com/auth/cloud-platform#' "$stack"; }
python_free_edit >"$work/scopes.yaml"
run plan --refresh=false -f "$work/scopes.yaml" --state "$state"
expect_rc 0 "replace plan"
expect_out "NodePool/default-pool"
expect_out "spec.config.oauthScopes"
expect_out "forces replacement"
expect_out "1 to replace"

# Drift: the stored observation says 4 replicas.
rm -f "$work/state.json"
sed 's/REPLICAS/4/' "$src/tests/e2e/fixtures/nginx-asia-applied.json" >"$work/res.json"
"$IKC_MKSTATE" "$state" nginx-asia "$work/res.json" || fail "mkstate"
run drift --refresh=false -f "$stack" --state "$state" --detailed-exitcode
expect_rc 2 "drift present"
expect_out "ReplicationController/nginx"
expect_out "spec.replicas"
finish
