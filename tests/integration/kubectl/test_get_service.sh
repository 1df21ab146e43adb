#!/usr/bin/env bash
# test_get_service.sh - a LoadBalancer Service shows <pending>, then an EXTERNAL-IP.
. "$(dirname "$0")/common.sh"
use_namespace kc-svc
kc -n "$NS" create --validate=false -f "$MANIFESTS/service.yaml" >/dev/null
out=$(kc -n "$NS" get service nginxservice)
expect_match "$out" '^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE$' "svc header"
expect_match "$out" '^nginxservice +LoadBalancer +34\.118\.(22[4-9]|23[0-9])\.[0-9]+ +<pending> +80:3[0-9]{4}/TCP +[0-9]+s$' "pending row"
has_ip() {
  kc -n "$NS" get service nginxservice --no-headers |
    grep -Eq '^nginxservice +LoadBalancer +[0-9.]+ +[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ +80:3[0-9]{4}/TCP'
}
eventually 30 has_ip || { kc -n "$NS" get service nginxservice; fail "external IP"; }
ip=$(kc -n "$NS" get service nginxservice -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
expect_match "$ip" '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' "ingress ip"
echo ok
