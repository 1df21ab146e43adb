#!/usr/bin/env bash
# test_openapi.sh - the cluster's /openapi/v3 documents carry the schemas of
# the kinds it serves, with their list types and merge keys (what ikc reads,
# what `kubectl explain` shows), and the main endpoint serves GKE's
# container/v1 discovery document.  `kubectl explain` needs a kubectl that
# reads OpenAPI v3 (1.27+): Google's /usr/bin/kubectl when present.
. "$(dirname "$0")/common.sh"
set -a
# shellcheck disable=SC1091
. "$KC_DIR/sim/env"
set +a
kc_value() { sed -n "s/.*$1: \"\([^\"]*\)\".*/\1/p" "$KC_DIR/kubeconfig" | head -1; }
server=$(kc_value server)
token=$(kc_value token)
ca_file=$(mktemp /tmp/ikc-kc-ca-XXXXXX)
trap 'rm -rf "$KC_HOME" "$ca_file"' EXIT
kc_value certificate-authority-data | base64 -d >"$ca_file"
get() { curl -sSf --cacert "$ca_file" -H "Authorization: Bearer $token" "$server$1"; }

doc=$(get /openapi/v3/api/v1) || fail "GET /openapi/v3/api/v1"
got=$(jq -c '.components.schemas["io.k8s.api.core.v1.Container"].properties.ports |
	[."x-kubernetes-list-type", ."x-kubernetes-list-map-keys"]' <<<"$doc")
[ "$got" = '["map",["containerPort","protocol"]]' ] || fail "Container.ports list type: $got"
got=$(jq -c '.components.schemas["io.k8s.api.core.v1.ServiceSpec"].properties.ports."x-kubernetes-list-map-keys"' <<<"$doc")
[ "$got" = '["port","protocol"]' ] || fail "ServiceSpec.ports map keys: $got"
got=$(jq -r '.components.schemas["io.k8s.api.core.v1.ReplicationController"]."x-kubernetes-group-version-kind"[0].kind' <<<"$doc")
[ "$got" = ReplicationController ] || fail "RC group-version-kind: $got"
# every $ref of the document resolves inside it
missing=$(jq -r '[.. | objects | ."$ref"? // empty | sub("#/components/schemas/"; "")] - (.components.schemas | keys) | .[]' <<<"$doc")
[ -z "$missing" ] || fail "dangling refs in api/v1: $missing"
doc=$(get /openapi/v3/apis/apps/v1) || fail "GET /openapi/v3/apis/apps/v1"
jq -e '.components.schemas["io.k8s.api.apps.v1.DeploymentSpec"].properties.template' <<<"$doc" >/dev/null ||
	fail "apps/v1 has no DeploymentSpec.template"

# GKE's discovery document, at both of Google's discovery URLs
disc=$(curl -sSf --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}\$discovery/rest?version=v1") ||
	fail "GET \$discovery/rest"
[ "$(jq -r .id <<<"$disc")" = "container:v1" ] || fail "discovery id"
[ "$(jq -r '.schemas.NodeConfig.properties.oauthScopes.type' <<<"$disc")" = array ] ||
	fail "NodeConfig.oauthScopes"
[ "$(jq -r '.schemas.NodeConfig.properties.diskSizeGb.format' <<<"$disc")" = int32 ] ||
	fail "NodeConfig.diskSizeGb format"
curl -sSf --cacert "$IKC_CA_BUNDLE" "${IKC_CONTAINER_ENDPOINT}discovery/v1/apis/container/v1/rest" |
	jq -e '.schemas.Cluster' >/dev/null || fail "GET discovery/v1/apis/container/v1/rest"

# kubectl explain reads the schemas from /openapi/v3
new=/usr/bin/kubectl
if [ -x "$new" ] && "$new" version --client 2>/dev/null | grep -Eq 'v1\.(2[7-9]|[3-9][0-9])'; then
	out=$(HOME="$KC_HOME" "$new" --kubeconfig "$KC_DIR/kubeconfig" explain rc.spec.template.spec.containers.ports 2>&1) ||
		fail "kubectl explain: $out"
	expect_match "$out" 'containerPort' "explain shows containerPort"
else
	echo "kubectl 1.27+ not installed: explain not checked"
fi
echo ok
