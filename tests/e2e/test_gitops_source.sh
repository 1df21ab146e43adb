#!/usr/bin/env bash
# --git REPO[#REF]: the stack file read from a git revision (local path and
# file:// URL), the commit in every output; unknown repository, ref or path.
. "$(dirname "$0")/lib.sh"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
  GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME="$work"
repo="$work/repo"
state="file://$work/state.json"
git init -q -b main "$repo" || { echo "git init failed"; exit 1; }
mkdir -p "$repo/stacks"
cp "$src/examples/nginx-asia/ikc.yaml" "$repo/stacks/prod.yaml"
git -C "$repo" add stacks/prod.yaml && git -C "$repo" commit -qm one
c1=$(git -C "$repo" rev-parse HEAD)
git -C "$repo" tag v1
sed -i 's/replicas: 2/replicas: 3/' "$repo/stacks/prod.yaml"
git -C "$repo" commit -qam two
c2=$(git -C "$repo" rev-parse HEAD)
# the work tree moves on without a commit: --git reads commits, not files
sed -i 's/replicas: 3/replicas: 7/' "$repo/stacks/prod.yaml"
cd "$work"

# each commit's plan names its own commit, and carries its own content
run plan --refresh=false --git "$repo#$c1" -f stacks/prod.yaml --state "$state" --format json
expect_rc 0 "plan at the first commit"
jq -e --arg c "$c1" '.source.git_commit == $c and .source.git_ref == $ref' --arg ref "$c1" <<<"$out" >/dev/null \
  || fail "json source of the first commit"
jq -e '[.changes[] | select(.address == "ReplicationController/nginx")][0].after.spec.replicas == 2' <<<"$out" >/dev/null \
  || fail "first commit has replicas 2"
run plan --refresh=false --git "$repo#main" -f stacks/prod.yaml --state "$state" --format json
expect_rc 0 "plan at main"
jq -e --arg c "$c2" '.source.git_commit == $c and .source.git_ref == "main"' <<<"$out" >/dev/null \
  || fail "json source of main"
jq -e '[.changes[] | select(.address == "ReplicationController/nginx")][0].after.spec.replicas == 3' <<<"$out" >/dev/null \
  || fail "main has replicas 3 (not the uncommitted 7)"
run plan --refresh=false --git "$repo#v1" -f ./stacks/prod.yaml --state "$state"
expect_rc 0 "plan at a tag"
expect_out "From git commit $c1 (v1)."
run plan --refresh=false --git "$repo" -f stacks/prod.yaml --state "$state" --format markdown
expect_rc 0 "markdown at HEAD"
expect_out "From git commit \`$c2\` (\`HEAD\`)."
run validate --git "$repo#$c1" -f stacks/prod.yaml
expect_rc 0 "validate from git"

# a file:// URL is fetched into .ikc/ of the current folder
run plan --refresh=false --git "file://$repo#main" -f stacks/prod.yaml --state "$state" --format json
expect_rc 0 "plan from a file:// URL"
jq -e --arg c "$c2" '.source.git_commit == $c' <<<"$out" >/dev/null || fail "URL plan names main's commit"
[ -d "$work/.ikc/git" ] || fail "no fetch cache under .ikc/git"
run plan --refresh=false --git "file://$repo#v1" -f stacks/prod.yaml --state "$state" --format json
jq -e --arg c "$c1" '.source.git_commit == $c' <<<"$out" >/dev/null || fail "URL plan at a tag"
run plan --refresh=false --git "file://$repo" -f stacks/prod.yaml --state "$state" --format json
jq -e --arg c "$c2" '.source.git_commit == $c' <<<"$out" >/dev/null || fail "URL plan at the remote HEAD"

# errors say what is missing
run plan --refresh=false --git "$work/nothing" -f stacks/prod.yaml --state "$state"
expect_rc 1 "unknown repository"
expect_err "no git repository at $work/nothing"
run plan --refresh=false --git "$repo#no-such-branch" -f stacks/prod.yaml --state "$state"
expect_rc 1 "unknown ref"
expect_err "has no ref \"no-such-branch\""
run plan --refresh=false --git "$repo#main" -f stacks/missing.yaml --state "$state"
expect_rc 1 "unknown path"
expect_err "has no file \"stacks/missing.yaml\" at main"
run plan --refresh=false --git "file://$work/nothing" -f stacks/prod.yaml --state "$state"
expect_rc 1 "unknown URL"
expect_err "cannot fetch git repository file://$work/nothing"

# a password in a URL is used, never shown
run plan --refresh=false --git "file://bob:tok-5ec7e7-canary@localhost$work/nothing#main" -f stacks/prod.yaml --state "$state"
expect_rc 1 "unknown URL with a password"
expect_err "cannot fetch git repository file://localhost$work/nothing"
grep -q "tok-5ec7e7-canary" "$work/err" && fail "the URL's password was printed"

# a stack file error is positioned inside the revision
printf 'apiVersion: ikc.dev/v1\nkind: Stack\nmetadata: {name: x}\nspec: {bogus: 1}\n' >"$repo/bad.yaml"
git -C "$repo" add bad.yaml && git -C "$repo" commit -qm bad
run validate --git "$repo#main" -f bad.yaml
expect_rc 1 "invalid file from git"
expect_err "$repo#main:bad.yaml:"
finish
