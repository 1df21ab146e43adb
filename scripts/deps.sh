#!/usr/bin/env bash
# deps.sh - installs what ikc needs to build and test on Debian 12.
# Idempotent and quick when everything is present.  Debian's kubectl 1.20
# (package kubernetes-client) is unpacked under .deps/ rather than installed,
# since some machines carry another kubectl package that owns /usr/bin/kubectl.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev
      libyaml-dev libjson-c-dev libcurl4-openssl-dev libssl-dev libgit2-dev
      libmicrohttpd-dev libcmocka-dev curl git openssl etcd-server etcd-client
      wrk jq ca-certificates)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

kdir="$top/.deps/kubectl"
if [ ! -x "$kdir/usr/bin/kubectl" ]; then
  echo "deps: unpacking Debian's kubernetes-client into .deps/kubectl"
  tmp=$(mktemp -d)
  ( cd "$tmp" && apt-get download kubernetes-client >/dev/null 2>&1 ) || {
    $sudo apt-get update -qq
    ( cd "$tmp" && apt-get download kubernetes-client >/dev/null )
  }
  mkdir -p "$kdir"
  dpkg-deb -x "$tmp"/kubernetes-client_*.deb "$kdir"
  rm -rf "$tmp"
fi
